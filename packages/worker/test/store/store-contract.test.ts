// What every job store does, memory and SQLite alike: the JobManager relies on exactly this.
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import type { JobStore } from '../../src/store/job-store.ts';
import { newJob, STORE_KINDS, storeFixture, WORKER } from './store-helpers.ts';

const failure = { code: WorkerErrorCode.PLUGIN_ERROR, message: 'boom' } as const;

describe.each(STORE_KINDS)('%s store', (kind) => {
  const fixture = storeFixture(kind);
  afterEach(() => fixture.cleanup());

  /** Claims until empty, returning the ids in claim order. */
  function drain(store: JobStore, now = Date.now()): string[] {
    const ids: string[] = [];
    for (let job = store.claimNext(now); job !== undefined; job = store.claimNext(now)) {
      ids.push(job.id);
    }
    return ids;
  }

  it('takes a job and hands back a frozen snapshot with an increasing seq', async () => {
    const store = await fixture.open();
    const first = store.insert(newJob({ params: { text: 'a' }, metadata: { user: 'u1' } }));
    const second = store.insert(newJob());
    expect(first.created).toBe(true);
    expect(first.job).toMatchObject({
      status: 'pending',
      params: { text: 'a' },
      metadata: { user: 'u1' },
      attempts: [],
    });
    expect(Object.isFrozen(first.job)).toBe(true);
    expect(second.job.seq).toBeGreaterThan(first.job.seq);
    expect(store.pendingCount).toBe(2);
    expect(store.get(first.job.id)).toEqual(first.job);
  });

  it('claims by priority (0 first), then in submission order', async () => {
    const store = await fixture.open();
    const ids = [5, 0, 1, 0, 5, 1].map(
      (priority, index) => store.insert(newJob({ id: `p${priority}-${index}`, priority })).job.id,
    );
    expect(ids).toHaveLength(6);
    expect(drain(store)).toEqual(['p0-1', 'p0-3', 'p1-2', 'p1-5', 'p5-0', 'p5-4']);
    // Claimed jobs stay pending until they start, and are not claimed twice.
    expect(store.pendingCount).toBe(6);
    expect(store.claimNext()).toBeUndefined();
  });

  it('holds a delayed job back until its runAt, then runs it by priority', async () => {
    const store = await fixture.open();
    const now = Date.now();
    store.insert(newJob({ id: 'late-urgent', priority: 0, runAt: now + 60_000 }));
    store.insert(newJob({ id: 'now-1', priority: 3 }));
    store.insert(newJob({ id: 'now-2', priority: 3 }));
    expect(store.claimNext(now)?.id).toBe('now-1');
    expect(store.nextRunAt()).toBeLessThanOrEqual(now + 60_000);
    expect(store.claimNext(now)?.id).toBe('now-2');
    expect(store.claimNext(now)).toBeUndefined();
    expect(store.nextRunAt()).toBe(now + 60_000);
    expect(store.claimNext(now + 59_999)).toBeUndefined();
    store.insert(newJob({ id: 'now-3', priority: 3 }));
    // Due now and more urgent: it goes first.
    expect(drain(store, now + 60_000)).toEqual(['late-urgent', 'now-3']);
    expect(store.nextRunAt()).toBeUndefined();
  });

  it('records attempts, progress and the outcome of a job', async () => {
    const store = await fixture.open();
    const { job } = store.insert(newJob({ maxAttempts: 3 }));
    store.claimNext();
    expect(store.markRunning(job.id, WORKER, 1_000)).toBe(true);
    expect(store.get(job.id)).toMatchObject({
      status: 'running',
      startedAt: 1_000,
      workerId: 'worker-1',
      workerPid: 4242,
      attempts: [{ startedAt: 1_000, endedAt: undefined, error: undefined }],
    });
    expect([store.pendingCount, store.runningCount]).toEqual([0, 1]);
    store.recordProgress(job.id, 0.5, 'half way');
    expect(store.get(job.id)).toMatchObject({ progress: 0.5, progressMessage: 'half way' });

    // A retry: the attempt ends with its error, the job waits for its runAt.
    expect(store.requeue(job.id, { runAt: 5_000, error: failure }, 2_000)).toBe(true);
    const retry = store.get(job.id);
    expect(retry).toMatchObject({ status: 'pending', runAt: 5_000 });
    expect(retry?.attempts).toEqual([
      { startedAt: 1_000, endedAt: 2_000, workerId: 'worker-1', workerPid: 4242, error: failure },
    ]);
    expect(store.claimNext(4_999)).toBeUndefined();
    expect(store.claimNext(5_000)?.id).toBe(job.id);
    store.markRunning(job.id, { workerId: 'worker-2', workerPid: 99 }, 6_000);
    expect(store.get(job.id)).toMatchObject({ progress: undefined, workerId: 'worker-2' });
    expect(store.finish(job.id, { status: 'completed', result: { text: 'ok' } }, 7_000)).toBe(true);
    const done = store.get(job.id);
    expect(done).toMatchObject({
      status: 'completed',
      result: { text: 'ok' },
      endedAt: 7_000,
      startedAt: 6_000,
    });
    expect(done?.attempts.map((attempt) => [attempt.endedAt, attempt.error?.code])).toEqual([
      [2_000, 'PLUGIN_ERROR'],
      [7_000, undefined],
    ]);
    expect([store.pendingCount, store.runningCount]).toEqual([0, 0]);
  });

  it('never runs a finished job again, and ignores transitions after the end', async () => {
    const store = await fixture.open();
    const { job } = store.insert(newJob());
    store.markRunning(job.id, WORKER);
    store.finish(job.id, { status: 'completed', result: { text: 'done' } });
    expect(store.requeue(job.id, { runAt: 0 })).toBe(false);
    expect(store.markRunning(job.id, WORKER)).toBe(false);
    expect(store.finish(job.id, { status: 'failed', error: failure })).toBe(false);
    expect(store.claimNext()).toBeUndefined();
    expect(store.get(job.id)?.status).toBe('completed');
  });

  it('cancels a queued job: it leaves the queue at once', async () => {
    const store = await fixture.open();
    const a = store.insert(newJob()).job;
    const b = store.insert(newJob()).job;
    const cancelled = { code: WorkerErrorCode.JOB_CANCELLED, message: 'cancelled' } as const;
    expect(store.finish(a.id, { status: 'cancelled', error: cancelled })).toBe(true);
    expect(store.get(a.id)?.status).toBe('cancelled');
    expect(drain(store)).toEqual([b.id]);
    expect(store.pendingCount).toBe(1);
  });

  it('puts a claimed job back in its place', async () => {
    const store = await fixture.open();
    const a = store.insert(newJob()).job;
    const b = store.insert(newJob()).job;
    expect(store.claimNext()?.id).toBe(a.id);
    store.requeue(a.id, { runAt: 0 });
    expect(drain(store)).toEqual([a.id, b.id]);
    expect(store.get(a.id)?.attempts).toEqual([]);
  });

  it('returns the existing job for an id it holds (idempotent submit)', async () => {
    const store = await fixture.open();
    const first = store.insert(newJob({ id: 'order-7', params: { n: 1 } }));
    const again = store.insert(newJob({ id: 'order-7', params: { n: 2 } }));
    expect(again).toEqual({ job: first.job, created: false });
    store.markRunning('order-7', WORKER);
    store.finish('order-7', { status: 'completed', result: { n: 1 } });
    store.flush();
    const later = store.insert(newJob({ id: 'order-7', params: { n: 3 } }));
    expect(later.created).toBe(false);
    expect(later.job).toMatchObject({ status: 'completed', params: { n: 1 } });
    expect(store.pendingCount).toBe(0);
  });

  it('keeps submittedAt from going back, so time ranges stay seq ranges', async () => {
    const store = await fixture.open();
    store.insert(newJob({ id: 'a', submittedAt: 10_000 }));
    const stepped = store.insert(newJob({ id: 'b', submittedAt: 9_000 })).job;
    expect(stepped.submittedAt).toBe(10_000);
  });

  it('recovers nothing when nothing was left running', async () => {
    const store = await fixture.open();
    store.insert(newJob());
    expect(store.recover('retry')).toEqual({ requeued: [], failed: [], pending: 1 });
  });

  it('refuses use after close', async () => {
    const store = await fixture.open();
    await store.close();
    await store.close();
    expect(() => store.insert(newJob())).toThrow(
      expect.objectContaining({ code: WorkerErrorCode.INVALID_STATE }),
    );
    expect(() => store.list()).toThrow(/is closed/);
  });

  describe('history', () => {
    /** 40 jobs: plugins a/b alternating, statuses cycling; submittedAt 1000, 2000, … */
    async function seeded(): Promise<JobStore> {
      const store = await fixture.open();
      for (let index = 0; index < 40; index++) {
        const { job } = store.insert(
          newJob({
            id: `h${index}`,
            plugin: index % 2 === 0 ? 'a' : 'b',
            submittedAt: (index + 1) * 1000,
          }),
        );
        const status = ['completed', 'failed', 'cancelled', 'pending', 'running'][index % 5];
        if (status === 'pending') continue;
        store.claimNext();
        store.markRunning(job.id, WORKER);
        if (status === 'completed') store.finish(job.id, { status, result: { index } });
        if (status === 'failed') store.finish(job.id, { status, error: failure });
        if (status === 'cancelled') {
          store.finish(job.id, {
            status,
            error: { code: WorkerErrorCode.JOB_CANCELLED, message: 'x' },
          });
        }
      }
      return store;
    }

    /** Every page of a query, following the cursor. */
    function allPages(store: JobStore, filter: Parameters<JobStore['list']>[0]): string[][] {
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = store.list({ ...filter, cursor });
        pages.push(page.jobs.map((job) => job.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined && pages.length < 100);
      return pages;
    }

    it('lists the newest first, 50 to a page by default', async () => {
      const store = await seeded();
      const page = store.list();
      expect(page.jobs.map((job) => job.id)).toEqual(
        Array.from({ length: 40 }, (_, index) => `h${39 - index}`),
      );
      expect(page.nextCursor).toBeUndefined();
      expect(page.jobs.find((job) => job.id === 'h0')).toMatchObject({
        status: 'completed',
        result: { index: 0 },
      });
    });

    it('filters by status, plugin and time range, and pages with a cursor', async () => {
      const store = await seeded();
      expect(allPages(store, { status: 'failed', limit: 3 })).toEqual([
        ['h36', 'h31', 'h26'],
        ['h21', 'h16', 'h11'],
        ['h6', 'h1'],
      ]);
      expect(allPages(store, { status: ['pending', 'running'], plugin: 'a', limit: 4 })).toEqual([
        ['h38', 'h34', 'h28', 'h24'],
        ['h18', 'h14', 'h8', 'h4'],
      ]);
      // submittedAt in [5000, 9000): h4…h7.
      expect(allPages(store, { since: 5_000, until: 9_000, order: 'oldest', limit: 3 })).toEqual([
        ['h4', 'h5', 'h6'],
        ['h7'],
      ]);
      expect(allPages(store, { plugin: 'b', since: 30_000, status: 'completed' })).toEqual([
        ['h35'],
      ]);
      expect(store.list({ plugin: 'nobody' })).toEqual({ jobs: [], nextCursor: undefined });
    });

    it('pages through everything once, in both orders, whatever the page size', async () => {
      const store = await seeded();
      for (const order of ['newest', 'oldest'] as const) {
        for (const limit of [1, 7, 40, 1000]) {
          const ids = allPages(store, { order, limit }).flat();
          expect(ids).toHaveLength(40);
          expect(new Set(ids).size).toBe(40);
          expect(ids[0]).toBe(order === 'newest' ? 'h39' : 'h0');
        }
      }
    });

    it('rejects a malformed query with a message that names the field', async () => {
      const store = await seeded();
      const code = WorkerErrorCode.INVALID_QUERY;
      expect(() => store.list({ cursor: 'garbage!' })).toThrow(expect.objectContaining({ code }));
      const { nextCursor } = store.list({ limit: 5 });
      // A cursor of one direction does not serve the other.
      expect(() => store.list({ cursor: nextCursor, order: 'oldest' })).toThrow(
        /not one listJobs returned/,
      );
      expect(() => store.list({ limit: 0 })).toThrow(/"limit"/);
      expect(() => store.list({ limit: 1001 })).toThrow(/"limit"/);
      expect(() => store.list({ status: 'done' as never })).toThrow(/"status".*"done"/);
      expect(() => store.list({ since: 5, until: 1 })).toThrow(/"since"/);
    });

    it('prunes finished jobs by count and by age, per status, never live ones', async () => {
      const store = await seeded();
      const now = Date.now();
      expect(await store.prune({ completed: { maxCount: 2 } }, now)).toEqual({
        completed: 6,
        failed: 0,
        cancelled: 0,
      });
      expect(store.list({ status: 'completed' }).jobs.map((job) => job.id)).toEqual(['h35', 'h30']);
      expect(store.get('h0')).toBeUndefined();
      // Every failed job ended before `now`; cancelled ones have no rule and stay.
      expect(
        await store.prune({ failed: { maxAgeMs: 0 }, completed: { maxAgeMs: 60_000 } }, now + 1),
      ).toEqual({
        completed: 0,
        failed: 8,
        cancelled: 0,
      });
      expect(store.list({ status: ['pending', 'running', 'cancelled'] }).jobs).toHaveLength(24);
      expect(store.list().jobs).toHaveLength(26);
    });
  });
});
