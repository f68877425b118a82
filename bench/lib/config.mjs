// How much each suite runs: the full run `pnpm bench` judges, and the smoke run (`--smoke`) that
// `pnpm test` uses to keep every suite working, which judges nothing.

/** @param {boolean} smoke */
export function benchConfig(smoke) {
  return smoke ? SMOKE : FULL;
}

const SMOKE = {
  latencyMs: 100,
  latencyBlocks: 2,
  latencyBlockSize: 50,
  placementBlocks: 1,
  rounds: 1,
  pipelined: 500,
  cpuJobs: 20,
  chunks: 2_000,
  firstChunkJobs: 2,
  idleRoundTrips: 3,
  coldStarts: 1,
  fsPlugins: 50,
  npmPackages: 100,
  npmPlugins: 5,
  waitJobs: 20,
  waitWarmup: 1,
  waitRounds: 1,
  burstJobs: 300,
  bigRounds: 2,
  bullmqWarmup: 5,
  bullmqJobs: 20,
  historyJobs: 2_000,
};

const FULL = {
  latencyMs: 3_000,
  latencyBlocks: 40,
  latencyBlockSize: 500,
  placementBlocks: 20,
  rounds: 5,
  pipelined: 20_000,
  cpuJobs: 400,
  chunks: 100_000,
  firstChunkJobs: 25,
  idleRoundTrips: 60,
  coldStarts: 9,
  fsPlugins: 1_000,
  npmPackages: 1_000,
  npmPlugins: 50,
  waitJobs: 200,
  waitWarmup: 20,
  waitRounds: 9,
  burstJobs: 10_000,
  bigRounds: 30,
  bullmqWarmup: 100,
  bullmqJobs: 200,
  historyJobs: 100_000,
};
