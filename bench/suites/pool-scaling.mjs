// (3) Pool scaling: a CPU-bound job of about 5 ms, 1 worker vs 2 workers, jobs per second; and
// the same jobs on 1 and 2 bare children, which says how far two CPU-bound processes scale on
// this machine at all (two vCPUs may share a physical core).
import { calibrateCpuRounds } from '../fixtures/bench-adapter.mjs';
import { startBarePool } from '../lib/bare-pool.mjs';
import { startManager } from '../lib/manager.mjs';
import { burstRate } from '../lib/stats.mjs';

export async function measurePoolScaling(config) {
  const rounds = await calibrateCpuRounds(5);
  const rate = async (poolSize) => {
    const manager = await startManager({ poolSize, pluginConfigs: { cpu: {} } });
    const value = await burstRate(
      config.rounds,
      config.cpuJobs,
      () => manager.submit('cpu', { rounds }).result,
    );
    await manager.shutdown();
    return value;
  };
  const bareRate = async (size) => {
    const pool = await startBarePool('cpu-child.mjs', size);
    const value = await burstRate(config.rounds, config.cpuJobs, () => pool.run({ rounds }));
    await pool.close();
    return value;
  };
  return {
    rounds,
    one: await rate(1),
    two: await rate(2),
    bareOne: await bareRate(1),
    bareTwo: await bareRate(2),
  };
}
