// What a SQLite store keeps across a restart of its host, and what it does with the jobs the
// previous host left running.
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import type { JobStore } from '../../src/store/job-store.ts';
import { newJob, storeFixture, WORKER } from './store-helpers.ts';

describe('SQLite store across restarts', () => {
  const fixture = storeFixture('sqlite');
  afterEach(() => fixture.cleanup());

  async function restart(store: JobStore): Promise<JobStore> {
    await store.close();
    return fixture.open();
  }

  it('keeps queued jobs with their params, options and order', async () => {
    let store = await fixture.open();
    const later = Date.now() + 3_600_000;
    store.insert(
      newJob({
        id: 'q1',
        params: { text: 'é ✓ "quoted"', nested: { list: [1, null, true] } },
        metadata: { user: 'u1' },
        stream: true,
        timeoutMs: 1_500,
        stallMs: 700,
        maxAttempts: 3,
        backoff: { type: 'exponential', delayMs: 100, maxDelayMs: 1_000 },
      }),
    );
    store.insert(newJob({ id: 'q2', priority: 2 }));
    store.insert(newJob({ id: 'q3', priority: 1 }));
    store.insert(newJob({ id: 'delayed', runAt: later }));
    const before = ['q1', 'q2', 'q3', 'delayed'].map((id) => store.get(id));
    store = await restart(store);
    expect(['q1', 'q2', 'q3', 'delayed'].map((id) => store.get(id))).toEqual(before);
    expect(store.pendingCount).toBe(4);
    expect(store.recover('retry')).toEqual({ requeued: [], failed: [], pending: 4 });
    const order: string[] = [];
    for (let job = store.claimNext(); job; job = store.claimNext()) order.push(job.id);
    expect(order).toEqual(['q1', 'q3', 'q2']);
    expect(store.nextRunAt()).toBe(later);
    expect(store.claimNext(later)?.id).toBe('delayed');
  });

  it('keeps the history of finished jobs: status, result, error, times, progress, attempts, worker', async () => {
    let store = await fixture.open();
    const failure = { code: WorkerErrorCode.PLUGIN_ERROR, message: 'Plugin "echo" failed: boom' };
    const a = store.insert(newJob({ id: 'done', maxAttempts: 2 })).job;
    store.markRunning(a.id, WORKER, 10);
    store.requeue(a.id, { runAt: 20, error: failure }, 15);
    store.markRunning(a.id, { workerId: 'worker-2', workerPid: 7 }, 20);
    store.recordProgress(a.id, 0.75, 'nearly');
    store.finish(a.id, { status: 'completed', result: { text: 'ok', metadata: { n: 1 } } }, 30);
    const b = store.insert(newJob({ id: 'broken' })).job;
    store.markRunning(b.id, WORKER, 40);
    store.finish(b.id, { status: 'failed', error: failure }, 50);
    const before = [store.get('done'), store.get('broken')];
    store = await restart(store);
    expect([store.get('done'), store.get('broken')]).toEqual(before);
    expect(store.get('done')).toMatchObject({
      status: 'completed',
      progress: 0.75,
      progressMessage: 'nearly',
      workerId: 'worker-2',
      workerPid: 7,
      startedAt: 20,
      endedAt: 30,
      attempts: [
        { startedAt: 10, endedAt: 15, workerId: 'worker-1', error: failure },
        { startedAt: 20, endedAt: 30, workerId: 'worker-2', error: undefined },
      ],
    });
    expect(store.list({ status: 'failed' }).jobs.map((job) => job.id)).toEqual(['broken']);
  });

  it('runs a job left running again when it has attempts left, else fails it with HOST_RESTARTED', async () => {
    let store = await fixture.open();
    for (const [id, maxAttempts] of [
      ['once', 1],
      ['twice', 2],
      ['done', 2],
    ] as const) {
      store.insert(newJob({ id, maxAttempts }));
      store.claimNext();
      store.markRunning(id, WORKER, 100);
    }
    store.finish('done', { status: 'completed', result: { text: 'kept' } }, 200);
    store.insert(newJob({ id: 'waiting' }));
    store = await restart(store);
    expect(store.runningCount).toBe(2);
    const report = store.recover('retry', 1_000);
    expect(report.requeued.map((job) => job.id)).toEqual(['twice']);
    expect(report.failed.map((job) => job.id)).toEqual(['once']);
    expect(report.pending).toBe(2);
    expect(store.get('once')).toMatchObject({
      status: 'failed',
      endedAt: 1_000,
      error: { code: WorkerErrorCode.HOST_RESTARTED },
      attempts: [{ endedAt: 1_000, error: { code: WorkerErrorCode.HOST_RESTARTED } }],
    });
    expect(store.get('once')?.error?.message).toMatch(
      /Job once \(plugin "echo"\) was running when its host stopped .*1 of 1 attempt used/,
    );
    expect(store.get('twice')).toMatchObject({
      status: 'pending',
      attempts: [{ endedAt: 1_000, error: { code: WorkerErrorCode.HOST_RESTARTED } }],
    });
    // The completed job is untouched and never offered again.
    expect(store.get('done')).toMatchObject({ status: 'completed', result: { text: 'kept' } });
    const order: string[] = [];
    for (let job = store.claimNext(); job; job = store.claimNext()) order.push(job.id);
    expect(order).toEqual(['twice', 'waiting']);
    // Recovery happens once; its result is on disk.
    expect(store.recover('retry')).toEqual({ requeued: [], failed: [], pending: 2 });
    store = await restart(store);
    expect(store.get('once')?.status).toBe('failed');
    expect(store.get('twice')?.status).toBe('pending');
  });

  it('fails every job left running under the "fail" policy, attempts left or not', async () => {
    let store = await fixture.open();
    store.insert(newJob({ id: 'retryable', maxAttempts: 5 }));
    store.markRunning('retryable', WORKER);
    store = await restart(store);
    const report = store.recover('fail');
    expect(report.failed.map((job) => job.id)).toEqual(['retryable']);
    expect(store.get('retryable')?.error?.message).toMatch(/1 of 5 attempts used/);
    expect(store.claimNext()).toBeUndefined();
  });

  it('never reuses a seq, even after the newest jobs were pruned', async () => {
    let store = await fixture.open();
    for (const id of ['a', 'b', 'c']) {
      store.insert(newJob({ id }));
      store.finish(id, {
        status: 'cancelled',
        error: { code: WorkerErrorCode.JOB_CANCELLED, message: 'x' },
      });
    }
    const lastSeq = store.get('c')!.seq;
    await store.prune({ cancelled: { maxCount: 0 } });
    expect(store.list().jobs).toEqual([]);
    store = await restart(store);
    expect(store.insert(newJob({ id: 'd' })).job.seq).toBeGreaterThan(lastSeq);
  });

  it('commits changes by itself within flushMs, without flush() or close()', async () => {
    const store = await fixture.open({ flushMs: 20 });
    store.insert(newJob({ id: 'x' }));
    // Another connection cannot read the file (the store holds it exclusively), so look at the
    // WAL: it grows once the batch is committed.
    const { statSync, existsSync } = await import('node:fs');
    const walSize = () =>
      existsSync(`${fixture.file}-wal`) ? statSync(`${fixture.file}-wal`).size : 0;
    const before = walSize();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(walSize()).toBeGreaterThan(before);
  });
});
