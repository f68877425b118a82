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
const BARE_WORKER_SCRIPT = new URL('../fixtures/bullmq-bare-worker.mjs', import.meta.url);
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

async function spawnReady(script, args) {
  const child = spawn(process.execPath, [script.pathname, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => line === 'ready' && resolve());
    child.once('exit', (code) => reject(new Error(`${script.pathname} exited with ${code}`)));
  });
  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Jobs per second of `cpuJobs` CPU-bound jobs over `processes`, median of rounds. */
async function cpuRate(config, processes, submitBatch) {
  try {
    await submitBatch(processes.length * 10);
    const rates = [];
    for (let round = 0; round < config.rounds; round++) {
      const start = process.hrtime.bigint();
      await submitBatch(config.cpuJobs);
      rates.push(config.cpuJobs / (elapsedMs(start) / 1000));
    }
    return median(rates);
  } finally {
    // Also when a batch failed: a process left behind would keep the bench from exiting.
    await Promise.all(processes.map((child) => child.stop()));
  }
}

export async function measureNodeScaling(redis, config) {
  const rounds = config.cpuRounds ?? (await calibrateCpuRounds(5));
  const plugwork = async (count) => {
    const prefix = nextPrefix();
    const nodes = await Promise.all(
      Array.from({ length: count }, () => spawnReady(NODE_SCRIPT, [redis.url, prefix, '1'])),
    );
    const runner = new BullmqRunner({ connection: redis.url, prefix });
    const rate = await cpuRate(config, nodes, async (jobs) => {
      const handles = await Promise.all(
        Array.from({ length: jobs }, () => runner.submit('cpu', { rounds })),
      );
      await Promise.all(handles.map((job) => job.result));
    });
    await runner.close();
    return rate;
  };
  const bare = async (count) => {
    const prefix = nextPrefix();
    const workers = await Promise.all(
      Array.from({ length: count }, () =>
        spawnReady(BARE_WORKER_SCRIPT, [String(redis.port), prefix]),
      ),
    );
    const connection = { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null };
    const queue = new Queue('cpu', { connection, prefix });
    // waitUntilFinished adds a 'closing' listener to the queue per job it waits for: a round's
    // jobs are awaited together, beyond Node's default warning bound of 10.
    queue.setMaxListeners(0);
    const events = new QueueEvents('cpu', { connection, prefix });
    await events.waitUntilReady();
    const rate = await cpuRate(config, workers, async (jobs) => {
      const added = await Promise.all(
        Array.from({ length: jobs }, () => queue.add('cpu', { rounds })),
      );
      await Promise.all(added.map((job) => job.waitUntilFinished(events)));
    });
    await Promise.all([events.close(), queue.close()]);
    return rate;
  };
  const one = await plugwork(1);
  const two = await plugwork(2);
  const bareOne = await bare(1);
  const bareTwo = await bare(2);
  return { rounds, one, two, bareOne, bareTwo };
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
