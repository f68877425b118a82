// (3) Pool scaling: a CPU-bound job of about 5 ms, 1 worker vs 2 workers, jobs per second.
import { calibrateCpuRounds } from '../fixtures/bench-adapter.mjs';
import { startManager } from '../lib/manager.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

export async function measurePoolScaling(config) {
  const rounds = await calibrateCpuRounds(5);
  const rate = async (poolSize) => {
    const manager = await startManager({ poolSize, pluginConfigs: { cpu: {} } });
    const run = () => manager.submit('cpu', { rounds }).result;
    await Promise.all(Array.from({ length: poolSize * 10 }, run));
    const rates = [];
    for (let round = 0; round < config.rounds; round++) {
      const start = process.hrtime.bigint();
      await Promise.all(Array.from({ length: config.cpuJobs }, run));
      rates.push(config.cpuJobs / (elapsedMs(start) / 1000));
    }
    await manager.shutdown();
    return median(rates);
  };
  const one = await rate(1);
  const two = await rate(2);
  return { rounds, one, two };
}
