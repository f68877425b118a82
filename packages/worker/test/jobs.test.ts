// Happy paths through the public API, on one real worker process.
import {
  type Catalog,
  type Job,
  JobError,
  type JobManager,
  UnknownPluginError,
  WorkerErrorCode,
} from '@plugwork/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProcessesGone, type Harness, startHarness } from './helpers.ts';

let harness: Harness;
let manager: JobManager;
const broadcast: { type: string; data: unknown }[] = [];
const resourceCalls: string[] = [];

beforeAll(async () => {
  harness = await startHarness({
    pluginConfigs: { echo: { prefix: '> ' } },
    maxLoadedPlugins: 3,
    broadcaster: { broadcast: (type, data) => void broadcast.push({ type, data }) },
    resourceManager: {
      registerWorker: (pid, info) => void resourceCalls.push(`register ${pid} ${info.workerId}`),
      unregisterWorker: (pid) => void resourceCalls.push(`unregister ${pid}`),
      updateWorkerState: (pid, state, details) =>
        void resourceCalls.push(
          `state ${pid} ${state}${details?.pluginName ? ` ${details.pluginName}` : ''}`,
        ),
    },
  });
  manager = harness.manager;
});

afterAll(async () => {
  await harness.close();
});

describe('start', () => {
  it('reports the catalog: every plugin and the diagnostics of those that could not be offered', () => {
    const names = manager.catalog.plugins.map((plugin) => plugin.name);
    expect(names).toContain('echo');
    expect(names).toContain('stream');
    expect(manager.catalog.plugins.find((plugin) => plugin.name === 'stream')?.streaming).toBe(
      true,
    );
    expect(manager.catalog.diagnostics).toEqual([
      expect.objectContaining({ plugin_name: 'broken', code: 'INVALID_MANIFEST' }),
    ]);
  });

  it('loaded the configured plugin at start and registered the worker', async () => {
    const [state] = await manager.getWorkerStates();
    expect(state?.loadedPlugins).toContain('echo');
    expect(resourceCalls[0]).toBe(`register ${state?.pid} worker-1`);
  });
});

describe('plain results', () => {
  it('runs a job with its config and params', async () => {
    const job = manager.submit('echo', { text: 'hello' });
    expect(job.status).toBe('running');
    await expect(job.result).resolves.toMatchObject({ text: '> hello' });
    const done = await job.done;
    expect(done).toMatchObject({
      id: job.id,
      plugin: 'echo',
      status: 'completed',
      params: { text: 'hello' },
      result: { text: '> hello' },
      error: undefined,
      workerId: 'worker-1',
    });
    expect(done.workerPid).toBe(harness.pids.values().next().value);
    expect(done.startedAt).toBeGreaterThanOrEqual(done.submittedAt);
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt!);
  });

  it.each([
    [42, { text: '42', metadata: {} }],
    ['words', { text: 'words', metadata: {} }],
    [null, { text: '', metadata: {} }],
    [[1, 2], { text: '[1,2]', metadata: {} }],
  ])('wraps a %j result as { text, metadata }', async (value, expected) => {
    await expect(manager.submit('value', { value }).result).resolves.toEqual(expected);
  });

  it('wraps an undefined result as empty text', async () => {
    await expect(manager.submit('value', { kind: 'undefined' }).result).resolves.toEqual({
      text: '',
      metadata: {},
    });
  });

  it('keeps metadata with the job', async () => {
    const job = manager.submit('noop', {}, { metadata: { requestId: 'r-1' } });
    expect((await job.done).metadata).toEqual({ requestId: 'r-1' });
  });

  it('loads a plugin once and reuses it for later jobs', async () => {
    const first = await manager.submit('counter').result;
    const second = await manager.submit('counter').result;
    expect(second.calls).toBe((first.calls as number) + 1);
    expect(second.loadNumber).toBe(first.loadNumber);
  });

  it('refuses an unknown plugin, naming what exists', () => {
    expect(() => manager.submit('ehco')).toThrow(UnknownPluginError);
    expect(() => manager.submit('ehco')).toThrow(/No plugin named "ehco".*"echo"/);
  });

  it('a plugin that was found but could not be offered: says why, and carries its diagnostic', () => {
    const error = (() => {
      try {
        manager.submit('broken');
      } catch (caught) {
        return caught as UnknownPluginError;
      }
      return expect.unreachable('submit should throw');
    })();
    expect(error).toBeInstanceOf(UnknownPluginError);
    expect(error.code).toBe(WorkerErrorCode.PLUGIN_UNAVAILABLE);
    expect(error.message).toBe(
      'Plugin "broken" cannot run: the adapter found it (/test-plugins/broken) but could not offer it, INVALID_MANIFEST: broken has no package.json. Its diagnostic is in manager.catalog.diagnostics; once it is fixed, the plugin is offered again',
    );
    expect(error.diagnostic).toEqual(
      manager.catalog.diagnostics.find((each) => each.plugin_name === 'broken'),
    );
  });

  it('refuses params the protocol reserves, or that cannot be sent, before queueing', () => {
    expect(() => manager.submit('echo', { job_id: 'x' })).toThrow(/reserved by the protocol/);
    expect(() => manager.submit('echo', { callback: () => 1 })).toThrow(
      /params.callback is a function/,
    );
    expect(() => manager.submit('echo', {}, { timeoutMs: -5 } as never)).toThrow(/timeoutMs/);
    expect(manager.stats().queued).toBe(0);
  });

  it('rejects result with a typed JobError when the plugin fails', async () => {
    const job = manager.submit('throws', { errorType: 'TypeError' });
    const error = await job.result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobError);
    expect(error).toMatchObject({
      code: WorkerErrorCode.PLUGIN_ERROR,
      jobId: job.id,
      plugin: 'throws',
    });
    expect((error as JobError).message).toBe(
      `Plugin "throws" failed on job ${job.id}: TypeError: boom from plugin`,
    );
    expect((await job.done).status).toBe('failed');
  });
});

