// Context for (4): time to first message from a bare child that keeps producing after sending it.
import { startBareChild, stopBareChild } from '../lib/bare-child.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

export async function measureBurstFloor(config) {
  const child = await startBareChild('burst-child.mjs');
  const firsts = [];
  for (let round = 0; round < config.firstChunkJobs + 1; round++) {
    const start = process.hrtime.bigint();
    let first;
    await new Promise((resolve) => {
      const onMessage = (message) => {
        first ??= elapsedMs(start);
        if (message.type === 'result') {
          child.off('message', onMessage);
          resolve();
        }
      };
      child.on('message', onMessage);
      child.send({ job_id: `job-${round}`, count: config.chunks });
    });
    if (round > 0) firsts.push(first);
  }
  await stopBareChild(child);
  return median(firsts);
}
