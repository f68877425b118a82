// (4) Streaming: chunks per second and time to first chunk, 100,000 small chunks.
import { startManager } from '../lib/manager.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

export async function measureStreaming(config) {
  const manager = await startManager({ pluginConfigs: { chunks: {} } });
  const rates = [];
  const firsts = [];
  for (let round = 0; round < config.rounds + 1; round++) {
    const start = process.hrtime.bigint();
    const job = manager.submit('chunks', { count: config.chunks }, { stream: true });
    let first;
    let text = 0;
    for await (const chunk of job.stream()) {
      first ??= elapsedMs(start);
      text += chunk.length;
    }
    await job.result;
    const took = elapsedMs(start);
    if (text !== config.chunks * 'chunk '.length) {
      throw new Error(`streaming lost data: ${text} characters arrived`);
    }
    // Round 0 warms the plugin up; it is not counted.
    if (round > 0) {
      rates.push(config.chunks / (took / 1000));
      firsts.push(first);
    }
  }
  await manager.shutdown();
  return { perSecond: median(rates), firstChunkMs: median(firsts) };
}
