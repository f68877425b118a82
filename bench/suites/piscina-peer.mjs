// (8) A peer in the same run: piscina (worker threads, no process isolation) on the no-op job.
import { Piscina } from 'piscina';
import { Bench } from 'tinybench';
import { elapsedMs, median } from '../lib/stats.mjs';

export async function measurePiscina(config) {
  const pool = new Piscina({
    filename: new URL('../fixtures/piscina-noop.mjs', import.meta.url).href,
    minThreads: 1,
    maxThreads: 1,
  });
  let seq = 0;
  const task = () => pool.run({ job_id: `job-${seq++}`, plugin_name: 'noop' });
  await task();
  const bench = new Bench({ time: config.latencyMs, warmup: true, warmupTime: 200 });
  bench.add('piscina no-op', task);
  await bench.run();
  const latency = bench.tasks[0].result.latency;
  const rates = [];
  for (let round = 0; round < config.rounds; round++) {
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: config.pipelined }, task));
    rates.push(config.pipelined / (elapsedMs(start) / 1000));
  }
  await pool.destroy();
  return { p50: latency.p50, p99: latency.p99, perSecond: median(rates) };
}
