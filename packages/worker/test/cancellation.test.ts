// Cancellation: queued jobs go at once; running ones are asked first (AbortSignal) and their
// worker is killed and restarted if they do not stop within the grace period.
import { JobError, type JobManager, WorkerErrorCode, type WorkerExitEvent } from '@plugwork/worker';
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
    maxLoadedPlugins: 3,
    timeouts: { cancelGraceMs: 400 },
    stream: { windowChars: 16_384 },
    restart: { baseDelayMs: 20, maxCrashes: 100 },
  });
  manager = harness.manager;
});

afterAll(async () => {
  await harness.close();
});

describe('cancel', () => {
  it('a queued job is removed at once and never runs', async () => {
    const running = manager.submit('sleep', { ms: 600 });
    const queued = manager.submit('echo', { text: 'never' });
    expect(queued.status).toBe('pending');
    const cancelledEvent = nextEvent(manager, 'job:cancelled');
    const before = Date.now();
    await expect(queued.cancel()).resolves.toBe(true);
    expect(Date.now() - before).toBeLessThan(300);
    const done = await queued.done;
    expect(done).toMatchObject({ status: 'cancelled', startedAt: undefined, workerPid: undefined });
    expect(done.error).toEqual({
      code: WorkerErrorCode.JOB_CANCELLED,
      message: `Job ${queued.id} (plugin "echo") was cancelled while it was queued`,
    });
    expect(await cancelledEvent).toMatchObject({ id: queued.id });
    const error = await queued.result.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).code).toBe(WorkerErrorCode.JOB_CANCELLED);
    await expect(running.result).resolves.toBeDefined();
    expect(manager.stats().queued).toBe(0);
  });

  it('a running job that honours its signal stops cooperatively; the worker stays', async () => {
    const job = manager.submit('hangs', { honourSignal: true });
    const pid = job.snapshot().workerPid;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(job.cancel()).resolves.toBe(true);
    const done = await job.done;
    expect(done.status).toBe('cancelled');
    expect(done.error?.message).toBe(
      `Job ${job.id} (plugin "hangs") was cancelled; the plugin stopped when asked`,
    );
    await expectHealthy(manager);
    expect(manager.listJobs().at(-1)?.workerPid).toBe(pid);
  });

  it('a plugin that honours its signal by returning early ends the job cancelled, not completed', async () => {
    // Streaming: the generator simply stops yielding once the signal fires.
    const streaming = manager.submit('stops-early', {}, { stream: true });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const chunk of streaming.stream()) {
        seen.push(chunk);
        if (seen.length === 1) void streaming.cancel();
      }
    })();
    await expect(reading).rejects.toBeInstanceOf(JobError);
    expect(seen.join('')).toMatch(/^tick-0;/);
    expect(await streaming.done).toMatchObject({
      status: 'cancelled',
      error: { code: WorkerErrorCode.JOB_CANCELLED },
    });

    // Plain: execute resolves with a value once the signal fires (the plugin is loaded by now).
    const plain = manager.submit('stops-early');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(plain.cancel()).resolves.toBe(true);
    const done = await plain.done;
    expect(done).toMatchObject({ status: 'cancelled', result: undefined });
    expect(done.error?.message).toBe(
      `Job ${plain.id} (plugin "stops-early") was cancelled; the plugin stopped when asked`,
    );
    await expectHealthy(manager);
  });

  it('a running job that ignores its signal: the worker is killed after the grace period and restarted', async () => {
    const job = manager.submit('hangs');
    const exited = nextEvent<WorkerExitEvent>(manager, 'worker:exited');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(manager.cancel(job.id)).resolves.toBe(true);
    const done = await job.done;
    expect(done.status).toBe('cancelled');
    expect(done.error?.message).toBe(
      `Job ${job.id} (plugin "hangs") was cancelled; the plugin did not stop within 400 ms of being asked, so worker ${done.workerPid} was killed and is being restarted`,
    );
    expect(done.endedAt! - done.startedAt!).toBeGreaterThanOrEqual(400);
    expect(await exited).toMatchObject({
      killedFor: 'cancel',
      pid: done.workerPid,
      willRestart: true,
    });
    await expectProcessesGone([done.workerPid!]);
    await expectHealthy(manager);
  });

  it('a synchronous infinite loop is cancelled by killing its worker', async () => {
    const job = manager.submit('busy-loop');
    const queued = manager.submit('echo', { text: 'next' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(job.cancel()).resolves.toBe(true);
    const done = await job.done;
    expect(done.status).toBe('cancelled');
    expect(done.error?.message).toContain(`so worker ${done.workerPid} was killed`);
    await expect(queued.result).resolves.toMatchObject({ text: 'next' });
    await expectProcessesGone([done.workerPid!]);
    await expectHealthy(manager);
  });

  it('a streaming job: the iterator ends with the cancellation error after the chunks so far', async () => {
    const job = manager.submit('stream', { count: 1_000, delayMs: 10 }, { stream: true });
    const chunks: string[] = [];
    const error = await (async () => {
      for await (const chunk of job) {
        chunks.push(chunk);
        if (chunks.length === 3) void job.cancel();
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).code).toBe(WorkerErrorCode.JOB_CANCELLED);
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.join('').startsWith('chunk-0;chunk-1;')).toBe(true);
    expect((await job.done).error?.message).toContain('the plugin stopped when asked');
  });

  it('a stream paused by backpressure is woken up to stop, cooperatively', async () => {
    const pid = manager.listJobs().at(-1)?.workerPid;
    const job = manager.submit('flood', { size: 1_000 }, { stream: true });
    const iterator = job.stream();
    await iterator.next();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(job.cancel()).resolves.toBe(true);
    expect((await job.done).error?.message).toContain('the plugin stopped when asked');
    expect((await job.done).workerPid).toBe(pid);
    await expectHealthy(manager);
  });

  it('a job whose plugin is still loading is cancelled at once; the worker finishes the load', async () => {
    await manager.reloadPlugin('slow-setup', { delayMs: 400 });
    await manager.unloadPlugin('slow-setup');
    const job = manager.submit('slow-setup');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = Date.now();
    await expect(job.cancel()).resolves.toBe(true);
    expect(Date.now() - before).toBeLessThan(200);
    expect((await job.done).error?.message).toBe(
      `Job ${job.id} (plugin "slow-setup") was cancelled while its plugin was loading`,
    );
    await expectHealthy(manager);
  });

  it('cancelling a finished or unknown job changes nothing', async () => {
    const job = manager.submit('noop');
    await job.done;
    await expect(job.cancel()).resolves.toBe(false);
    await expect(manager.cancel('no-such-job')).resolves.toBe(false);
    expect((await job.done).status).toBe('completed');
  });
});
