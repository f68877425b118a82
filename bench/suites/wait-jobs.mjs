// 200 jobs that each await 10 ms (an API call, a database query), 2 workers: jobs per second.
// The floor is two bare children that answer each message 10 ms later, any number at once.
// plugwork runs the `wait` plugin (fixtures/plugins/wait), whose manifest says
// `"concurrency": 100`: a plugwork that honours per-worker concurrency runs 100 at once per
// worker, one that does not runs them one by one.
import { fsAdapter } from '@plugwork/adapter-fs';
import { startBarePool } from '../lib/bare-pool.mjs';
import { startManager } from '../lib/manager.mjs';
import { peers } from '../lib/peers.mjs';
import { burstRate, interleavedBurstRates } from '../lib/stats.mjs';

const WORKERS = 2;
const MS = 10;
const PLUGINS = new URL('../fixtures/plugins', import.meta.url).pathname;

const startWaitManager = () =>
  startManager({
    adapter: fsAdapter({ directories: [PLUGINS] }),
    poolSize: WORKERS,
    pluginConfigs: { wait: {} },
  });

export async function measureWaitJobs(config) {
  const count = config.waitJobs;
  // For context: a fresh manager's rounds right after one warm-up round, while the host's
  // code for these jobs is still being compiled (its CPU per round of 200 fell from 15–55 ms
  // in rounds 2–8 to 4–8 ms from round 12 on).
  const fresh = await startWaitManager();
  const plugworkFresh = await burstRate(
    config.rounds,
    count,
    () => fresh.submit('wait', { ms: MS }).result,
  );
  await fresh.shutdown();

  // The judged contenders (the floor, plugwork, the peers with per-worker concurrency) first
  // serve `waitWarmup` rounds each, as a host that runs such jobs for hours has, then take
  // turns round by round, so that drift in the machine touches them alike.
  const floorPool = await startBarePool('wait-child.mjs', WORKERS);
  const manager = await startWaitManager();
  const concurrent = peers.filter((peer) => peer.concurrency > 1);
  const concurrentPools = concurrent.map((peer) => peer.start({ workers: WORKERS }));
  const [floor, plugwork, ...concurrentRates] = await interleavedBurstRates(
    config.waitRounds,
    count,
    [
      () => floorPool.run({ ms: MS }),
      () => manager.submit('wait', { ms: MS }).result,
      ...concurrentPools.map((pool) => (i) => pool.run('wait', { job_id: `job-${i}`, ms: MS })),
    ],
    config.waitWarmup,
  );
  await floorPool.close();
  await manager.shutdown();
  await Promise.all(concurrentPools.map((pool) => pool.close()));

  // Pools that run one job per worker at a time need a second per round: one warm-up round.
  const results = [];
  for (const peer of peers) {
    const index = concurrent.indexOf(peer);
    if (index >= 0) {
      results.push({ name: peer.name, value: concurrentRates[index] });
      continue;
    }
    const pool = peer.start({ workers: WORKERS });
    const value = await burstRate(config.rounds, count, (i) =>
      pool.run('wait', { job_id: `job-${i}`, ms: MS }),
    );
    await pool.close();
    results.push({ name: peer.name, value });
  }
  return { count, warmup: config.waitWarmup, floor, plugwork, plugworkFresh, peers: results };
}
