// A 1 MB JSON result (lib/payload.mjs), one job at a time: median time from submit to result.
// The floor is a bare child sending the same object over the same IPC channel kind; the two
// take turns, round by round.
import { startBarePool } from '../lib/bare-pool.mjs';
import { startManager } from '../lib/manager.mjs';
import { peers } from '../lib/peers.mjs';
import { interleavedMedianLatency, medianLatency } from '../lib/stats.mjs';

export async function measureBigResult(config) {
  const rounds = config.bigRounds;
  // The floor and plugwork take turns, so that drift in the machine touches both alike.
  const floorPool = await startBarePool('big-child.mjs', 1);
  const manager = await startManager({ pluginConfigs: { big: {} } });
  const [floor, plugwork] = await interleavedMedianLatency(rounds, [
    () => floorPool.run(),
    async () => {
      const data = await manager.submit('big').result;
      if (!Array.isArray(data.rows)) throw new Error('the 1 MB result arrived without its rows');
    },
  ]);
  await manager.shutdown();
  await floorPool.close();

  const results = [];
  for (const peer of peers.filter((candidate) => candidate.concurrency === 1)) {
    const pool = peer.start({ workers: 1 });
    const value = await medianLatency(rounds, () => pool.run('big', { job_id: 'job' }));
    await pool.close();
    results.push({ name: peer.name, value });
  }
  return { floor, plugwork, peers: results };
}
