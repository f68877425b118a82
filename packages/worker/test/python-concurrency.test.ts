// Python plugins with concurrency above 1 (manifest `plugwork.concurrency`, or define_plugin's
// `concurrency`): one Python worker runs that many of their jobs at once, and the host, which
// mirrors the worker's start rule, sends them to it and counts them right.
import { fileURLToPath } from 'node:url';
import type { Job } from '@plugwork/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

const CONCURRENT = fileURLToPath(new URL('./fixtures/python/concurrent', import.meta.url));

describe('runtime python: concurrent plugins', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      runtime: 'python',
      adapter: {
        module: 'plugwork_worker.folder_adapter',
        export: 'FolderAdapter',
        options: { directories: [CONCURRENT] },
      },
      poolSize: 1,
      maxLoadedPlugins: 2,
      pluginConfigs: { nap: {} },
    });
  });
  afterAll(() => harness.close());

  /** What happened, in order: `start <id>` and `end <id>`. */
  function record(): { events: string[]; stop(): void } {
    const events: string[] = [];
    const started = (job: Job) => events.push(`start ${job.id}`);
    const ended = (job: Job) => events.push(`end ${job.id}`);
    harness.manager.on('job:started', started);
    harness.manager.on('job:completed', ended);
    return {
      events,
      stop() {
        harness.manager.off('job:started', started);
        harness.manager.off('job:completed', ended);
      },
    };
  }

  it('runs three jobs of a concurrency-3 plugin at once on one worker', async () => {
    const log = record();
    const jobs = ['a', 'b', 'c', 'd'].map((id) =>
      harness.manager.submit('nap', { ms: 600 }, { id: `nap-${id}` }),
    );
    // While they run, the worker reports the three it runs, as the host counts them.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const [state] = await harness.manager.getWorkerStates();
    expect(state!.runningJobIds).toEqual(['nap-a', 'nap-b', 'nap-c']);
    const results = await Promise.all(jobs.map((job) => job.result));
    log.stop();
    // The first three overlapped: all had started before any ended; the fourth waited.
    expect(log.events.slice(0, 3).sort()).toEqual(['start nap-a', 'start nap-b', 'start nap-c']);
    expect(log.events.indexOf('start nap-d')).toBeGreaterThan(3);
    // Each saw the ones that had begun before it: one, two and three running. Which thread gets
    // to count first is the scheduler's call, not the submission order.
    expect(
      results
        .slice(0, 3)
        .map((result) => result.running_at_start)
        .sort(),
    ).toEqual([1, 2, 3]);
    const workers = new Set(jobs.map((job) => job.snapshot().workerId));
    expect(workers).toEqual(new Set(['worker-1']));
  });

  it('streams overlap too, each job its own chunks, progress and cancel', async () => {
    const first = harness.manager.submit('nap', { chunks: 5, ms: 60, tag: 'x' }, { stream: true });
    const second = harness.manager.submit('nap', { chunks: 5, ms: 60, tag: 'y' }, { stream: true });
    const doomed = harness.manager.submit('nap', { ms: 30_000 });
    const read = async (job: typeof first) => {
      let text = '';
      for await (const chunk of job) text += chunk;
      return text;
    };
    const [x, y] = await Promise.all([read(first), read(second)]);
    expect(x).toBe('x0;x1;x2;x3;x4;');
    expect(y).toBe('y0;y1;y2;y3;y4;');
    expect(first.snapshot().progress).toBe(1);
    const started = Date.now();
    await harness.manager.cancel(doomed.id);
    await expect(doomed.result).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    // The plugin stopped by itself (well inside the grace period): no restart.
    expect(Date.now() - started).toBeLessThan(2_000);
    const [state] = await harness.manager.getWorkerStates();
    expect(state!.restarts).toBe(0);
  });

  it('a concurrency declared in code counts once the plugin is loaded', async () => {
    const log = record();
    const jobs = ['a', 'b'].map((id) =>
      harness.manager.submit('nap-code', { ms: 500 }, { id: `code-${id}` }),
    );
    await Promise.all(jobs.map((job) => job.result));
    log.stop();
    // Loaded by the first job (the host loads with a reload, whose answer says 2): both overlap.
    expect(log.events.slice(0, 2).sort()).toEqual(['start code-a', 'start code-b']);
  });
});
