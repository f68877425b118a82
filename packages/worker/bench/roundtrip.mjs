// Compares JobManager with the channel a user would build on instead: a bare fork + IPC echo child.
//  - latency: a no-op job's round trip (submit -> await result) vs one bare message round trip
//  - throughput: a 100 000-chunk stream iterated by the host vs 100 000 bare messages
// Both sides run interleaved, round by round, so that load from other processes hits both
// alike; the report takes the median over rounds. Build first, then: node bench/roundtrip.mjs
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { JobManager } from '@plugwork/worker';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const TRIPS_PER_ROUND = Number(process.env.TRIPS ?? 1000);
const CHUNKS = Number(process.env.CHUNKS ?? 100_000);
const CHUNK_SIZE = 16;
const ADAPTER = new URL('../test/fixtures/test-adapter.mjs', import.meta.url);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function startBare() {
  const child = fork(new URL('./bare-echo-child.mjs', import.meta.url), [], {
    serialization: 'json',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  await once(child, 'message');
  let waiting;
  child.on('message', (message) => waiting?.(message));
  const next = () =>
    new Promise((resolve) => {
      waiting = resolve;
    });
  return {
    async roundTrips(count) {
      const times = [];
      for (let index = 0; index < count; index++) {
        const start = performance.now();
        const answer = next();
        child.send({ type: 'execute', job_id: `job-${index}`, plugin_name: 'noop' });
        await answer;
        times.push(performance.now() - start);
      }
      return median(times);
    },
    async flood() {
      let received = 0;
      const start = performance.now();
      await new Promise((resolve) => {
        waiting = (message) => {
          if (message.type === 'stream_chunk') received++;
          else resolve();
        };
        child.send({ type: 'flood', job_id: 'flood', count: CHUNKS, size: CHUNK_SIZE });
      });
      if (received !== CHUNKS) throw new Error(`bare flood lost messages: ${received}`);
      return performance.now() - start;
    },
    async stop() {
      child.disconnect();
      await once(child, 'exit');
    },
  };
}

async function startPlugwork() {
  const manager = new JobManager({ adapter: { module: ADAPTER }, pluginConfigs: { noop: {} } });
  await manager.start();
  return {
    async roundTrips(count) {
      const times = [];
      for (let index = 0; index < count; index++) {
        const start = performance.now();
        await manager.submit('noop').result;
        times.push(performance.now() - start);
      }
      return median(times);
    },
    async flood() {
      let characters = 0;
      const start = performance.now();
      const job = manager.submit('flood', { count: CHUNKS, size: CHUNK_SIZE }, { stream: true });
      for await (const chunk of job) characters += chunk.length;
      const elapsed = performance.now() - start;
      if (characters !== CHUNKS * CHUNK_SIZE) throw new Error(`lost chunks: ${characters}`);
      return elapsed;
    },
    stop: () => manager.shutdown(),
  };
}

const bare = await startBare();
const plugwork = await startPlugwork();
await bare.roundTrips(2000);
await plugwork.roundTrips(2000);
const latency = { bare: [], plugwork: [] };
const flood = { bare: [], plugwork: [] };
for (let round = 0; round < ROUNDS; round++) {
  latency.bare.push(await bare.roundTrips(TRIPS_PER_ROUND));
  latency.plugwork.push(await plugwork.roundTrips(TRIPS_PER_ROUND));
  if (round % 3 === 0) {
    flood.bare.push(await bare.flood());
    flood.plugwork.push(await plugwork.flood());
  }
}
await bare.stop();
await plugwork.stop();

const bareUs = median(latency.bare) * 1000;
const oursUs = median(latency.plugwork) * 1000;
const ratios = latency.plugwork.map((ours, index) => ours / latency.bare[index]);
const bareRate = CHUNKS / (median(flood.bare) / 1000);
const oursRate = CHUNKS / (median(flood.plugwork) / 1000);
console.log(
  JSON.stringify(
    {
      bareRoundTripUs: Math.round(bareUs),
      plugworkRoundTripUs: Math.round(oursUs),
      latencyRatio: Number(median(ratios).toFixed(2)),
      bareMessagesPerSecond: Math.round(bareRate),
      plugworkChunksPerSecond: Math.round(oursRate),
      throughputRatio: Number((oursRate / bareRate).toFixed(2)),
    },
    null,
    2,
  ),
);
