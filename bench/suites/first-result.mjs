// Cold start to first result: from constructing the pool to the first no-op job's result,
// then shut down; median of `coldStarts`. Every side starts its processes with the host's
// environment (on this machine that includes NODE_EXTRA_CA_CERTS, which each Node start pays
// for by loading the extra certificates).
import { startBarePool } from '../lib/bare-pool.mjs';
import { startManager } from '../lib/manager.mjs';
import { peers } from '../lib/peers.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

async function timed(rounds, startAndRunOnce) {
  const times = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    const close = await startAndRunOnce();
    times.push(elapsedMs(start));
    await close();
  }
  return median(times);
}

export async function measureFirstResult(config) {
  const rounds = config.coldStarts;
  const floor = await timed(rounds, async () => {
    const pool = await startBarePool('echo-child.mjs', 1);
    await pool.run();
    return () => pool.close();
  });
  const plugwork = await timed(rounds, async () => {
    const manager = await startManager();
    await manager.submit('noop').result;
    return () => manager.shutdown();
  });
  const results = [];
  for (const peer of peers.filter((candidate) => candidate.concurrency === 1)) {
    const value = await timed(rounds, async () => {
      const pool = peer.start({ workers: 1 });
      await pool.run('noop', { job_id: 'job' });
      return () => pool.close();
    });
    results.push({ name: peer.name, value });
  }
  return { floor, plugwork, peers: results };
}