describe('streaming', () => {
  it('yields the chunks in order, then the final result', async () => {
    const job = manager.submit('stream', { count: 20, delayMs: 1 }, { stream: true });
    const chunks: string[] = [];
    for await (const chunk of job) chunks.push(chunk);
    const expected = Array.from({ length: 20 }, (_, index) => `chunk-${index};`).join('');
    expect(chunks.join('')).toBe(expected);
    await expect(job.result).resolves.toEqual({
      streamed: true,
      chunks: 20,
      characters: expected.length,
    });
  });

  it('streams a plugin that returns a synchronous iterable', async () => {
    const job = manager.submit('stream-sync', { count: 3 }, { stream: true });
    const chunks: string[] = [];
    for await (const chunk of job.stream()) chunks.push(chunk);
    expect(chunks.join('')).toBe('s0 s1 s2 ');
  });

  it('falls back to a plain result for a plugin that cannot stream', async () => {
    const job = manager.submit('echo', { text: 'flat' }, { stream: true });
    const chunks: string[] = [];
    for await (const chunk of job) chunks.push(chunk);
    expect(chunks).toEqual([]);
    await expect(job.result).resolves.toMatchObject({ text: '> flat' });
  });

  it('emits job:chunk events with the final chunk flagged', async () => {
    const events: { chunk: string; final: boolean }[] = [];
    const listener = (event: { jobId: string; chunk: string; final: boolean }) => {
      if (event.jobId === job.id) events.push(event);
    };
    manager.on('job:chunk', listener);
    const job = manager.submit('stream', { count: 3, delayMs: 5 }, { stream: true });
    await job.done;
    manager.off('job:chunk', listener);
    expect(events.map((event) => event.chunk).join('')).toBe('chunk-0;chunk-1;chunk-2;');
    expect(events.filter((event) => event.final).length).toBeLessThanOrEqual(1);
    expect(events.slice(0, -1).every((event) => !event.final)).toBe(true);
  });
});

describe('progress', () => {
  it('reports progress as events and on the job', async () => {
    const seen: [number, string | undefined][] = [];
    manager.on('job:progress', (event) => seen.push([event.progress, event.message]));
    const job = manager.submit('progress');
    await job.result;
    expect(seen).toEqual([
      [0.25, 'a quarter'],
      [0.5, 'half'],
      [1, 'done'],
    ]);
    expect(job.snapshot()).toMatchObject({ progress: 1, progressMessage: 'done' });
  });
});

