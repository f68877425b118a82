#!/usr/bin/env node
// `pnpm bench`: every metric beside its baseline from the same run, as ratios, with the targets
// of BENCHMARKS.md. `--smoke` runs each suite briefly so CI keeps it working; it judges nothing.
import { loadavg } from 'node:os';
import { benchConfig } from './lib/config.mjs';
import { Results } from './lib/results.mjs';
import { measureBareColdStart, measureBareMemory } from './suites/bare-baselines.mjs';
import { measureBigResult } from './suites/big-result.mjs';
import { measureBullmq } from './suites/bullmq.mjs';
import { measureBurstFloor } from './suites/burst-floor.mjs';
import { measureBurstJobs } from './suites/burst-jobs.mjs';
import { measureColdStart } from './suites/cold-start.mjs';
import { measureCpuPlacement } from './suites/cpu-placement.mjs';
import { measureDiscovery } from './suites/discovery.mjs';
import { measureDurableStore } from './suites/durable-store.mjs';
import { measureFirstResult } from './suites/first-result.mjs';
import { measureIpcFloor } from './suites/ipc-floor.mjs';
import { measureWorkerMemory } from './suites/memory.mjs';
import { measureNoopJob } from './suites/noop-job.mjs';
import { measurePeerRss } from './suites/peer-rss.mjs';
import { measurePiscina } from './suites/piscina-peer.mjs';
import { measurePoolScaling } from './suites/pool-scaling.mjs';
import { measurePythonWorker } from './suites/python-worker.mjs';
import { measureStreaming } from './suites/streaming.mjs';
import { measureWaitJobs } from './suites/wait-jobs.mjs';

const smoke = process.argv.includes('--smoke');
const config = benchConfig(smoke);

const results = new Results();
// Other processes on the machine move every timing: the load average at the start and the end
// goes into results.json, so a reader can tell a quiet run from a busy one.
const loadAtStart = loadavg()[0];
const step = (name) => console.error(`… ${name}`);

step('IPC floor (bare fork echo)');
const floor = await measureIpcFloor(config);
results.add({ name: '1. IPC floor round trip p50', value: floor.p50 * 1000, unit: 'µs' });
results.add({ name: '1. IPC floor round trip p99', value: floor.p99 * 1000, unit: 'µs' });
results.add({ name: '1. IPC floor pipelined', value: floor.perSecond, unit: 'msg/s' });
results.add({
  name: '1. IPC floor round trip after 2 ms idle p50 (context)',
  value: floor.afterIdleP50 * 1000,
  unit: 'µs',
  baseline: { name: 'IPC floor p50', value: floor.p50 * 1000 },
});

step('no-op job');
const noop = await measureNoopJob(config);
results.add({
  name: '2. no-op job p50',
  value: noop.p50 * 1000,
  unit: 'µs',
  baseline: { name: 'IPC floor p50, blocks taking turns with these', value: noop.floorP50 * 1000 },
  targetRatio: { max: 1.3 },
});
results.add({
  name: '2. no-op job p99',
  value: noop.p99 * 1000,
  unit: 'µs',
  baseline: { name: 'IPC floor p99, blocks taking turns with these', value: noop.floorP99 * 1000 },
  targetRatio: { max: 1.3 },
});
results.add({
  name: '2. socket-pair echo round trip p50, the channel plugwork uses, bare (context)',
  value: noop.pairP50 * 1000,
  unit: 'µs',
  baseline: { name: 'IPC floor p50, blocks taking turns with these', value: noop.floorP50 * 1000 },
});
results.add({
  name: '2. socket-pair echo round trip p99 (context)',
  value: noop.pairP99 * 1000,
  unit: 'µs',
  baseline: { name: 'IPC floor p99, blocks taking turns with these', value: noop.floorP99 * 1000 },
});
step('no-op job, host and worker pinned to two CPUs and to one');
// Where a CPU is pinned, nothing else that wakes on it can move away: the p99 of the two-CPU
// placement measures that, not plugwork, and is left out.
const placement = await measureCpuPlacement(config);
for (const [name, label, percentiles] of [
  ['apart', 'host and worker pinned to two CPUs', [50]],
  ['shared', 'host and worker pinned to one CPU', [50, 99]],
]) {
  for (const p of placement === undefined ? [] : percentiles) {
    results.add({
      name: `2. no-op job p${p}, ${label} (context)`,
      value: placement[name][`p${p}`] * 1000,
      unit: 'µs',
      baseline: {
        name: `IPC floor p${p}, pinned the same way`,
        value: placement[name][`floorP${p}`] * 1000,
      },
    });
  }
}
results.add({
  name: '2. no-op jobs pipelined',
  value: noop.perSecond,
  unit: 'jobs/s',
  baseline: { name: 'IPC floor, rounds taking turns with these', value: noop.floorPerSecond },
  targetRatio: { min: 0.6 },
});

