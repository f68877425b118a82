// Every way a plugin or its worker can go wrong, with real processes. After each fault: the job
// ends with the right status and a message saying what happened, queued jobs still run, the
// worker is back to idle, the next job succeeds, and no process is left behind.
import {
  type Job,
  type JobManager,
  WorkerErrorCode,
  type WorkerExitEvent,
  type WorkerProtocolErrorEvent,
} from '@plugwork/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectHealthy,
  expectProcessesGone,
  type Harness,
  nextEvent,
  startHarness,
} from './helpers.ts';

let harness: Harness;
let manager: JobManager;

beforeAll(async () => {
  harness = await startHarness({
    maxLoadedPlugins: 4,
    timeouts: { cancelGraceMs: 300, requestMs: 2_000 },
    restart: { policy: 'backoff', baseDelayMs: 20, maxDelayMs: 100, maxCrashes: 1_000 },
  });
  manager = harness.manager;
});

afterAll(async () => {
  await harness.close();
});

function currentPid(): number {
  return manager.listJobs().at(-1)?.workerPid ?? [...harness.pids].at(-1)!;
}

async function started(jobId: string): Promise<Job> {
  return nextEvent<Job>(manager, 'job:started', (job) => job.id === jobId);
}

describe('the worker dies under a job', () => {
  it('SIGKILL mid-job: the job fails naming the signal, queued jobs run on the restarted worker', async () => {
    const running = manager.submit('sleep', { ms: 20_000 });
    const queued = [manager.submit('echo', { text: 'a' }), manager.submit('echo', { text: 'b' })];
    const { workerPid } = running.snapshot().workerPid
      ? running.snapshot()
      : await started(running.id);
    const exited = nextEvent<WorkerExitEvent>(manager, 'worker:exited');
    process.kill(workerPid!, 'SIGKILL');

    const done = await running.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.WORKER_CRASHED);
    expect(done.error?.message).toBe(
      `Job ${running.id} (plugin "sleep") failed: worker ${workerPid} was killed by SIGKILL while running it. The worker will be restarted in 20 ms; queued jobs will run on it. Submit the job again if it is safe to retry.`,
    );
    expect(await exited).toMatchObject({
      pid: workerPid,
      signal: 'SIGKILL',
      killedFor: undefined,
      jobId: running.id,
      willRestart: true,
      restartInMs: 20,
    });

    const results = await Promise.all(queued.map((job) => job.done));
    expect(results.map((job) => job.status)).toEqual(['completed', 'completed']);
    expect(results.every((job) => job.workerPid !== workerPid)).toBe(true);
    await expectProcessesGone([workerPid!]);
    await expectHealthy(manager);
  });

  it('process.exit inside a plugin: the job fails with the exit code', async () => {
    const job = manager.submit('exit', { code: 3 });
    const queued = manager.submit('echo', { text: 'after exit' });
    const done = await job.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.WORKER_CRASHED);
    expect(done.error?.message).toContain(
      `worker ${done.workerPid} exited with code 3 while running it`,
    );
    await expect(queued.result).resolves.toMatchObject({ text: 'after exit' });
    await expectProcessesGone([done.workerPid!]);
    await expectHealthy(manager);
  });

  it('an uncaught exception in plugin code: the job fails saying so', async () => {
    const job = manager.submit('uncaught');
    const done = await job.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.WORKER_CRASHED);
    expect(done.error?.message).toContain(
      `worker ${done.workerPid} exited with code 1 after an uncaught exception: thrown from a timer while running it`,
    );
    await expectHealthy(manager);
  });
});