describe('reload, unload, get_state', () => {
  it('reloads a plugin with a new config', async () => {
    await manager.reloadPlugin('echo', { prefix: '# ' });
    await expect(manager.submit('echo', { text: 'x' }).result).resolves.toMatchObject({
      text: '# x',
    });
  });

  it('rejects a reload whose config the plugin refuses, keeping the previous config', async () => {
    await expect(manager.reloadPlugin('echo', { prefix: 7 })).rejects.toThrow(
      /Could not reload plugin "echo" on 1 worker: .*config.prefix must be a string/,
    );
    // The failed reload left echo unloaded; the next job loads it again with the old config.
    await expect(manager.submit('echo', { text: 'y' }).result).resolves.toMatchObject({
      text: '# y',
    });
  });

  it('unloads a plugin; the next job loads it again', async () => {
    await manager.submit('counter').result;
    await manager.unloadPlugin('counter');
    let [state] = await manager.getWorkerStates();
    expect(state?.loadedPlugins).not.toContain('counter');
    const after = await manager.submit('counter').result;
    expect(after.calls).toBe(1);
    [state] = await manager.getWorkerStates();
    expect(state?.loadedPlugins).toContain('counter');
  });

  it('reports the worker state from the worker itself', async () => {
    const [state] = await manager.getWorkerStates();
    expect(state).toMatchObject({
      workerId: 'worker-1',
      state: 'idle',
      currentJobId: undefined,
      restarts: 0,
      failure: undefined,
      unanswered: undefined,
    });
    expect(state?.memory?.rss).toBeGreaterThan(1_000_000);
  });

  it('reports the running job in get_state', async () => {
    const job = manager.submit('sleep', { ms: 300 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [state] = await manager.getWorkerStates();
    expect(state).toMatchObject({ state: 'busy', currentJobId: job.id });
    await job.result;
  });

  it('keeps concurrent requests apart: every answer reaches its own caller', async () => {
    const calls = await Promise.all([
      manager.getWorkerStates(),
      manager.reloadPlugin('echo', { prefix: '1 ' }),
      manager.getWorkerStates(),
      manager.unloadPlugin('counter'),
      manager.getWorkerStates(),
      manager.reloadPlugin('echo', { prefix: '2 ' }),
    ]);
    expect(calls[1]).toBeUndefined();
    expect(calls[3]).toBeUndefined();
    for (const states of [calls[0], calls[2], calls[4]]) {
      expect(states).toHaveLength(1);
      expect(states?.[0]?.unanswered).toBeUndefined();
    }
    await expect(manager.submit('echo', { text: 'z' }).result).resolves.toMatchObject({
      text: '2 z',
    });
  });
});

describe('catalog changes', () => {
  it('a plugins_changed from the adapter updates the catalog and fires catalog:changed', async () => {
    const changed = new Promise<Catalog>((resolve) => manager.once('catalog:changed', resolve));
    await manager.submit('add-plugin', { name: 'fresh' }).result;
    const catalog = await changed;
    expect(catalog.plugins.map((plugin) => plugin.name)).toContain('fresh');
    expect(manager.catalog).toBe(catalog);
    await expect(manager.submit('fresh').result).resolves.toEqual({ extra: 'fresh' });
  });
});

describe('job records', () => {
  it('takes a caller-chosen id, and answers a second submit of it with the same job', async () => {
    const job = manager.submit('echo', { text: 'first' }, { id: 'my-id-1' });
    expect(job.id).toBe('my-id-1');
    const again = manager.submit('echo', { text: 'second' }, { id: 'my-id-1' });
    expect(await again.result).toEqual(await job.result);
    await job.done;
    const later = manager.submit('echo', { text: 'third' }, { id: 'my-id-1' });
    expect(later.snapshot()).toMatchObject({ status: 'completed', params: { text: 'first' } });
    expect(manager.listJobs().filter((listed: Job) => listed.id === 'my-id-1')).toHaveLength(1);
  });

  it('getJob, listJobs and clearCompleted', async () => {
    const job = manager.submit('noop');
    await job.done;
    expect(manager.getJob(job.id)?.status).toBe('completed');
    expect(manager.listJobs({ plugin: 'noop' }).map((listed: Job) => listed.id)).toContain(job.id);
    expect(manager.listJobs({ status: 'pending' })).toEqual([]);
    const cleared = manager.clearCompleted();
    expect(cleared).toBeGreaterThan(0);
    expect(manager.getJob(job.id)).toBeUndefined();
    expect(manager.listJobs()).toEqual([]);
  });

  it('collects wait and run times per plugin', async () => {
    await manager.submit('sleep', { ms: 50 }).result;
    const stats = manager.stats();
    expect(stats.queued).toBe(0);
    expect(stats.running).toBe(0);
    expect(stats.workers.idle).toBe(1);
    expect(stats.plugins.sleep?.completed).toBeGreaterThanOrEqual(1);
    expect(stats.plugins.sleep?.runTime.maxMs).toBeGreaterThanOrEqual(45);
    expect(stats.plugins.sleep?.waitTime.count).toBeGreaterThanOrEqual(1);
    expect(stats.plugins.throws?.failed).toBeGreaterThanOrEqual(1);
  });

  it('broadcasts job and worker events, and tells the ResourceManager what the worker does', async () => {
    const job = manager.submit('echo', { text: 'b' });
    await job.done;
    const types = broadcast
      .filter((entry) => (entry.data as { id?: string }).id === job.id)
      .map((entry) => entry.type);
    expect(types).toEqual(['job:queued', 'job:started', 'job:completed']);
    expect(broadcast.some((entry) => entry.type === 'worker:started')).toBe(true);
    const pid = manager.getJob(job.id)?.workerPid;
    expect(resourceCalls).toContain(`state ${pid} busy echo`);
    expect(resourceCalls).toContain(`state ${pid} idle`);
  });
});

describe('shutdown', () => {
  it('leaves no process behind and unregisters the worker', async () => {
    const pids = [...harness.pids];
    await manager.shutdown();
    await expectProcessesGone(pids);
    // The last process the manager had (reloads replace the worker process).
    expect(resourceCalls.at(-1)).toBe(`unregister ${pids.at(-1)}`);
    expect(() => manager.submit('echo')).toThrow(/shutting down or has shut down/);
  });
});
