#!/usr/bin/env node
// `pnpm bench`: every metric beside its baseline from the same run, as ratios, with the targets
// of BENCHMARKS.md. `--smoke` runs each suite briefly so CI keeps it working; it judges nothing.
import { Results } from './lib/results.mjs';
import { measureBareColdStart, measureBareRss } from './suites/bare-baselines.mjs';
import { measureBurstFloor } from './suites/burst-floor.mjs';
import { measureColdStart } from './suites/cold-start.mjs';
import { measureDiscovery } from './suites/discovery.mjs';
import { measureDurableStore } from './suites/durable-store.mjs';
import { measureIpcFloor } from './suites/ipc-floor.mjs';
import { measureWorkerRss } from './suites/memory.mjs';
import { measureNoopJob } from './suites/noop-job.mjs';
import { measurePiscina } from './suites/piscina-peer.mjs';
import { measurePoolScaling } from './suites/pool-scaling.mjs';
import { measureStreaming } from './suites/streaming.mjs';

const smoke = process.argv.includes('--smoke');
const config = smoke
  ? {
      latencyMs: 100,
      rounds: 1,
      pipelined: 500,
      cpuJobs: 20,
      chunks: 2_000,
      firstChunkJobs: 2,
      coldStarts: 1,
      fsPlugins: 50,
      npmPackages: 100,
      npmPlugins: 5,
      historyJobs: 2_000,
    }
  : {
      latencyMs: 3_000,
      rounds: 5,
      pipelined: 20_000,
      cpuJobs: 400,
      chunks: 100_000,
      firstChunkJobs: 25,
      coldStarts: 9,
      fsPlugins: 1_000,
      npmPackages: 1_000,
      npmPlugins: 50,
      historyJobs: 100_000,
    };

const results = new Results();
const step = (name) => console.error(`… ${name}`);

step('IPC floor (bare fork echo)');
const floor = await measureIpcFloor(config);
results.add({ name: '1. IPC floor round trip p50', value: floor.p50 * 1000, unit: 'µs' });
results.add({ name: '1. IPC floor round trip p99', value: floor.p99 * 1000, unit: 'µs' });
results.add({ name: '1. IPC floor pipelined', value: floor.perSecond, unit: 'msg/s' });

step('no-op job');
const noop = await measureNoopJob(config);
const floorP50 = { name: 'IPC floor p50', value: floor.p50 * 1000 };
results.add({
  name: '2. no-op job p50',
  value: noop.p50 * 1000,
  unit: 'µs',
  baseline: floorP50,
  targetRatio: { max: 1.3 },
});
results.add({
  name: '2. no-op job p99',
  value: noop.p99 * 1000,
  unit: 'µs',
  baseline: { name: 'IPC floor p99', value: floor.p99 * 1000 },
});
results.add({
  name: '2. no-op jobs pipelined',
  value: noop.perSecond,
  unit: 'jobs/s',
  baseline: { name: 'IPC floor', value: floor.perSecond },
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

step('streaming');
const streaming = await measureStreaming(config);
results.add({
  name: `4. streaming ${config.chunks} chunks`,
  value: streaming.perSecond,
  unit: 'chunks/s',
  baseline: { name: 'IPC floor', value: floor.perSecond },
  targetRatio: { min: 1 },
});
results.add({
  name: '4. time to first chunk',
  value: streaming.firstChunkMs * 1000,
  unit: 'µs',
  baseline: { name: 'IPC floor p50', value: floor.p50 * 1000 },
  targetRatio: { max: 2 },
});

const burstFloor = await measureBurstFloor(config);
results.add({
  name: '4. time to first chunk vs a busy bare child (context)',
  value: streaming.firstChunkMs * 1000,
  unit: 'µs',
  baseline: { name: 'bare child first message while producing', value: burstFloor * 1000 },
});

step('cold start');
const bareStart = await measureBareColdStart(config);
const coldStart = await measureColdStart(config);
results.add({
  name: '5. cold start to ready',
  value: coldStart,
  unit: 'ms',
  baseline: { name: 'bare fork to first message', value: bareStart },
  targetRatio: { max: 1.3 },
});

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
const bareRss = await measureBareRss();
const workerRss = await measureWorkerRss();
results.add({
  name: '7. idle worker RSS',
  value: workerRss,
  unit: 'MB',
  baseline: { name: 'bare node child', value: bareRss },
});
results.add({
  name: '7. idle worker RSS above bare child',
  value: workerRss - bareRss,
  unit: 'MB',
  targetValue: { max: 15 },
});

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

step('job store (SQLite vs memory)');
const durable = await measureDurableStore(config);
results.add({
  name: '9. no-op jobs pipelined, SQLite store',
  value: durable.sqlitePerSecond,
  unit: 'jobs/s',
  baseline: { name: 'memory store', value: durable.memoryPerSecond },
  targetRatio: { min: 0.7 },
});
results.add({
  name: '9. no-op job p50, SQLite store',
  value: durable.sqliteP50 * 1000,
  unit: 'µs',
  baseline: { name: 'memory store', value: durable.memoryP50 * 1000 },
  targetRatio: { max: 1.3 },
});
results.add({
  name: `9. history page of 50 from ${config.historyJobs} stored jobs`,
  value: durable.pageMs,
  unit: 'ms',
  targetValue: smoke ? undefined : { max: 5 },
});

results.print();
if (smoke) {
  console.log('Smoke run: every suite ran; timings are not judged and results.json is left alone.');
} else {
  results.write(new URL('./results.json', import.meta.url), { date: new Date().toISOString() });
  console.log('Wrote bench/results.json');
}
