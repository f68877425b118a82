// (4) Streaming: chunks per second and time to first chunk, for a plugin yielding 100,000 small
// chunks. The rate is the median of whole jobs; time to first chunk the median of more jobs,
// since one sample per job is noisy.
import { startManager } from '../lib/manager.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

const CHUNK = 'chunk ';

async function runOnce(manager, count) {
  const start = process.hrtime.bigint();
  const job = manager.submit('chunks', { count }, { stream: true });
  let first;
  let text = 0;
  for await (const chunk of job.stream()) {
    first ??= elapsedMs(start);
    text += chunk.length;
  }
  await job.result;
  const took = elapsedMs(start);
  if (text !== count * CHUNK.length)
    throw new Error(`streaming lost data: ${text} characters arrived`);
  return { first, took };
}

/**
 * @param {{ chunks: number, rounds: number, firstChunkJobs: number }} config
 * @param {{ execArgv?: string[], niceIncrement?: number }} [worker] the workers' options
 *   (context rows: a single-threaded GC, a lower CPU priority)
 */
export async function measureStreaming(config, worker = {}) {
  const manager = await startManager({ pluginConfigs: { chunks: {} }, worker });
  await runOnce(manager, config.chunks); // warm-up, not counted
  const rates = [];
  const firsts = [];
  for (let round = 0; round < config.firstChunkJobs; round++) {
    const { first, took } = await runOnce(manager, config.chunks);
    firsts.push(first);
    if (round < config.rounds) rates.push(config.chunks / (took / 1000));
  }
  await manager.shutdown();
  return { perSecond: median(rates), firstChunkMs: median(firsts) };
}
