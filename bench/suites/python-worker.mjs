// (9) Python workers: a no-op job on a Python worker vs a bare Python NDJSON echo child over the
// same kind of socket, and cold start to ready vs a bare `python3 -c pass`. For context, the
// same no-op through a Python process that only answers: what the host's side costs alone.
import { fsAdapter } from '@plugwork/adapter-fs';
import { JobManager } from '@plugwork/worker';
import { Bench } from 'tinybench';
import { startPythonChild, timePythonPass } from '../lib/python.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

const adapter = fsAdapter({
  directories: [new URL('../fixtures/python-plugins', import.meta.url).pathname],
});

function startManager(worker = {}) {
  return new JobManager({
    adapter,
    runtime: 'python',
    pluginConfigs: { noop: {} },
    queue: { maxSize: 1_000_000 },
    retainJobs: 0,
    worker,
  });
}

/** A Python "worker" that only answers (bench/fixtures/python-answer-child.py). */
const ANSWER_ONLY = new URL('../fixtures/python-answer-child.sh', import.meta.url).pathname;

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

  const answering = startManager({ pythonPath: ANSWER_ONLY });
  await answering.start();
  for (let i = 0; i < 200; i++) await answering.submit('noop').result;
  const answerBench = new Bench({ time: config.latencyMs, warmup: true, warmupTime: 200 });
  answerBench.add('python answer-only worker', () => answering.submit('noop').result);

  // Rounds interleaved, so a noisy moment on the machine hits both sides alike. A tinybench
  // task runs once: reset() makes each round a run of its own (without it, every round after
  // the first repeated the first one's numbers).
  const echoP50 = [];
  const jobP50 = [];
  const answerP50 = [];
  const p50 = async (bench) => {
    bench.reset();
    await bench.run();
    return bench.tasks[0].result.latency.p50;
  };
  for (let round = 0; round < config.rounds; round++) {
    echoP50.push(await p50(echoBench));
    jobP50.push(await p50(jobBench));
    answerP50.push(await p50(answerBench));
  }
  await manager.shutdown();
  await answering.shutdown();
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
    answerP50: median(answerP50),
    coldStartMs: median(starts),
    pythonPassMs: median(passes),
  };
}
