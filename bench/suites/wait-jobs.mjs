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
  // Every contender first serves `waitWarmup` rounds: a host runs such jobs for hours, and the
  // first few thousand jobs of a fresh process are still being compiled (plugwork's host CPU
  // per round of 200 fell from 15–55 ms in rounds 2–8 to 4–8 ms from round 12 on). The rounds
  // right after one warm-up round are kept as a context row.
  const warmup = config.waitWarmup;
  const floorPool = await startBarePool('wait-child.mjs', WORKERS);
  const floor = await burstRate(config.rounds, count, () => floorPool.run({ ms: MS }), warmup);
  await floorPool.close();

  const startWaitManager = () =>
    startManager({
      adapter: fsAdapter({ directories: [PLUGINS] }),
      poolSize: WORKERS,
      pluginConfigs: { wait: {} },
    });
  const fresh = await startWaitManager();
  const plugworkFresh = await burstRate(
    config.rounds,
    count,
    () => fresh.submit('wait', { ms: MS }).result,
  );
  await fresh.shutdown();
  const manager = await startWaitManager();
  const plugwork = await burstRate(
    config.rounds,
    count,
    () => manager.submit('wait', { ms: MS }).result,
    warmup,
  );
  await manager.shutdown();

  const results = [];
  for (const peer of peers) {
    const pool = peer.start({ workers: WORKERS });
    const value = await burstRate(
      config.rounds,
      count,
      (i) => pool.run('wait', { job_id: `job-${i}`, ms: MS }),
      warmup,
    );
    await pool.close();
    results.push({ name: peer.name, value });
  }
  return { count, warmup, floor, plugwork, plugworkFresh, peers: results };
}
