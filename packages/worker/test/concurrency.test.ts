import { WorkerErrorCode } from '@plugwork/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { expectProcessesGone, type Harness, startHarness } from './helpers.ts';

// A plugin that declares concurrency n runs up to n jobs at once in one worker process; each
// job keeps its own signal, timeout, progress and outcome.

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

interface IoResult {
  pid: number;
  started: number;
  ended: number;
}

describe('many jobs at once on one worker', () => {
  it('runs ten 300 ms jobs at the same time on one process (timing and overlap)', async () => {
    harness = await startHarness({ poolSize: 1 });
    const began = Date.now();
    const jobs = Array.from({ length: 10 }, () => harness!.manager.submit('io', { ms: 300 }));
    const results = (await Promise.all(jobs.map((job) => job.result))) as unknown as IoResult[];
    const elapsed = Date.now() - began;
    // One after another they would take 3 s.
    expect(elapsed).toBeLessThan(1_500);
    expect(new Set(results.map((result) => result.pid)).size).toBe(1);
    // Every job started before any ended: they overlapped.
    const lastStart = Math.max(...results.map((result) => result.started));
    const firstEnd = Math.min(...results.map((result) => result.ended));
    expect(lastStart).toBeLessThan(firstEnd);
    expect(harness.manager.stats().plugins.io?.completed).toBe(10);
  });

  it('runs no more than the declared concurrency at once; the rest wait their turn', async () => {
    harness = await startHarness({ poolSize: 1 });
    const jobs = Array.from({ length: 15 }, () => harness!.manager.submit('io', { ms: 200 }));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(harness.manager.listJobs({ status: 'running' })).toHaveLength(10);
    const results = (await Promise.all(jobs.map((job) => job.result))) as unknown as IoResult[];
    const secondWave = results.slice(10);
    const firstWaveEnd = Math.min(...results.slice(0, 10).map((result) => result.ended));
    for (const result of secondWave) expect(result.started).toBeGreaterThanOrEqual(firstWaveEnd);
  });

  it('a deployment caps what a plugin declares (maxConcurrency)', async () => {
    harness = await startHarness({ poolSize: 1, maxConcurrency: 2 });
    const jobs = Array.from({ length: 4 }, () => harness!.manager.submit('io', { ms: 200 }));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(harness.manager.listJobs({ status: 'running' })).toHaveLength(2);
    await Promise.all(jobs.map((job) => job.result));
  });

  it('cancelling one leaves the others untouched', async () => {
    harness = await startHarness({ poolSize: 1 });
    const jobs = Array.from({ length: 5 }, () => harness!.manager.submit('io', { ms: 300 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await jobs[2]!.cancel()).toBe(true);
    const done = await Promise.all(jobs.map((job) => job.done));
    expect(done.map((job) => job.status)).toEqual([
      'completed',
      'completed',
      'cancelled',
      'completed',
      'completed',
    ]);
    expect(new Set(done.map((job) => job.workerPid)).size).toBe(1);
  });

  it('timeouts are per job: the slow one times out, the quick ones beside it complete', async () => {
    harness = await startHarness({ poolSize: 1 });
    const quick = Array.from({ length: 3 }, () => harness!.manager.submit('io', { ms: 100 }));
    const slow = harness.manager.submit('io', { ms: 5_000 }, { timeoutMs: 250 });
    const [slowDone, ...quickDone] = await Promise.all([slow.done, ...quick.map((j) => j.done)]);
    expect(slowDone!.status).toBe('failed');
    expect(slowDone!.error?.code).toBe(WorkerErrorCode.JOB_TIMEOUT);
    expect(slowDone!.error?.message).toContain('the plugin stopped when asked');
    expect(quickDone.map((job) => job.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it('a job that ignores its cancel: the worker takes no more jobs, the others get the grace period, then the kill', async () => {
    harness = await startHarness({ poolSize: 1, timeouts: { cancelGraceMs: 300 } });
    const { manager } = harness;
    const stubborn = manager.submit('io', { ms: 60_000, ignoreSignal: true });
    const finishesInGrace = manager.submit('io', { ms: 400 });
    const outlivesGrace = manager.submit('io', { ms: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    void stubborn.cancel();
    const [stubbornDone, graceDone, outlivedDone] = await Promise.all([
      stubborn.done,
      finishesInGrace.done,
      outlivesGrace.done,
    ]);
    expect(stubbornDone.status).toBe('cancelled');
    expect(stubbornDone.error?.message).toMatch(/did not stop within 300 ms .* was killed/);
    expect(graceDone.status).toBe('completed');
    expect(outlivedDone.status).toBe('failed');
    expect(outlivedDone.error?.code).toBe(WorkerErrorCode.WORKER_CRASHED);
    expect(outlivedDone.error?.message).toContain(`because job ${stubborn.id}`);
    await expectProcessesGone([stubbornDone.workerPid!]);
    // The replacement serves.
    await expect(manager.submit('echo', { text: 'after' }).result).resolves.toMatchObject({
      text: 'after',
    });
  });

  it('a crash fails every job the worker had started and re-queues those it had not', async () => {
    harness = await startHarness({ poolSize: 1, restart: { baseDelayMs: 0 } });
    const { manager } = harness;
    const running = Array.from({ length: 3 }, () => manager.submit('io', { ms: 60_000 }));
    // Concurrency-1 jobs behind them are sent ahead (prefetched) but cannot start beside them.
    const waiting = Array.from({ length: 2 }, (_, index) =>
      manager.submit('echo', { text: `w${index}` }),
    );
    await new Promise((resolve) => setTimeout(resolve, 80));
    const [state] = await manager.getWorkerStates();
    expect(state?.runningJobIds.sort()).toEqual(running.map((job) => job.id).sort());
    process.kill(state!.pid!, 'SIGKILL');
    const done = await Promise.all(running.map((job) => job.done));
    expect(done.map((job) => job.error?.code)).toEqual([
      WorkerErrorCode.WORKER_CRASHED,
      WorkerErrorCode.WORKER_CRASHED,
      WorkerErrorCode.WORKER_CRASHED,
    ]);
    const after = await Promise.all(waiting.map((job) => job.done));
    expect(after.map((job) => job.status)).toEqual(['completed', 'completed']);
    expect(after.every((job) => job.workerPid !== state!.pid)).toBe(true);
  });
});