results.add({
  name: '2. no-op jobs pipelined, 2 workers (context)',
  value: noop.perSecondTwoWorkers,
  unit: 'jobs/s',
  baseline: { name: 'IPC floor', value: floor.perSecond },
});

step('pool scaling');
const pool = await measurePoolScaling(config);
results.add({
  name: '3. ~5 ms CPU jobs, 1 worker',
  value: pool.one,
  unit: 'jobs/s',
  note: `${pool.rounds} sha256 rounds per job`,
});
results.add({
  name: '3. ~5 ms CPU jobs, 2 workers',
  value: pool.two,
  unit: 'jobs/s',
  baseline: { name: '1 worker', value: pool.one },
  targetRatio: { min: 1.85 },
});
results.add({
  name: '3. ~5 ms CPU jobs, 2 bare children vs 1 (the machine, context)',
  value: pool.bareTwo,
  unit: 'jobs/s',
  baseline: { name: '1 bare child', value: pool.bareOne },
});
results.add({
  name: '3. ~5 ms CPU jobs, 2 workers vs 2 bare children',
  value: pool.two,
  unit: 'jobs/s',
  baseline: { name: '2 bare children', value: pool.bareTwo },
});

step('streaming');
const streaming = await measureStreaming(config);
results.add({
  name: `4. streaming ${config.chunks} chunks`,
  value: streaming.perSecond,
  unit: 'chunks/s',
  baseline: { name: 'IPC floor', value: floor.perSecond },
  targetRatio: { min: 1 },
});
// The floor for a first chunk is a bare child over the same channel that, like the plugin, sends
// one chunk and keeps producing, measured in the same pattern (a job right after the last one's
// big final chunk): then the idle child's wake-up is on both sides. The echo round trip of a hot
// loop, where neither process sleeps long enough to be woken from idle, is kept for context.
const burstFloor = await measureBurstFloor(config);
results.add({
  name: '4. time to first chunk',
  value: streaming.firstChunkMs * 1000,
  unit: 'µs',
  baseline: { name: 'bare child first message while producing', value: burstFloor * 1000 },
  targetRatio: { max: 2 },
});
results.add({
  name: '4. time to first chunk vs the echo round trip of a hot loop (context)',
  value: streaming.firstChunkMs * 1000,
  unit: 'µs',
  baseline: { name: 'IPC floor p50', value: floor.p50 * 1000 },
});

// A producing worker's garbage collector runs threads on every core, the host's included:
// the same runs with workers started with V8's --single-threaded-gc, for context.
const streamingOneGcThread = await measureStreaming(config, { execArgv: ['--single-threaded-gc'] });
results.add({
  name: '4. time to first chunk, workers with --single-threaded-gc (context)',
  value: streamingOneGcThread.firstChunkMs * 1000,
  unit: 'µs',
  baseline: { name: 'bare child first message while producing', value: burstFloor * 1000 },
});

// The same runs with workers at the host's nice value plus 10 (worker.niceIncrement 10): the
// host then gets a core at once when the chunk arrives, whatever the producing worker does.
const streamingNiced = await measureStreaming(config, { niceIncrement: 10 });
results.add({
  name: '4. time to first chunk, worker.niceIncrement 10',
  value: streamingNiced.firstChunkMs * 1000,
  unit: 'µs',
  baseline: { name: 'bare child first message while producing', value: burstFloor * 1000 },
  targetRatio: { max: 2 },
});
results.add({
  name: '4. streaming rate, worker.niceIncrement 10 (context)',
  value: streamingNiced.perSecond,
  unit: 'chunks/s',
  baseline: { name: 'streaming, default priority', value: streaming.perSecond },
});

step('cold start');
// Both sides start Node with the same environment. This machine sets NODE_EXTRA_CA_CERTS,
// which every Node start pays for; the second pair of runs leaves it out on both sides.
const caCerts = process.env.NODE_EXTRA_CA_CERTS !== undefined;
const sameEnv = `both sides inherit the host's environment (NODE_EXTRA_CA_CERTS ${caCerts ? 'set' : 'not set'})`;
const bareStart = await measureBareColdStart(config);
const coldStart = await measureColdStart(config);
results.add({
  name: '5. cold start to ready',
  value: coldStart,
  unit: 'ms',
  baseline: { name: 'bare fork to first message', value: bareStart },
  targetRatio: { max: 1.3 },
  note: sameEnv,
});
if (caCerts) {
  const { NODE_EXTRA_CA_CERTS: _omitted, ...withoutCaCerts } = process.env;
  const bareStartNoCa = await measureBareColdStart(config, withoutCaCerts);
  const coldStartNoCa = await measureColdStart(config, withoutCaCerts);
  results.add({
    name: '5. cold start to ready, without NODE_EXTRA_CA_CERTS (context)',
    value: coldStartNoCa,
    unit: 'ms',
    baseline: { name: 'bare fork to first message, same env', value: bareStartNoCa },
    note: 'NODE_EXTRA_CA_CERTS removed on both sides',
  });
}