describe('the plugin misbehaves, the worker survives', () => {
  it('a plugin that throws: the job fails, the same worker serves the next job', async () => {
    const pid = currentPid();
    const job = manager.submit('throws');
    const done = await job.done;
    expect(done).toMatchObject({
      status: 'failed',
      error: {
        code: WorkerErrorCode.PLUGIN_ERROR,
        message: `Plugin "throws" failed on job ${job.id}: boom from plugin`,
      },
    });
    await expectHealthy(manager);
    expect(currentPid()).toBe(pid);
  });

  it.each([
    ['function', 'result.callback is a function'],
    ['cycle', 'result.self refers back to an object that contains it (a cycle)'],
    ['bigint', 'result.big is a BigInt'],
    ['top-function', 'result is a function'],
    ['map', 'result.map is a Map'],
  ])('an unserialisable result (%s) is the job error, not a crash', async (kind, where) => {
    const pid = currentPid();
    const job = manager.submit('unserialisable', { kind });
    const done = await job.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.RESULT_NOT_SERIALIZABLE);
    expect(done.error?.message).toContain(
      `Plugin "unserialisable" returned a result for job ${job.id} that cannot be sent to the host: ${where}`,
    );
    expect(done.workerPid).toBe(pid);
    await expectHealthy(manager);
  });

  it('garbage on stdout never reaches the channel; it is logged, labelled', async () => {
    const pid = currentPid();
    const job = manager.submit('garbage');
    await expect(job.result).resolves.toEqual({ ok: true });
    await expectHealthy(manager);
    expect(currentPid()).toBe(pid);
    const label = `[worker ${pid} garbage]`;
    expect(harness.output).toContain(
      `${label} {"type":"result","job_id":"forged","status":"success","data":{}}`,
    );
    expect(harness.output).toContain(`${label} hello from console.log`);
    expect(harness.output).toContain(`${label} hello from console.error`);
    expect(harness.output.some((line) => line.includes('not json at all'))).toBe(true);
    // Each line also names the job that printed it, so a host can show it with that job.
    expect(
      harness.outputSources.find((source) => source.text === 'hello from console.log'),
    ).toMatchObject({ pid, plugin: 'garbage', jobId: job.id, stream: 'stdout' });
  });

  it('plugin code that closes the channel: the worker is killed at once, its job fails saying why, the next runs', async () => {
    const started = Date.now();
    // It lingers 20 s after closing: without the host noticing, the job would wait that long.
    const done = await manager.submit('close-channel', { linger: 20_000 }).done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe('WORKER_CRASHED');
    expect(done.error?.message).toMatch(
      /was killed by SIGKILL after its channel closed while it kept running \(plugin code closed or took over the channel's file descriptor 3\)/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    await expectHealthy(manager);
  });

  it('a malformed message from plugin code: dropped as forged (no channel token), the job ends as the loop reports', async () => {
    const protocolError = nextEvent<WorkerProtocolErrorEvent>(manager, 'worker:protocol-error');
    const pid = currentPid();
    const job = manager.submit('malformed');
    const done = await job.done;
    expect(done.status).toBe('completed');
    expect(done.result).toEqual({ fromLoop: true });
    expect(await protocolError).toMatchObject({ pid, jobId: job.id });
    expect(harness.warnings.some((line) => line.includes('without the channel token'))).toBe(true);
    expect(currentPid()).toBe(pid);
    await expectHealthy(manager);
  });
});

describe('hangs: timeouts, stalls, infinite loops', () => {
  it('a hang that honours its AbortSignal: timed out cooperatively, same worker', async () => {
    const pid = currentPid();
    const job = manager.submit('hangs', { honourSignal: true }, { timeoutMs: 200 });
    const done = await job.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.JOB_TIMEOUT);
    expect(done.error?.message).toBe(
      `Job ${job.id} (plugin "hangs") timed out after 200 ms; the plugin stopped when asked. Raise its timeoutMs (submit option or timeouts.jobMs) if it needs longer`,
    );
    // The advice is kept apart too, so a host can put it in its own words.
    expect(done.error?.hint).toBe(
      'Raise its timeoutMs (submit option or timeouts.jobMs) if it needs longer',
    );
    await expectHealthy(manager);
    expect(currentPid()).toBe(pid);
  });

  it('a hang that ignores its signal: timed out, worker killed after the grace period and restarted', async () => {
    const job = manager.submit('hangs', {}, { timeoutMs: 200 });
    const exited = nextEvent<WorkerExitEvent>(manager, 'worker:exited');
    const done = await job.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.JOB_TIMEOUT);
    expect(done.error?.message).toContain(
      `timed out after 200 ms; the plugin did not stop within 300 ms of being asked, so worker ${done.workerPid} was killed and is being restarted`,
    );
    expect(await exited).toMatchObject({ killedFor: 'timeout', signal: 'SIGKILL', restartInMs: 0 });
    expect(done.endedAt! - done.startedAt!).toBeGreaterThanOrEqual(480);
    await expectProcessesGone([done.workerPid!]);
    await expectHealthy(manager);
  });

  it('a synchronous infinite loop: only a kill stops it, and get_state does not hang meanwhile', async () => {
    const job = manager.submit('busy-loop', {}, { timeoutMs: 1_500 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [state] = await manager.getWorkerStates({ timeoutMs: 300 });
    expect(state?.state).toBe('busy');
    expect(state?.unanswered).toMatch(/did not answer "get_state" within 300 ms/);
    const done = await job.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.JOB_TIMEOUT);
    expect(done.error?.message).toContain(`so worker ${done.workerPid} was killed`);
    await expectProcessesGone([done.workerPid!]);
    await expectHealthy(manager);
  });

  it('stall detection: no progress and no chunk for stallMs counts as a hang', async () => {
    const job = manager.submit('hangs', { honourSignal: true }, { stallMs: 200 });
    const done = await job.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.JOB_STALLED);
    expect(done.error?.message).toContain(
      'reported no progress and streamed nothing for 200 ms; the plugin stopped when asked',
    );
    await expectHealthy(manager);
  });

  it('stall detection: a job that keeps streaming outlives stallMs', async () => {
    const job = manager.submit('stream', { count: 8, delayMs: 60 }, { stream: true, stallMs: 250 });
    let text = '';
    for await (const chunk of job) text += chunk;
    expect(text).toContain('chunk-7;');
    expect((await job.done).status).toBe('completed');
  });
});

describe('out of memory', () => {
  it('a plugin that exhausts the heap: the job fails saying the worker ran out of memory', async () => {
    const small = await startHarness({
      worker: { execArgv: ['--max-old-space-size=64'] },
      restart: { policy: 'always' },
    });
    try {
      const job = small.manager.submit('oom');
      const queued = small.manager.submit('echo', { text: 'after oom' });
      const done = await job.done;
      expect(done.status).toBe('failed');
      expect(done.error?.code).toBe(WorkerErrorCode.WORKER_CRASHED);
      expect(done.error?.message).toMatch(
        new RegExp(
          `worker ${done.workerPid} (was killed by SIGABRT|exited with code \\d+) after running out of memory`,
        ),
      );
      await expect(queued.result).resolves.toMatchObject({ text: 'after oom' });
      await expectProcessesGone([done.workerPid!]);
      await expectHealthy(small.manager);
    } finally {
      await small.close();
    }
  });
});
