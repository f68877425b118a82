// 100,000 stored jobs: a page of 50 by any filter comes back in milliseconds, and pruning them
// lets the event loop run. (pnpm bench measures the page time precisely; here the bound is
// loose, because other test suites share the machine's two cores.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import type { JobStore, ListJobsFilter } from '../../src/store/job-store.ts';
import { newJob, STORE_KINDS, storeFixture, WORKER } from './store-helpers.ts';

const JOBS = 100_000;
const START = Date.UTC(2026, 0, 1);

/** Fills a store: 20 plugins; statuses completed, failed, cancelled, completed, …; 10 pending at the end. */
function fill(store: JobStore): void {
  const failure = { code: WorkerErrorCode.PLUGIN_ERROR, message: 'Plugin failed: boom' };
  for (let index = 0; index < JOBS; index++) {
    const submittedAt = START + index * 1000;
    const { job } = store.insert(
      newJob({
        id: `j${index}`,
        plugin: `plugin-${index % 20}`,
        submittedAt,
        runAt: submittedAt,
        params: { index },
      }),
    );
    if (index >= JOBS - 10) continue;
    store.claimNext();
    store.markRunning(job.id, WORKER, submittedAt + 1);
    const kind = index % 4;
    if (kind === 1) store.finish(job.id, { status: 'failed', error: failure }, submittedAt + 2);
    else if (kind === 2)
      store.finish(job.id, { status: 'cancelled', error: failure }, submittedAt + 2);
    else
      store.finish(job.id, { status: 'completed', result: { text: `r${index}` } }, submittedAt + 2);
  }
  store.flush();
}

/** Median milliseconds of `runs` calls. */
function medianMs(runs: number, body: () => void): number {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    body();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)]!;
}

describe.each(STORE_KINDS)('%s store with 100,000 jobs', (kind) => {
  const fixture = storeFixture(kind);
  let store: JobStore;
  beforeAll(async () => {
    store = await fixture.open();
    fill(store);
  }, 120_000);
  afterAll(() => fixture.cleanup());

  const filters: [string, ListJobsFilter, (index: number) => boolean][] = [
    ['everything', {}, () => true],
    ['one status', { status: 'failed' }, (index) => index % 4 === 1 && index < JOBS - 10],
    [
      'two statuses',
      { status: ['failed', 'cancelled'] },
      (index) => (index % 4 === 1 || index % 4 === 2) && index < JOBS - 10,
    ],
    ['one plugin', { plugin: 'plugin-7' }, (index) => index % 20 === 7],
    [
      'a plugin and a rare status',
      { plugin: 'plugin-3', status: 'pending' },
      (index) => index % 20 === 3 && index >= JOBS - 10,
    ],
    [
      'an old time range',
      { since: START + 1_000_000, until: START + 2_000_000 },
      (index) => index >= 1_000 && index < 2_000,
    ],
    [
      'a time range and a status',
      { since: START + 5_000_000, until: START + 9_000_000, status: 'cancelled' },
      (index) => index >= 5_000 && index < 9_000 && index % 4 === 2,
    ],
  ];

  it.each(filters)('pages 50 by %s in milliseconds', (_name, filter, expected) => {
    const want: string[] = [];
    for (let index = JOBS - 1; index >= 0 && want.length < 50; index--)
      if (expected(index)) want.push(`j${index}`);
    const page = store.list({ ...filter, limit: 50 });
    expect(page.jobs.map((job) => job.id)).toEqual(want);
    const ms = medianMs(15, () => store.list({ ...filter, limit: 50 }));
    expect(ms).toBeLessThan(25);
  });

  it('follows a cursor deep into the history just as fast', () => {
    let cursor: string | undefined;
    for (let page = 0; page < 400; page++)
      cursor = store.list({ status: 'completed', cursor }).nextCursor;
    const page = store.list({ status: 'completed', cursor });
    // 400 pages of 50 completed jobs (every 2nd index) from the newest: index ~60,000 down.
    expect(page.jobs).toHaveLength(50);
    expect(page.jobs.every((job) => job.status === 'completed')).toBe(true);
    expect(medianMs(15, () => store.list({ status: 'completed', cursor }))).toBeLessThan(25);
  });

  it('prunes 99,000 jobs in slices, letting the event loop run between them', async () => {
    let ticks = 0;
    let ticking = true;
    const tick = () => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const report = await store.prune({
      completed: { maxCount: 500 },
      failed: { maxCount: 300 },
      cancelled: { maxCount: 200 },
    });
    ticking = false;
    expect(report).toEqual({
      completed: 49_995 - 500,
      failed: 24_998 - 300,
      cancelled: 24_997 - 200,
    });
    // Many slices, each followed by a turn of the event loop.
    expect(ticks).toBeGreaterThan(15);
    expect(store.list({ status: 'completed', limit: 1000 }).jobs).toHaveLength(500);
    expect(store.list({ status: 'pending' }).jobs).toHaveLength(10);
    const rest = store.list({ limit: 1000, order: 'oldest' });
    expect(rest.jobs).toHaveLength(1000);
    expect(store.list({ limit: 1000, order: 'oldest', cursor: rest.nextCursor }).jobs).toHaveLength(
      10,
    );
  }, 60_000);
});
