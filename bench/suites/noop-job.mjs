// (2) A no-op plugwork job, submit to result, one worker: latency and pipelined throughput.
import { startEchoFloor } from '../lib/echo-floor.mjs';
import { startManager } from '../lib/manager.mjs';
import { startPairEcho } from '../lib/pair-echo.mjs';
import { blockInterleavedLatencies, elapsedMs, median, percentile } from '../lib/stats.mjs';

export async function measureNoopJob(config) {
  const manager = await startManager({ pluginConfigs: { noop: {} } });
  const job = () => manager.submit('noop').result;
  const echo = await startEchoFloor();
  // For context: the channel plugwork's Node workers use (a socket pair), echoing bare.
  const pair = await startPairEcho();
  for (let i = 0; i < 2_000; i++) {
    await job();
    await echo.roundTrip();
    await pair.roundTrip();
  }

  // Latency in blocks that take turns with blocks of the echo floor's round trips: the floor
  // suite's own numbers were measured minutes earlier, and this machine's round trip drifts by
  // more than the target's margin between two such moments (it read 57–69 µs in one hour).
  const [floorTimes, jobTimes, pairTimes] = await blockInterleavedLatencies(
    config.latencyBlocks,
    config.latencyBlockSize,
    [echo.roundTrip, job, pair.roundTrip],
  );
  await pair.stop();

  // Pipelined rounds take turns with rounds of the IPC floor's echo child, so that drift in the
  // machine touches both alike (the floor suite's own pipelined rate ran minutes earlier).
  await echo.pipelined(config.pipelined);
  const rates = [];
  const floorRates = [];
  for (let round = 0; round < config.rounds; round++) {
    floorRates.push(await echo.pipelined(config.pipelined));
    const start = process.hrtime.bigint();
    const results = [];
    for (let i = 0; i < config.pipelined; i++) results.push(job());
    await Promise.all(results);
    rates.push(config.pipelined / (elapsedMs(start) / 1000));
  }
  await echo.stop();
  await manager.shutdown();

  // For context: a worker runs one job at a time (so a kill cancels exactly one job), which caps
  // one worker's pipelined rate at about one job per round trip. A second worker adds another.
  const pool = await startManager({ poolSize: 2, pluginConfigs: { noop: {} } });
  const poolJob = () => pool.submit('noop').result;
  await Promise.all(Array.from({ length: 1000 }, poolJob));
  const poolRates = [];
  for (let round = 0; round < config.rounds; round++) {
    const start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: config.pipelined }, poolJob));
    poolRates.push(config.pipelined / (elapsedMs(start) / 1000));
  }
  await pool.shutdown();
  return {
    p50: percentile(jobTimes, 50),
    p99: percentile(jobTimes, 99),
    floorP50: percentile(floorTimes, 50),
    floorP99: percentile(floorTimes, 99),
    pairP50: percentile(pairTimes, 50),
    pairP99: percentile(pairTimes, 99),
    samples: jobTimes.length,
    perSecond: median(rates),
    floorPerSecond: median(floorRates),
    perSecondTwoWorkers: median(poolRates),
  };
}
