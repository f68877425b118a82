// A SQLite store writes a flush's rows many to a statement (new rows, updates of live jobs,
// finishes, each in groups of 64, 16, 4 and 1). Whatever the mix and the count, every job must
// read back from the file exactly as the store had it.
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import type { JobStore } from '../../src/store/job-store.ts';
import type { StoredJob } from '../../src/store/stored-job.ts';
import { newJob, storeFixture, WORKER } from './store-helpers.ts';

const failure = { code: WorkerErrorCode.PLUGIN_ERROR, message: 'Plugin "echo" failed: boom' };

/** Every job's snapshot, by id. */
function snapshots(store: JobStore, ids: readonly string[]): (StoredJob | undefined)[] {
  return ids.map((id) => store.get(id));
}

describe('SQLite store, rows written in groups', () => {
  const fixture = storeFixture('sqlite');
  afterEach(() => fixture.cleanup());

  // 1, 3: below the smallest group; 4, 16, 64: one group each; 85, 150: every size at once.
  it.each([1, 3, 4, 16, 64, 85, 150])(
    'reads back %i jobs of each kind of write as they were',
    async (count) => {
      let store = await fixture.open();
      const ids: string[] = [];
      const add = (prefix: string, overrides = {}) => {
        const id = `${prefix}-${ids.length}`;
        ids.push(id);
        store.insert(newJob({ id, ...overrides }));
        return id;
      };
      // First flush: new rows of every shape. Never started; started before their first
      // write (a full insert of a running job); finished before it, completed, failed and
      // cancelled while pending.
      const pending: string[] = [];
      const toStart: string[] = [];
      const toFinish: string[] = [];
      for (let i = 0; i < count; i++) {
        pending.push(add('pending', { params: { i, text: 'é "q"' }, priority: i % 3 }));
        toStart.push(add('start', { maxAttempts: 2 }));
        toFinish.push(add('finish', { timeoutMs: 1_000 + i }));
        const running = add('running', { maxAttempts: 3, stallMs: 500 });
        store.markRunning(running, WORKER, 1_000 + i);
        store.recordProgress(running, 0.25, i % 2 === 0 ? `step ${i}` : undefined);
        const done = add('done');
        store.markRunning(done, WORKER, 2_000 + i);
        store.finish(done, { status: 'completed', result: { i, list: [1, null] } }, 2_500 + i);
        const failed = add('failed', { maxAttempts: 2 });
        store.markRunning(failed, WORKER, 3_000 + i);
        store.finish(failed, { status: 'failed', error: failure }, 3_100 + i);
        const cancelled = add('cancelled');
        store.finish(cancelled, { status: 'cancelled', error: failure }, 4_000 + i);
      }
      store.flush();
      // Second flush: updates of stored rows, live (started, requeued) and finishing.
      for (let i = 0; i < count; i++) {
        store.markRunning(toStart[i]!, WORKER, 5_000 + i);
        if (i % 2 === 0) store.requeue(toStart[i]!, { runAt: 9_000 + i, error: failure }, 5_100);
        store.markRunning(toFinish[i]!, WORKER, 6_000 + i);
        store.finish(toFinish[i]!, { status: 'completed', result: { ok: i } }, 6_500 + i);
      }
      store.flush();
      const before = snapshots(store, ids);
      expect(before.every((job) => job !== undefined)).toBe(true);
      await store.close();
      store = await fixture.open();
      expect(snapshots(store, ids)).toEqual(before);
      const listed: string[] = [];
      let cursor: string | undefined;
      do {
        const page = store.list({ order: 'oldest', limit: 500, cursor });
        listed.push(...page.jobs.map((job) => job.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      expect(listed).toEqual(ids);
    },
  );
});
