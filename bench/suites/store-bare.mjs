// (9) The job store alone, without workers: what the SQLite store costs a host per job next to
// the memory store, and a history page of 50 out of 100,000 stored jobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Internals: the store is not a public entry point of @plugwork/worker (the JobManager's
// `store` option is); this suite measures it bare.
import { openJobStore } from '../../packages/worker/dist/store/open-store.js';
import { elapsedMs, median } from '../lib/stats.mjs';

const WORKER = { workerId: 'worker-1', workerPid: 1 };

function newJob(index, now) {
  return {
    id: `bench-${index}`,
    plugin: `plugin-${index % 20}`,
    params: { index },
    stream: false,
    metadata: {},
    timeoutMs: undefined,
    stallMs: undefined,
    priority: 0,
    submittedAt: now,
    runAt: now,
    maxAttempts: 1,
    backoff: undefined,
    retryOn: [],
  };
}

/**
 * Jobs/s of a host's whole store traffic per job (insert, claim, start, finish), a few jobs per
 * event-loop turn as results arrive in a busy host, so the SQLite store's batch timer runs as
 * it would.
 */
async function lifecycleRate(store, jobs, perTurn) {
  const start = process.hrtime.bigint();
  for (let index = 0; index < jobs; index += perTurn) {
    const now = Date.now();
    for (let offset = 0; offset < perTurn; offset++) {
      const { job } = store.insert(newJob(index + offset, now));
      store.claimNext(now);
      store.markRunning(job.id, WORKER, now);
      store.finish(job.id, { status: 'completed', result: { text: 'ok' } }, now);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  store.flush();
  return jobs / (elapsedMs(start) / 1000);
}

export async function measureBareStore(config) {
  const dir = mkdtempSync(join(tmpdir(), 'plugwork-bench-store-'));
  try {
    const memoryRates = [];
    const sqliteRates = [];
    for (let round = 0; round < config.rounds; round++) {
      const memory = await openJobStore('memory');
      memoryRates.push(await lifecycleRate(memory, config.storeJobs, 4));
      await memory.close();
      const sqlite = await openJobStore({ sqlite: join(dir, `rate-${round}.db`) });
      sqliteRates.push(await lifecycleRate(sqlite, config.storeJobs, 4));
      await sqlite.close();
    }

    // 100,000 finished jobs; then pages of 50 by the filters a history UI uses.
    const store = await openJobStore({ sqlite: join(dir, 'history.db') });
    const statuses = ['completed', 'failed', 'cancelled'];
    const failure = { code: 'PLUGIN_ERROR', message: 'boom' };
    const base = Date.now() - config.historyJobs * 1000;
    for (let index = 0; index < config.historyJobs; index++) {
      const now = base + index * 1000;
      const { job } = store.insert(newJob(index, now));
      store.markRunning(job.id, WORKER, now);
      const status = statuses[index % 3];
      store.finish(
        job.id,
        status === 'completed' ? { status, result: { text: 'ok' } } : { status, error: failure },
        now + 1,
      );
    }
    store.flush();
    const filters = [
      { status: 'failed' },
      { plugin: 'plugin-7' },
      { plugin: 'plugin-7', status: 'cancelled' },
      { since: base + 10_000_000, until: base + 20_000_000 },
    ];
    const pageTimes = [];
    for (let run = 0; run < 20; run++) {
      for (const filter of filters) {
        const first = store.list({ ...filter, limit: 50 });
        const start = process.hrtime.bigint();
        store.list({ ...filter, limit: 50, cursor: first.nextCursor });
        pageTimes.push(elapsedMs(start));
      }
    }
    await store.close();
    return {
      memoryPerSecond: median(memoryRates),
      sqlitePerSecond: median(sqliteRates),
      pageMs: median(pageTimes),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
