// (2) A no-op plugwork job, submit to result, one worker: latency and pipelined throughput.
import { Bench } from 'tinybench';
import { startManager } from '../lib/manager.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

export async function measureNoopJob(config) {
  const manager = await startManager({ pluginConfigs: { noop: {} } });
  const job = () => manager.submit('noop').result;
  for (let i = 0; i < 200; i++) await job();

  const bench = new Bench({ time: config.latencyMs, warmup: true, warmupTime: 200 });
  bench.add('plugwork no-op job', job);
  await bench.run();
  const latency = bench.tasks[0].result.latency;

  const rates = [];
  for (let round = 0; round < config.rounds; round++) {
    const start = process.hrtime.bigint();
    const results = [];
    for (let i = 0; i < config.pipelined; i++) results.push(job());
    await Promise.all(results);
    rates.push(config.pipelined / (elapsedMs(start) / 1000));
  }
  await manager.shutdown();

  // For context: a worker runs one job at a time (so a kill cancels exactly one job), which caps
  // one worker's pipelined rate at about one job per round trip. A second worker adds another.
  const pool = await startManager({ poolSize: 2, pluginConfigs: { noop: {} } });
  const poolJob = () => pool.submit('noop').result;
  await Promise.all(Array.from({ length: 1000 }, poolJob));
  const poolRates = [];
  for (let round = 0; round < config.rounds; round++) {
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: config.pipelined }, poolJob));
    poolRates.push(config.pipelined / (elapsedMs(start) / 1000));
  }
  await pool.shutdown();
  return {
    p50: latency.p50,
    p99: latency.p99,
    samples: latency.samplesCount,
    perSecond: median(rates),
    perSecondTwoWorkers: median(poolRates),
  };
}
