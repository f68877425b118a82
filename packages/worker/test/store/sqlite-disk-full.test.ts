// A write that does not fit fails the jobs it would have stored, clearly, and loses nothing
// that was stored before. Two ways to fill the disk: the store's own size cap (SQLite's
// max_page_count, everywhere) and a real, tiny tmpfs (as root on Linux).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type JobStoreError, WorkerErrorCode } from '../../src/errors.ts';
import type { JobStore } from '../../src/store/job-store.ts';
import { openJobStore } from '../../src/store/open-store.ts';
import type { StoredJob } from '../../src/store/stored-job.ts';
import { newJob, tempDir, WORKER } from './store-helpers.ts';

const canMount = process.getuid?.() === 0 && process.platform === 'linux';

describe('SQLite store on a full disk', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  function recorder() {
    const errors: JobStoreError[] = [];
    const rejected: StoredJob[] = [];
    return {
      errors,
      rejected,
      onWriteError: (error: JobStoreError, jobs: readonly StoredJob[]) => {
        errors.push(error);
        rejected.push(...jobs);
      },
    };
  }

  const big = (index: number) =>
    newJob({ id: `big-${index}`, params: { blob: 'x'.repeat(4_000) } });

  it('over its size cap: the batch that does not fit is refused, what was stored is kept', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    const file = join(temp.dir, 'jobs.db');
    const seen = recorder();
    let store: JobStore = await openJobStore({ sqlite: file, maxSizeBytes: 96 * 1024 }, seen);
    for (let index = 0; index < 5; index++) store.insert(newJob({ id: `kept-${index}` }));
    store.flush();
    expect(seen.errors).toEqual([]);

    // One change to a stored job and forty new jobs that cannot all fit, in one batch.
    store.markRunning('kept-0', WORKER);
    for (let index = 0; index < 40; index++) store.insert(big(index));
    expect(store.pendingCount).toBe(44);
    expect(() => store.flush()).toThrow(
      expect.objectContaining({ code: WorkerErrorCode.STORE_FULL }),
    );
    expect(seen.errors[0]?.message).toMatch(
      new RegExp(
        `The job store file ${file} could not be written: .*full.*Jobs stored before are kept`,
      ),
    );
    expect(seen.rejected.map((job) => job.id)).toEqual(
      Array.from({ length: 40 }, (_, index) => `big-${index}`),
    );
    expect(store.get('big-0')).toBeUndefined();
    expect([store.pendingCount, store.runningCount]).toEqual([4, 1]);
    expect(store.list().jobs.map((job) => job.id)).toEqual([
      'kept-4',
      'kept-3',
      'kept-2',
      'kept-1',
      'kept-0',
    ]);

    // While writes fail, a new job is written at once, so a submit that does not fit fails.
    const huge = newJob({ id: 'huge', params: { blob: 'x'.repeat(200_000) } });
    expect(() => store.insert(huge)).toThrow(
      expect.objectContaining({ code: WorkerErrorCode.STORE_FULL }),
    );
    expect(store.get('huge')).toBeUndefined();
    expect(store.pendingCount).toBe(4);

    // Stored jobs go on changing: their updates still fit.
    store.finish('kept-0', { status: 'completed', result: { text: 'done' } });
    await store.close();
    store = await openJobStore({ sqlite: file });
    expect(store.list().jobs.map((job) => [job.id, job.status])).toEqual([
      ['kept-4', 'pending'],
      ['kept-3', 'pending'],
      ['kept-2', 'pending'],
      ['kept-1', 'pending'],
      ['kept-0', 'completed'],
    ]);
    await store.close();
  });

  it('goes back to batching once a write fits again', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    const seen = recorder();
    const store = await openJobStore(
      { sqlite: join(temp.dir, 'jobs.db'), maxSizeBytes: 64 * 1024 },
      seen,
    );
    cleanups.push(() => void store.close());
    for (let index = 0; index < 30; index++) store.insert(big(index));
    expect(() => store.flush()).toThrow(/could not be written/);
    // A small job fits: written at once, and the store is healthy again.
    expect(store.insert(newJob({ id: 'small' })).created).toBe(true);
    store.insert(newJob({ id: 'small-2' }));
    store.flush();
    expect(store.list().jobs.map((job) => job.id)).toEqual(['small-2', 'small']);
    expect(seen.errors).toHaveLength(1);
  });

  it.runIf(canMount)('on a real file system that fills up (a 512 KiB tmpfs)', async () => {
    const temp = tempDir();
    cleanups.push(temp.remove);
    const mountPoint = join(temp.dir, 'small');
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mountPoint]);
    cleanups.push(() => execFileSync('umount', [mountPoint]));
    const file = join(mountPoint, 'jobs.db');
    const seen = recorder();
    let store: JobStore = await openJobStore({ sqlite: file }, seen);
    for (let index = 0; index < 5; index++) store.insert(newJob({ id: `kept-${index}` }));
    store.flush();
    let batches = 0;
    while (seen.errors.length === 0 && batches < 100) {
      for (let index = 0; index < 10; index++) store.insert(big(batches * 10 + index));
      batches++;
      try {
        store.flush();
      } catch {
        // Recorded by the hook.
      }
    }
    expect(seen.errors[0]?.code).toBe(WorkerErrorCode.STORE_FULL);
    expect(seen.rejected.length).toBeGreaterThan(0);
    const storedBig = batches * 10 - seen.rejected.length;
    expect(store.list({ limit: 1000 }).jobs).toHaveLength(5 + storedBig);
    await store.close().catch(() => {});
    store = await openJobStore({ sqlite: file, quickCheck: true });
    const ids = store.list({ limit: 1000, order: 'oldest' }).jobs.map((job) => job.id);
    expect(ids.slice(0, 5)).toEqual(['kept-0', 'kept-1', 'kept-2', 'kept-3', 'kept-4']);
    expect(ids).toHaveLength(5 + storedBig);
    expect(ids.some((id) => seen.rejected.some((job) => job.id === id))).toBe(false);
    await store.close().catch(() => {});
  });
});
