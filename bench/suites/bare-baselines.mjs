// Baselines for (5) cold start and (7) idle memory: a bare Node child with nothing loaded.
import { startBareChild, stopBareChild } from '../lib/bare-child.mjs';
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

/** Resident set size of an idle bare child, in MB, after it has settled. */
export async function measureBareRss() {
  const child = await startBareChild('idle-child.mjs');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const rss = await new Promise((resolve) => {
    child.once('message', (message) => resolve(message.rss));
    child.send({ type: 'rss' });
  });
  await stopBareChild(child);
  return rss / 2 ** 20;
}
