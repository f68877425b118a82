// Idle RSS of a process pool's worker, measured inside it by a task, after a first job and a
// moment of rest (as suites/memory.mjs does for plugwork). Thread pools have no worker process
// of their own and are left out.
import { processPeers } from '../lib/peers.mjs';

export async function measurePeerRss() {
  const results = [];
  for (const peer of processPeers) {
    const pool = peer.start({ workers: 1 });
    await pool.run('noop', { job_id: 'job' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const rss = await pool.run('rss');
    await pool.close();
    results.push({ name: peer.name, value: rss / 2 ** 20 });
  }
  return results;
}
