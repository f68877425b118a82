// Baselines for (5) cold start and (7) idle memory: a bare Node child with nothing loaded.
import { startBareChild, stopBareChild } from '../lib/bare-child.mjs';
import { privateMemoryMb } from '../lib/private-memory.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

/** Fork to first message, median of `rounds` starts; `env`: the child's (default: the host's). */
export async function measureBareColdStart(config, env = process.env) {
  const times = [];
  for (let round = 0; round < config.coldStarts; round++) {
    const start = process.hrtime.bigint();
    const child = await startBareChild('echo-child.mjs', { env });
    times.push(elapsedMs(start));
    await stopBareChild(child);
  }
  return median(times);
}

/** RSS and private memory of an idle bare child, in MB, after it has settled. */
export async function measureBareMemory() {
  const child = await startBareChild('idle-child.mjs');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const rss = await new Promise((resolve) => {
    child.once('message', (message) => resolve(message.rss));
    child.send({ type: 'rss' });
  });
  const ownMb = privateMemoryMb(child.pid);
  await stopBareChild(child);
  return { rss: rss / 2 ** 20, private: ownMb };
}
