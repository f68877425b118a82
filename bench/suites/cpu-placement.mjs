// (2, context) Where the no-op round trip's tail comes from: the same blocks as suite 2, with the
// host pinned to one CPU and the worker and the echo child pinned first to the other CPU, then
// to the host's. The echo floor's host does nothing between its write and its next read, so
// sharing a CPU costs it little; plugwork's host keeps the books of a job after its request is
// written, which runs beside the worker on a CPU of its own and after it on a shared one. The
// scheduler puts a woken worker on the host's CPU now and then, when the other one is busy:
// BENCHMARKS.md ("Where the no-op tail comes from") measures how often, and what it costs.

import { canPin, cpuListOf, cpusIn, pin } from '../lib/cpu-pinning.mjs';
import { startEchoFloor } from '../lib/echo-floor.mjs';
import { startManager } from '../lib/manager.mjs';
import { blockInterleavedLatencies, percentile } from '../lib/stats.mjs';

/** Undefined where the machine cannot pin (not Linux, no taskset, one CPU). */
export async function measureCpuPlacement(config) {
  if (!canPin()) return undefined;
  const manager = await startManager({ pluginConfigs: { noop: {} } });
  const job = () => manager.submit('noop').result;
  const echo = await startEchoFloor();
  const [worker] = await manager.getWorkerStates();
  const hostCpus = cpuListOf(process.pid);
  const childCpus = cpuListOf(worker.pid);
  const [hostCpu, otherCpu] = cpusIn(hostCpus);
  const placements = {};
  try {
    pin(process.pid, hostCpu);
    for (const [name, cpu] of [
      ['apart', otherCpu],
      ['shared', hostCpu],
    ]) {
      pin(worker.pid, cpu);
      pin(echo.pid, cpu);
      for (let i = 0; i < 1_000; i++) {
        await job();
        await echo.roundTrip();
      }
      const [floorTimes, jobTimes] = await blockInterleavedLatencies(
        config.placementBlocks,
        config.latencyBlockSize,
        [echo.roundTrip, job],
      );
      placements[name] = {
        p50: percentile(jobTimes, 50),
        p99: percentile(jobTimes, 99),
        floorP50: percentile(floorTimes, 50),
        floorP99: percentile(floorTimes, 99),
      };
    }
  } finally {
    pin(process.pid, hostCpus);
    pin(worker.pid, childCpus);
    pin(echo.pid, childCpus);
  }
  await echo.stop();
  await manager.shutdown();
  return placements;
}
