// (5) Cold start: JobManager start to worker ready.
import { startManager } from '../lib/manager.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

export async function measureColdStart(config) {
  const times = [];
  for (let round = 0; round < config.coldStarts; round++) {
    const start = process.hrtime.bigint();
    const manager = await startManager();
    times.push(elapsedMs(start));
    await manager.shutdown();
  }
  return median(times);
}
