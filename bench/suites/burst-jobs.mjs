// 10,000 no-op jobs submitted at once, 1 worker: jobs per second. The floor is a bare child
// echoing each message.
import { startBarePool } from '../lib/bare-pool.mjs';
import { startManager } from '../lib/manager.mjs';
import { peers } from '../lib/peers.mjs';
import { burstRate } from '../lib/stats.mjs';

export async function measureBurstJobs(config) {
  const count = config.burstJobs;
  const floorPool = await startBarePool('echo-child.mjs', 1);
  const floor = await burstRate(config.rounds, count, () => floorPool.run());
  await floorPool.close();

  const manager = await startManager({ pluginConfigs: { noop: {} } });
  const plugwork = await burstRate(config.rounds, count, () => manager.submit('noop').result);
  await manager.shutdown();

  const results = [];
  for (const peer of peers) {
    const pool = peer.start({ workers: 1 });
    const value = await burstRate(config.rounds, count, (i) =>
      pool.run('noop', { job_id: `job-${i}` }),
    );
    await pool.close();
    results.push({ name: peer.name, value });
  }
  return { count, floor, plugwork, peers: results };
}