step('discovery');
const discovery = await measureDiscovery(config);
results.add({
  name: `6. adapter-fs discovery, ${config.fsPlugins} folders`,
  value: discovery.fsMs,
  unit: 'ms',
  targetValue: smoke ? undefined : { max: 100 },
});
results.add({
  name: `6. adapter-npm discovery, ${config.npmPackages} packages / ${config.npmPlugins} plugins`,
  value: discovery.npmMs,
  unit: 'ms',
  targetValue: smoke ? undefined : { max: 300 },
});

step('idle memory');
const bareMemory = await measureBareMemory();
const workerMemory = await measureWorkerMemory();
const bareRss = bareMemory.rss;
results.add({
  name: '7. idle worker RSS',
  value: workerMemory.rss,
  unit: 'MB',
  baseline: { name: 'bare node child', value: bareRss },
});
results.add({
  name: '7. idle worker RSS above bare child',
  value: workerMemory.rss - bareRss,
  unit: 'MB',
  targetValue: { max: 5 },
});
if (workerMemory.private !== undefined && bareMemory.private !== undefined) {
  results.add({
    name: '7. idle worker private memory above bare child (context)',
    value: workerMemory.private - bareMemory.private,
    unit: 'MB',
    note: `pages only the process uses: ${workerMemory.private.toFixed(2)} MB vs ${bareMemory.private.toFixed(2)} MB; RSS also counts node's shared code pages`,
  });
}

step('piscina peer');
const piscina = await measurePiscina(config);
results.add({
  name: '8. piscina no-op p50 (threads, no isolation)',
  value: piscina.p50 * 1000,
  unit: 'µs',
  baseline: { name: 'plugwork no-op p50', value: noop.p50 * 1000 },
});
results.add({
  name: '8. piscina no-op pipelined',
  value: piscina.perSecond,
  unit: 'jobs/s',
  baseline: { name: 'plugwork no-op', value: noop.perSecond },
});

step('peers: 200 jobs awaiting 10 ms, 2 workers');
const wait = await measureWaitJobs(config);
const waitRow = results.suite(`9. ${wait.count} jobs awaiting 10 ms, 2 workers`, {
  unit: 'jobs/s',
});
peerRows(waitRow, {
  floor: { label: 'IPC floor', name: 'IPC floor, 2 bare children', value: wait.floor },
  plugwork: {
    label: 'plugwork (plugin concurrency 100)',
    value: wait.plugwork,
    targetRatio: { min: 0.8 },
  },
  peers: wait.peers,
});
const tinypoolWait = wait.peers.find((peer) => peer.name === 'tinypool child_process c100');
waitRow('plugwork vs tinypool child_process c100', wait.plugwork, {
  baseline: { name: 'tinypool child_process c100', value: tinypoolWait.value },
  targetRatio: { min: 1 },
});
waitRow('plugwork, a fresh manager after 1 warm-up round (context)', wait.plugworkFresh, {
  baseline: { name: 'IPC floor, 2 bare children', value: wait.floor },
});

step('peers: no-op jobs submitted at once, 1 worker');
const burst = await measureBurstJobs(config);
const burstRow = results.suite(`10. ${burst.count} no-op jobs at once, 1 worker`, {
  unit: 'jobs/s',
});
peerRows(burstRow, {
  floor: { label: 'IPC floor', name: 'IPC floor, bare child', value: burst.floor },
  plugwork: { label: 'plugwork', value: burst.plugwork, targetRatio: { min: 0.6 } },
  peers: burst.peers,
});
const bestBurst = burst.peers.reduce((best, peer) => (peer.value > best.value ? peer : best));
burstRow('plugwork vs the best peer', burst.plugwork, {
  baseline: { name: bestBurst.name, value: bestBurst.value },
  targetRatio: { min: 1 },
});

step('peers: 1 MB result');
const big = await measureBigResult(config);
peerRows(results.suite('11. 1 MB JSON result p50', { unit: 'ms' }), {
  floor: { label: 'IPC floor', name: 'IPC floor, bare child', value: big.floor },
  plugwork: { label: 'plugwork', value: big.plugwork, targetRatio: { max: 1.5 } },
  peers: big.peers,
});

step('peers: cold start to first result');
const first = await measureFirstResult(config);
peerRows(results.suite('12. cold start to first result', { unit: 'ms', note: sameEnv }), {
  floor: { label: 'bare fork', name: 'bare fork to first result', value: first.floor },
  plugwork: { label: 'plugwork', value: first.plugwork },
  peers: first.peers,
});

