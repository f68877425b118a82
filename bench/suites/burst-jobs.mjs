// 10,000 no-op jobs submitted at once, 1 worker: jobs per second. The floor is a bare child
// echoing each message. Every contender's rounds take turns with the others' (the floor,
// plugwork, each peer), so that drift in the machine touches them alike: measured one after
// another, the best peer's rate moved from 33,000 to 55,000 jobs/s between two runs.
import { startBarePool } from '../lib/bare-pool.mjs';
import { startManager } from '../lib/manager.mjs';
import { peers } from '../lib/peers.mjs';
import { interleavedBurstRates } from '../lib/stats.mjs';

export async function measureBurstJobs(config) {
  const count = config.burstJobs;
  const floorPool = await startBarePool('echo-child.mjs', 1);
  const manager = await startManager({ pluginConfigs: { noop: {} } });
  const pools = peers.map((peer) => peer.start({ workers: 1 }));
  const [floor, plugwork, ...peerRates] = await interleavedBurstRates(config.rounds, count, [
    () => floorPool.run(),
    () => manager.submit('noop').result,
    ...pools.map((pool) => (i) => pool.run('noop', { job_id: `job-${i}` })),
  ]);
  await floorPool.close();
  await manager.shutdown();
  await Promise.all(pools.map((pool) => pool.close()));
  const results = peers.map((peer, index) => ({ name: peer.name, value: peerRates[index] }));
  return { count, floor, plugwork, peers: results };
}
