// (5) Cold start: JobManager start to worker ready.
import { startManager } from '../lib/manager.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

/** `env`: the worker's environment (default: the host's). */
export async function measureColdStart(config, env = { ...process.env }) {
  const times = [];
  for (let round = 0; round < config.coldStarts; round++) {
    const start = process.hrtime.bigint();
    const manager = await startManager({ worker: { env } });
    times.push(elapsedMs(start));
    await manager.shutdown();
  }
  return median(times);
}