step('peers: idle worker RSS');
const peerRssRow = results.suite('13. idle worker RSS above bare child', { unit: 'MB' });
for (const peer of await measurePeerRss()) {
  peerRssRow(peer.name, peer.value - bareRss, {
    note: `${peer.value.toFixed(2)} MB; bare node child ${bareRss.toFixed(2)} MB`,
  });
}

step('python worker');
const python = await measurePythonWorker(config);
results.add({ name: '14. python echo round trip p50', value: python.echoP50 * 1000, unit: 'µs' });
results.add({
  name: '14. python no-op job p50',
  value: python.jobP50 * 1000,
  unit: 'µs',
  baseline: { name: 'python echo p50', value: python.echoP50 * 1000 },
  targetRatio: { max: 1.5 },
});
results.add({
  name: '14. python no-op job p50, a Python worker that only answers (the host alone, context)',
  value: python.answerP50 * 1000,
  unit: 'µs',
  baseline: { name: 'python echo p50', value: python.echoP50 * 1000 },
});
results.add({
  name: '14. python cold start to ready',
  value: python.coldStartMs,
  unit: 'ms',
  baseline: { name: 'python3 -c pass', value: python.pythonPassMs },
});

step('bullmq (a local redis-server)');
const bullmq = await measureBullmq(config);
results.add({
  name: '15. bullmq no-op round trip',
  value: bullmq.roundTrip.plugworkMs * 1000,
  unit: 'µs',
  baseline: { name: 'bare BullMQ worker', value: bullmq.roundTrip.bareMs * 1000 },
  targetRatio: { max: 1.5 },
});
results.add({
  name: '15. bullmq ~5 ms CPU jobs, 1 node (pool 1)',
  value: bullmq.scaling.one,
  unit: 'jobs/s',
});
results.add({
  name: '15. bullmq ~5 ms CPU jobs, 2 nodes (pool 1 each)',
  value: bullmq.scaling.two,
  unit: 'jobs/s',
  baseline: { name: '1 node', value: bullmq.scaling.one },
  targetRatio: { min: 1.7 },
});
results.add({
  name: '15. bare BullMQ ~5 ms CPU jobs, 2 workers vs 1 (context)',
  value: bullmq.scaling.bareTwo,
  unit: 'jobs/s',
  baseline: { name: '1 bare worker', value: bullmq.scaling.bareOne },
});
results.add({
  name: `15. bullmq streaming ${config.chunks} chunks across Redis`,
  value: bullmq.streams.remote,
  unit: 'chunks/s',
  baseline: { name: 'local stream', value: bullmq.streams.local },
});

step('job store (SQLite vs memory)');
const durable = await measureDurableStore(config);
results.add({
  name: '16. no-op jobs pipelined, SQLite store',
  value: durable.sqlitePerSecond,
  unit: 'jobs/s',
  baseline: { name: 'memory store', value: durable.memoryPerSecond },
  targetRatio: { min: 0.7 },
});
results.add({
  name: '16. no-op job p50, SQLite store',
  value: durable.sqliteP50 * 1000,
  unit: 'µs',
  baseline: { name: 'memory store', value: durable.memoryP50 * 1000 },
  targetRatio: { max: 1.3 },
});
results.add({
  name: `16. history page of 50 from ${config.historyJobs} stored jobs`,
  value: durable.pageMs,
  unit: 'ms',
  targetValue: smoke ? undefined : { max: 5 },
});

results.print();
if (smoke) {
  console.log('Smoke run: every suite ran; timings are not judged and results.json is left alone.');
} else {
  results.write(new URL('./results.json', import.meta.url), {
    date: new Date().toISOString(),
    loadAverage1m: {
      start: Math.round(loadAtStart * 100) / 100,
      end: Math.round(loadavg()[0] * 100) / 100,
    },
  });
  console.log('Wrote bench/results.json');
}

/**
 * The rows of a peers suite: its floor, plugwork against the floor (judged when it has a
 * targetRatio), and every peer against the floor.
 * @param {ReturnType<Results['suite']>} row
 * @param {{ floor: { label: string, name: string, value: number },
 *   plugwork: { label: string, value: number, targetRatio?: { min?: number, max?: number } },
 *   peers: { name: string, value: number }[] }} suite
 */
function peerRows(row, { floor, plugwork, peers }) {
  const baseline = { name: floor.name, value: floor.value };
  row(floor.label, floor.value);
  row(plugwork.label, plugwork.value, { baseline, targetRatio: plugwork.targetRatio });
  for (const peer of peers) row(peer.name, peer.value, { baseline });
}
