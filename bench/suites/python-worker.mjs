// (9) Python workers: a no-op job on a Python worker vs a bare Python NDJSON echo child over the
// same kind of socket, and cold start to ready vs a bare `python3 -c pass`.
import { fsAdapter } from '@plugwork/adapter-fs';
import { JobManager } from '@plugwork/worker';
import { Bench } from 'tinybench';
import { startPythonChild, timePythonPass } from '../lib/python.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

const adapter = fsAdapter({
  directories: [new URL('../fixtures/python-plugins', import.meta.url).pathname],
});

function startManager() {
  return new JobManager({
    adapter,
    runtime: 'python',
    pluginConfigs: { noop: {} },
    queue: { maxSize: 1_000_000 },
    retainJobs: 0,
  });
}

export async function measurePythonWorker(config) {
  const echo = await startPythonChild('python-echo-child.py');
  let seq = 0;
  const echoBench = new Bench({ time: config.latencyMs, warmup: true, warmupTime: 200 });
  echoBench.add('python echo round trip', () =>
    echo.request({ type: 'execute', job_id: `job-${seq++}`, plugin_name: 'noop' }),
  );

  const manager = startManager();
  await manager.start();
  for (let i = 0; i < 200; i++) await manager.submit('noop').result;
  const jobBench = new Bench({ time: config.latencyMs, warmup: true, warmupTime: 200 });
  jobBench.add('python no-op job', () => manager.submit('noop').result);

  // Rounds interleaved, so a noisy moment on the machine hits both sides alike.
  const echoP50 = [];
  const jobP50 = [];
  for (let round = 0; round < config.rounds; round++) {
    await echoBench.run();
    echoP50.push(echoBench.tasks[0].result.latency.p50);
    await jobBench.run();
    jobP50.push(jobBench.tasks[0].result.latency.p50);
  }
  await manager.shutdown();
  await echo.stop();

  const starts = [];
  const passes = [];
  for (let round = 0; round < config.coldStarts; round++) {
    passes.push(await timePythonPass());
    const start = process.hrtime.bigint();
    const cold = startManager();
    await cold.start();
    starts.push(elapsedMs(start));
    await cold.shutdown();
  }
  return {
    echoP50: median(echoP50),
    jobP50: median(jobP50),
    coldStartMs: median(starts),
    pythonPassMs: median(passes),
  };
}
