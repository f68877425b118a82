// A Node host running plugins in real Python worker processes (runtime 'python'), over the
// socket channel: everything the Node runtime gives, for Python too.
import { fileURLToPath } from 'node:url';
import {
  JobManager,
  type JobManagerOptions,
  WorkerErrorCode,
  type WorkerExitEvent,
} from '@plugwork/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  expectProcessesGone,
  expectWorkerGoneWhenHostKilled,
  type Harness,
  nextEvent,
  startHarness,
} from './helpers.ts';

const FIXTURES = new URL('./fixtures/python/', import.meta.url);
const PLUGINS = fileURLToPath(new URL('plugins', FIXTURES));
const FOLDERS = {
  module: 'plugwork_worker.folder_adapter',
  export: 'FolderAdapter',
  options: { directories: [PLUGINS] },
};

function python(options: Partial<JobManagerOptions> = {}): Promise<Harness> {
  return startHarness({ runtime: 'python', adapter: FOLDERS, ...options });
}

describe('runtime python: jobs', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await python({
      pluginConfigs: { echo: { prefix: '> ' } },
      maxLoadedPlugins: 3,
      restart: { policy: 'always' },
      timeouts: { cancelGraceMs: 300 },
    });
  });
  afterAll(() => harness.close());

  it('reports its catalog and runtime', async () => {
    expect(harness.manager.catalog.plugins.map((plugin) => plugin.name)).toEqual([
      'echo',
      'faults',
      'words',
    ]);
    const [state] = await harness.manager.getWorkerStates();
    expect(state).toMatchObject({ state: 'idle', loadedPlugins: ['echo'] });
  });

  it("memory, as for Node workers: the worker's resident set and its anonymous part", async () => {
    const MiB = 1024 * 1024;
    const memoryNow = async () => {
      const [state] = await harness.manager.getWorkerStates();
      expect(state?.unanswered).toBeUndefined();
      return state!.memory!;
    };
    const before = await memoryNow();
    expect(before.heapUsed).toBeGreaterThan(0);
    expect(before.heapUsed).toBeLessThan(before.rss);
    await harness.manager.submit('faults', { op: 'hold', mib: 64 }).result;
    const holding = await memoryNow();
    expect(holding.rss - before.rss).toBeGreaterThan(60 * MiB);
    expect(holding.heapUsed - before.heapUsed).toBeGreaterThan(60 * MiB);
    await harness.manager.submit('faults', { op: 'release' }).result;
    // Current figures, not the peak.
    expect((await memoryNow()).rss).toBeLessThan(holding.rss - 60 * MiB);
  });

  it('a result', async () => {
    await expect(harness.manager.submit('echo', { text: 'hi' }).result).resolves.toEqual({
      text: '> hi',
    });
  });

  it('a stream from a generator, with progress', async () => {
    const progress: number[] = [];
    const onProgress = (event: { progress: number }) => progress.push(event.progress);
    harness.manager.on('job:progress', onProgress);
    const job = harness.manager.submit('words', { count: 4, delayMs: 5 }, { stream: true });
    let text = '';
    for await (const chunk of job) text += chunk;
    harness.manager.off('job:progress', onProgress);
    expect(text).toBe('word-0;word-1;word-2;word-3;');
    await expect(job.result).resolves.toEqual({ streamed: true, chunks: 4, characters: 28 });
    expect(progress).toEqual([0.25, 0.5, 0.75, 1]);
    expect(job.snapshot().progressMessage).toBe('word 4 of 4');
  });

  it('a plugin that raises: the job fails with the exception, the worker goes on', async () => {
    const pid = [...harness.pids].at(-1);
    const job = harness.manager.submit('faults', { op: 'raise', model: 'xl' });
    await expect(job.result).rejects.toMatchObject({
      code: WorkerErrorCode.PLUGIN_ERROR,
      message: expect.stringContaining('ValueError: no such model: xl'),
    });
    expect(harness.output.some((line) => line.includes('Traceback'))).toBe(true);
    await expect(harness.manager.submit('echo', { text: 'ok' }).result).resolves.toBeDefined();
    expect((await harness.manager.getWorkerStates())[0]?.pid).toBe(pid);
  });

  it('an unserialisable result is that job’s error', async () => {
    for (const [op, where] of [
      ['nan', 'result.scores[1] is nan'],
      ['bytes', 'result.image is bytes'],
      ['set', 'result.labels is a set'],
    ]) {
      const job = harness.manager.submit('faults', { op });
      await expect(job.result, op).rejects.toMatchObject({
        code: WorkerErrorCode.RESULT_NOT_SERIALIZABLE,
        message: expect.stringContaining(where as string),
      });
    }
    await expect(harness.manager.submit('echo', { text: 'ok' }).result).resolves.toBeDefined();
  });

  it('print() reaches the log labelled with worker and plugin, never the channel', async () => {
    const forged = '{"type":"result","job_id":"forged","status":"success","data":{}}';
    const job = harness.manager.submit('echo', { print: forged, text: 'x' });
    await expect(job.result).resolves.toEqual({ text: '> x' });
    const pid = job.snapshot().workerPid;
    await expect.poll(() => harness.output).toContain(`[worker ${pid} echo] ${forged}`);
  });

  it('cooperative cancel: the plugin stops when asked, same worker', async () => {
    const started = nextEvent(harness.manager, 'job:started');
    const job = harness.manager.submit('faults', { op: 'wait' });
    await started;
    const pid = job.snapshot().workerPid;
    await expect(job.cancel()).resolves.toBe(true);
    expect(job.snapshot().error?.message).toContain('the plugin stopped when asked');
    expect((await harness.manager.getWorkerStates())[0]?.pid).toBe(pid);
  });

  it('cancel of a plugin that ignores it: killed after the grace period, then replaced', async () => {
    const started = nextEvent(harness.manager, 'job:started');
    const job = harness.manager.submit('faults', { op: 'spin' });
    await started;
    const [state] = await harness.manager.getWorkerStates({ timeoutMs: 2_000 });
    // The loop answers while the plugin spins: it reads on the main thread.
    expect(state).toMatchObject({ state: 'busy', currentJobId: job.id });
    expect(state?.unanswered).toBeUndefined();
    await expect(job.cancel()).resolves.toBe(true);
    expect(job.snapshot().error?.message).toContain('did not stop within 300 ms of being asked');
    await expectProcessesGone([job.snapshot().workerPid!]);
    await expect(harness.manager.submit('echo', { text: 'back' }).result).resolves.toBeDefined();
  });

  it('timeout and stall detection', async () => {
    const timedOut = await harness.manager.submit('faults', { op: 'wait' }, { timeoutMs: 200 })
      .done;
    expect(timedOut.error).toMatchObject({ code: WorkerErrorCode.JOB_TIMEOUT });
    expect(timedOut.error?.message).toContain(
      'timed out after 200 ms; the plugin stopped when asked',
    );
    const stalled = await harness.manager.submit('faults', { op: 'wait' }, { stallMs: 200 }).done;
    expect(stalled.error?.code).toBe(WorkerErrorCode.JOB_STALLED);
    const streaming = harness.manager.submit(
      'words',
      { count: 6, delayMs: 60 },
      { stream: true, stallMs: 400 },
    );
    for await (const _ of streaming) {
      // A job that keeps streaming outlives stallMs.
    }
    expect((await streaming.done).status).toBe('completed');
  });

  it.each([
    ['exit', /exited with code 3/, { code: 3, signal: null }],
    ['kill', /was killed by SIGKILL/, { code: null, signal: 'SIGKILL' }],
    ['segfault', /was killed by SIGSEGV/, { code: null, signal: 'SIGSEGV' }],
  ])('crash detection: %s, then a restart', async (op, message, exit) => {
    const exited = nextEvent<WorkerExitEvent>(harness.manager, 'worker:exited');
    const job = harness.manager.submit('faults', { op });
    await expect(job.result).rejects.toMatchObject({
      code: WorkerErrorCode.WORKER_CRASHED,
      message: expect.stringMatching(message),
    });
    expect(await exited).toMatchObject({ ...exit, willRestart: true });
    await expect(harness.manager.submit('echo', { text: 'again' }).result).resolves.toEqual({
      text: '> again',
    });
  });
});

