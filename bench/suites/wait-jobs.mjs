// 200 jobs that each await 10 ms (an API call, a database query), 2 workers: jobs per second.
// The floor is two bare children that answer each message 10 ms later, any number at once.
// plugwork runs the `wait` plugin (fixtures/plugins/wait), whose manifest says
// `"concurrency": 100`: a plugwork that honours per-worker concurrency runs 100 at once per
// worker, one that does not runs them one by one.
import { fsAdapter } from '@plugwork/adapter-fs';
import { startBarePool } from '../lib/bare-pool.mjs';
import { startManager } from '../lib/manager.mjs';
import { peers } from '../lib/peers.mjs';
import { burstRate } from '../lib/stats.mjs';

const WORKERS = 2;
const MS = 10;
const PLUGINS = new URL('../fixtures/plugins', import.meta.url).pathname;

export async function measureWaitJobs(config) {
  const count = config.waitJobs;
  const floorPool = await startBarePool('wait-child.mjs', WORKERS);
  const floor = await burstRate(config.rounds, count, () => floorPool.run({ ms: MS }));
  await floorPool.close();

  const manager = await startManager({
    adapter: fsAdapter({ directories: [PLUGINS] }),
    poolSize: WORKERS,
    pluginConfigs: { wait: {} },
  });
  const plugwork = await burstRate(
    config.rounds,
    count,
    () => manager.submit('wait', { ms: MS }).result,
  );
  await manager.shutdown();

  const results = [];
  for (const peer of peers) {
    const pool = peer.start({ workers: WORKERS });
    const value = await burstRate(config.rounds, count, (i) =>
      pool.run('wait', { job_id: `job-${i}`, ms: MS }),
    );
    await pool.close();
    results.push({ name: peer.name, value });
  }
  return { count, floor, plugwork, peers: results };
}
