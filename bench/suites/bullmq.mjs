// (9) Across machines through BullMQ on a local redis-server, each beside its baseline:
// - a no-op job's round trip through BullMQ + plugwork vs a bare BullMQ worker that returns at
//   once (BullMQ's own floor), sequential jobs, rounds interleaved;
// - ~5 ms CPU-bound jobs with two nodes vs one (separate processes, pool 1 each);
// - chunks per second of one long stream across Redis vs the same stream from a local manager.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BullmqNode, BullmqRunner } from '@plugwork/bullmq';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { calibrateCpuRounds } from '../fixtures/bench-adapter.mjs';
import { benchAdapter, startManager } from '../lib/manager.mjs';
import { startRedisServer } from '../lib/redis-server.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

const NODE_SCRIPT = new URL('../fixtures/bullmq-node.mjs', import.meta.url);
let prefixes = 0;
const nextPrefix = () => `bench${process.pid}-${++prefixes}`;

async function sequentialMs(count, job) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await job();
  return elapsedMs(start) / count;
}

async function measureRoundTrip(redis, config) {
  const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
  const bare = nextPrefix();
  const queue = new Queue('noop', { connection, prefix: bare });
  const worker = new Worker('noop', async () => ({}), { connection, prefix: bare });
  const events = new QueueEvents('noop', { connection, prefix: bare });
  await Promise.all([worker.waitUntilReady(), events.waitUntilReady()]);
  const bareJob = async () => (await queue.add('noop', {})).waitUntilFinished(events);

  const prefix = nextPrefix();
  const node = new BullmqNode({
    connection: redis.url,
    prefix,
    manager: { adapter: benchAdapter, pluginConfigs: { noop: {} } },
  });
  await node.start();
  const runner = new BullmqRunner({ connection: redis.url, prefix });
  const plugworkJob = async () => (await runner.submit('noop')).result;

  await sequentialMs(config.bullmqWarmup, bareJob);
  await sequentialMs(config.bullmqWarmup, plugworkJob);
  const bareMs = [];
  const plugworkMs = [];
  for (let round = 0; round < config.rounds; round++) {
    bareMs.push(await sequentialMs(config.bullmqJobs, bareJob));
    plugworkMs.push(await sequentialMs(config.bullmqJobs, plugworkJob));
  }
  await runner.close();
  await node.close();
  await Promise.all([worker.close(), events.close(), queue.close()]);
  return { bareMs: median(bareMs), plugworkMs: median(plugworkMs) };
}

async function spawnNode(redis, prefix) {
  const child = spawn(process.execPath, [NODE_SCRIPT.pathname, redis.url, prefix, '1'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => line === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`bench node exited with ${code}`)));
  });
  return {
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function measureNodeScaling(redis, config) {
  const rounds = config.cpuRounds ?? calibrateCpuRounds(5);
  const rate = async (nodeCount) => {
    const prefix = nextPrefix();
    const nodes = await Promise.all(
      Array.from({ length: nodeCount }, () => spawnNode(redis, prefix)),
    );
    const runner = new BullmqRunner({ connection: redis.url, prefix });
    const batch = async (count) => {
      const jobs = await Promise.all(
        Array.from({ length: count }, () => runner.submit('cpu', { rounds })),
      );
      await Promise.all(jobs.map((job) => job.result));
    };
    await batch(nodeCount * 10);
    const rates = [];
    for (let round = 0; round < config.rounds; round++) {
      const start = process.hrtime.bigint();
      await batch(config.cpuJobs);
      rates.push(config.cpuJobs / (elapsedMs(start) / 1000));
    }
    await runner.close();
    await Promise.all(nodes.map((node) => node.stop()));
    return median(rates);
  };
  const one = await rate(1);
  const two = await rate(2);
  return { rounds, one, two };
}

async function streamRate(submit, count) {
  const start = process.hrtime.bigint();
  const job = await submit();
  let characters = 0;
  for await (const chunk of job) characters += chunk.length;
  await job.result;
  if (characters !== count * 'chunk '.length) {
    throw new Error(`streaming lost data: ${characters} characters arrived`);
  }
  return count / (elapsedMs(start) / 1000);
}

async function measureStreams(redis, config) {
  const count = config.chunks;
  const manager = await startManager({ pluginConfigs: { chunks: {} } });
  const local = () => manager.submit('chunks', { count }, { stream: true });
  const prefix = nextPrefix();
  const node = new BullmqNode({
    connection: redis.url,
    prefix,
    manager: { adapter: benchAdapter, pluginConfigs: { chunks: {} } },
  });
  await node.start();
  const runner = new BullmqRunner({ connection: redis.url, prefix });
  const remote = () => runner.submit('chunks', { count }, { stream: true });
  await streamRate(local, count);
  await streamRate(remote, count);
  const localRates = [];
  const remoteRates = [];
  for (let round = 0; round < config.rounds; round++) {
    localRates.push(await streamRate(local, count));
    remoteRates.push(await streamRate(remote, count));
  }
  await runner.close();
  await node.close();
  await manager.shutdown();
  return { local: median(localRates), remote: median(remoteRates) };
}

export async function measureBullmq(config) {
  const redis = await startRedisServer();
  try {
    const roundTrip = await measureRoundTrip(redis, config);
    const scaling = await measureNodeScaling(redis, config);
    const streams = await measureStreams(redis, config);
    return { roundTrip, scaling, streams };
  } finally {
    await redis.stop();
  }
}