describe('runtime python: adapters and start-up', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('a seed-style PluginManagerAdapter class, named by module and class, runs unchanged', async () => {
    harness = await startHarness({
      runtime: 'python',
      adapter: {
        module: 'seed_manager',
        export: 'TranscriptionManager',
        options: { model_dir: '/srv/models' },
      },
      worker: { cwd: fileURLToPath(FIXTURES) },
      pluginConfigs: { 'whisper-tiny': { language: 'de' } },
    });
    expect(harness.manager.catalog.plugins).toEqual([
      {
        name: 'whisper-tiny',
        streaming: true,
        source: 'python',
        version: '1.0.0',
        description: 'Pretends to transcribe',
      },
    ]);
    await expect(
      harness.manager.submit('whisper-tiny', { audio: 'a.wav' }).result,
    ).resolves.toEqual({ text: '[de] a.wav from /srv/models' });
    const job = harness.manager.submit('whisper-tiny', {}, { stream: true });
    let text = '';
    for await (const chunk of job) text += chunk;
    expect(text).toBe('hello from python ');
    await harness.manager.reloadPlugin('whisper-tiny', { language: 'fr' });
    await expect(
      harness.manager.submit('whisper-tiny', { audio: 'b.wav' }).result,
    ).resolves.toEqual({ text: '[fr] b.wav from /srv/models' });
  });

  it('the same class from a .py path', async () => {
    harness = await startHarness({
      runtime: 'python',
      adapter: {
        module: fileURLToPath(new URL('seed_manager.py', FIXTURES)),
        export: 'TranscriptionManager',
      },
    });
    expect(harness.manager.catalog.plugins.map((plugin) => plugin.name)).toEqual(['whisper-tiny']);
  });

  it('an adapter module Python cannot import: the start fails saying so', async () => {
    await expect(
      python({ adapter: { module: 'no_such_adapter_module', export: 'Manager' } }),
    ).rejects.toMatchObject({
      code: WorkerErrorCode.WORKER_START_FAILED,
      message: expect.stringContaining(
        'cannot import adapter module "no_such_adapter_module": ModuleNotFoundError',
      ),
    });
  });

  it('Python older than 3.9: a start error that says which Python and what to set', async () => {
    await expect(
      python({ worker: { pythonPath: fileURLToPath(new URL('old-python.sh', FIXTURES)) } }),
    ).rejects.toMatchObject({
      name: 'WorkerStartError',
      code: WorkerErrorCode.WORKER_START_FAILED,
      message: expect.stringMatching(
        /could not start: Python 3\.8\.10 \(.+\) is too old: plugwork's Python worker needs Python >= 3\.9\. Point worker\.pythonPath/,
      ),
    });
  });

  it('a python binary that does not exist: the start fails naming the option to set', async () => {
    await expect(python({ worker: { pythonPath: '/nonexistent/python3' } })).rejects.toThrow(
      /"\/nonexistent\/python3" was not found: install Python >= 3\.9, or set worker\.pythonPath/,
    );
  });

  it('options a Python worker cannot honour are refused up front', () => {
    expect(
      () =>
        new JobManager({ runtime: 'python', adapter: FOLDERS, permissions: { read: ['/srv'] } }),
    ).toThrow(/"permissions": is not supported with runtime 'python'/);
    expect(() => new JobManager({ runtime: 'python', adapter: { module: 'my-adapter' } })).toThrow(
      /"adapter.module": "my-adapter" is not something a Python worker can import/,
    );
  });

  it('the worker exits by itself when its host is killed, even while a plugin spins', async () => {
    // The socket closes with the host; the worker's stop is bounded by shutdownMs (500).
    await expectWorkerGoneWhenHostKilled(
      new URL('./fixtures/python-host.mjs', import.meta.url),
      [PLUGINS],
      5_000,
    );
  });
});
