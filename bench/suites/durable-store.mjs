// (16) The job store: the same no-op jobs as (2) with the SQLite store and with the memory store,
// from one run (pipelined: alternating runs; latency: alternating blocks on two managers at
// once), and a history page of 50 out of 100,000 stored jobs through listJobs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Filling 100,000 jobs through workers would take most of the run: the history is written
// with the store itself (not a public entry point), then read through the JobManager.
import { openJobStore } from '../../packages/worker/dist/store/open-store.js';
import { startManager } from '../lib/manager.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

async function noopRun(config, store) {
  const manager = await startManager({ pluginConfigs: { noop: {} }, store });
  const job = () => manager.submit('noop').result;
  for (let i = 0; i < 200; i++) await job();
  const rates = [];
  for (let round = 0; round < config.rounds; round++) {
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: config.pipelined }, job));
    rates.push(config.pipelined / (elapsedMs(start) / 1000));
  }
  await manager.shutdown();
  return { perSecond: median(rates) };
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

/**
 * No-op round trips on two managers at once, in alternating blocks of `block` jobs, so that
 * drift in the machine's load (this VM's round trip varies by half between runs) touches both
 * alike: the p50 of each, in ms.
 */
async function interleavedP50(config, first, second) {
  const block = 250;
  const times = [[], []];
  const run = async (manager, into) => {
    for (let i = 0; i < block; i++) {
      const start = process.hrtime.bigint();
      await manager.submit('noop').result;
      into?.push(elapsedMs(start));
    }
  };
  await run(first);
  await run(second);
  const deadline = performance.now() + 2 * config.latencyMs;
  while (performance.now() < deadline) {
    await run(first, times[0]);
    await run(second, times[1]);
  }
  return times.map((samples) => median(samples));
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
    const memoryManager = await startManager({ pluginConfigs: { noop: {} } });
    const sqliteManager = await startManager({
      pluginConfigs: { noop: {} },
      store: { sqlite: join(dir, 'latency.db') },
    });
    const [memoryP50, sqliteP50] = await interleavedP50(config, memoryManager, sqliteManager);
    await Promise.all([memoryManager.shutdown(), sqliteManager.shutdown()]);

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
      memoryP50,
      sqliteP50,
      memoryPerSecond: best(memory, 'perSecond'),
      sqlitePerSecond: best(sqlite, 'perSecond'),
      pageMs: median(pageTimes),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
