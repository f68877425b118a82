// (1) The IPC floor: a bare fork echo. Round-trip latency and pipelined messages per second.
import { Bench } from 'tinybench';
import { startBareChild, stopBareChild } from '../lib/bare-child.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

/** Round trip and pipelined throughput of a bare child echo. */
export async function measureIpcFloor(config) {
  const child = await startBareChild('echo-child.mjs');
  let waiting = null;
  let remaining = 0;
  child.on('message', () => {
    if (remaining > 0 && --remaining === 0) waiting();
    else if (remaining === 0 && waiting) waiting();
  });
  let seq = 0;
  const message = () => ({ type: 'execute', job_id: `job-${seq++}`, plugin_name: 'noop' });

  const roundTrip = () =>
    new Promise((resolve) => {
      waiting = resolve;
      child.send(message());
    });

  const bench = new Bench({ time: config.latencyMs, warmup: true, warmupTime: 200 });
  bench.add('ipc floor round trip', roundTrip);
  await bench.run();
  const latency = bench.tasks[0].result.latency;

  const rates = [];
  for (let round = 0; round < config.rounds; round++) {
    const count = config.pipelined;
    const start = process.hrtime.bigint();
    await new Promise((resolve) => {
      waiting = resolve;
      remaining = count;
      for (let i = 0; i < count; i++) child.send(message());
    });
    rates.push(count / (elapsedMs(start) / 1000));
  }
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
  await stopBareChild(child);
  return {
    afterIdleP50: median(afterIdle),
    p50: latency.p50,
    p99: latency.p99,
    samples: latency.samplesCount,
    perSecond: median(rates),
  };
}
