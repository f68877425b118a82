// (1) The IPC floor: a bare fork echo. Round-trip latency and pipelined messages per second.
import { Bench } from 'tinybench';
import { startEchoFloor } from '../lib/echo-floor.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

/** Round trip and pipelined throughput of a bare child echo. */
export async function measureIpcFloor(config) {
  const echo = await startEchoFloor();
  const roundTrip = echo.roundTrip;

  const bench = new Bench({ time: config.latencyMs, warmup: true, warmupTime: 200 });
  bench.add('ipc floor round trip', roundTrip);
  await bench.run();
  const latency = bench.tasks[0].result.latency;

  const rates = [];
  for (let round = 0; round < config.rounds; round++)
    rates.push(await echo.pipelined(config.pipelined));
  // For context: the same round trip when both processes have been idle for a few
  // milliseconds first, as a worker is between two jobs that the host takes time to digest
  // (a streaming job's last, large chunk). Waking an idle process costs far more on this
  // virtual machine than answering one that was busy a moment ago.
  const afterIdle = [];
  for (let i = 0; i < config.idleRoundTrips; i++) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    const start = process.hrtime.bigint();
    await roundTrip();
    afterIdle.push(elapsedMs(start));
  }
  await echo.stop();
  return {
    afterIdleP50: median(afterIdle),
    p50: latency.p50,
    p99: latency.p99,
    samples: latency.samplesCount,
    perSecond: median(rates),
  };
}
