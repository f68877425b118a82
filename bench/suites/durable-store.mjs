// (9) The job store: the same no-op jobs as (2) with the SQLite store and with the memory store,
// from one run, and a history page of 50 out of 100,000 stored jobs through listJobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
// Filling 100,000 jobs through workers would take most of the run: the history is written
// with the store itself (not a public entry point), then read through the JobManager.
import { openJobStore } from '../../packages/worker/dist/store/open-store.js';
import { startManager } from '../lib/manager.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

async function noopRun(config, store) {
  const manager = await startManager({ pluginConfigs: { noop: {} }, store });
  const job = () => manager.submit('noop').result;
  for (let i = 0; i < 200; i++) await job();
  const bench = new Bench({ time: config.latencyMs, warmup: true, warmupTime: 200 });
  bench.add('no-op job', job);
  await bench.run();
  const rates = [];
  for (let round = 0; round < config.rounds; round++) {
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: config.pipelined }, job));
    rates.push(config.pipelined / (elapsedMs(start) / 1000));
  }
  await manager.shutdown();
  return { p50: bench.tasks[0].result.latency.p50, perSecond: median(rates) };
}

async function fillHistory(file, jobs) {
  const store = await openJobStore({ sqlite: file });
  const statuses = ['completed', 'failed', 'cancelled'];
  const failure = { code: 'PLUGIN_ERROR', message: 'Plugin "noop" failed: boom' };
  const base = Date.now() - jobs * 1000;
  for (let index = 0; index < jobs; index++) {
    const at = base + index * 1000;
    const { job } = store.insert({
      id: `history-${index}`,
      plugin: `plugin-${index % 20}`,
      params: { index },
      stream: false,
      metadata: {},
      timeoutMs: undefined,
      stallMs: undefined,
      priority: 0,
      submittedAt: at,
      runAt: at,
      maxAttempts: 1,
      backoff: undefined,
      retryOn: [],
    });
    store.markRunning(job.id, { workerId: 'worker-1', workerPid: 1 }, at);
    const status = statuses[index % 3];
    store.finish(
      job.id,
      status === 'completed' ? { status, result: { text: 'ok' } } : { status, error: failure },
      at + 1,
    );
  }
  await store.close();
  return base;
}

export async function measureDurableStore(config) {
  const dir = mkdtempSync(join(tmpdir(), 'plugwork-bench-store-'));
  try {
    // Alternating, so that drift in the machine's load touches both alike.
    const memory = [];
    const sqlite = [];
    for (let run = 0; run < 2; run++) {
      memory.push(await noopRun(config, 'memory'));
      sqlite.push(await noopRun(config, { sqlite: join(dir, `noop-${run}.db`) }));
    }
    const best = (runs, key) => median(runs.map((result) => result[key]));

    const file = join(dir, 'history.db');
    const base = await fillHistory(file, config.historyJobs);
    const manager = await startManager({ pluginConfigs: { noop: {} }, store: { sqlite: file } });
    const filters = [
      { status: 'failed' },
      { plugin: 'plugin-7' },
      { plugin: 'plugin-7', status: 'cancelled' },
      {
        since: base + (config.historyJobs / 10) * 1000,
        until: base + (config.historyJobs / 5) * 1000,
      },
    ];
    const pageTimes = [];
    for (let run = 0; run < 25; run++) {
      for (const filter of filters) {
        const query = { ...filter, order: 'newest', limit: 50 };
        const first = manager.listJobs(query);
        const start = process.hrtime.bigint();
        const page = manager.listJobs({ ...query, cursor: first.nextCursor });
        pageTimes.push(elapsedMs(start));
        if (page.length === 0)
          throw new Error(`no second history page for ${JSON.stringify(filter)}`);
      }
    }
    await manager.shutdown();
    return {
      memoryP50: best(memory, 'p50'),
      sqliteP50: best(sqlite, 'p50'),
      memoryPerSecond: best(memory, 'perSecond'),
      sqlitePerSecond: best(sqlite, 'perSecond'),
      pageMs: median(pageTimes),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
