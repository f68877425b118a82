// Job options and the job store through the JobManager: retries with backoff, priorities,
// delays, idempotent ids, history, and what a SQLite store keeps across a restart.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Job, type JobManager, WorkerErrorCode } from '@plugwork/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness } from './helpers.ts';
import { tempDir } from './store/store-helpers.ts';

const runsOf = (file: string, id: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line === id).length;

describe('durable jobs', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function manager(options: Record<string, unknown> = {}): Promise<JobManager> {
    const harness = await startHarness({ pluginConfigs: { echo: {} }, ...options });
    cleanups.push(() => harness.close());
    return harness.manager;
  }

  function temp(): string {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    return dir;
  }

  describe.each(['memory', 'sqlite'] as const)('with the %s store', (kind) => {
    const storeOption = () => (kind === 'memory' ? 'memory' : { sqlite: join(temp(), 'jobs.db') });

    it('retries a failing plugin with exponential backoff, recording each attempt', async () => {
      const runs = join(temp(), 'runs');
      writeFileSync(runs, '');
      const jobs = await manager({ store: storeOption() });
      const started: number[] = [];
      jobs.on('job:started', (job) => started.push(Date.now() - job.submittedAt));
      const retrying: Job[] = [];
      jobs.on('job:retrying', (job) => retrying.push(job));
      const job = jobs.submit(
        'flaky',
        { file: runs, failures: 2 },
        { attempts: 3, backoff: { type: 'exponential', delayMs: 150 } },
      );
      expect(await job.result).toEqual({ runs: 3 });
      const done = await job.done;
      expect(done.attempts.map((attempt) => attempt.error?.code)).toEqual([
        WorkerErrorCode.PLUGIN_ERROR,
        WorkerErrorCode.PLUGIN_ERROR,
        undefined,
      ]);
      expect(retrying).toHaveLength(2);
      // Waits of 150 ms, then 300 ms, before the second and third attempts.
      expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(140);
      expect(started[2]! - started[1]!).toBeGreaterThanOrEqual(290);
      expect(runsOf(runs, job.id)).toBe(3);
      expect(jobs.getJob(job.id)?.attempts).toHaveLength(3);
    });

    it('fails once the attempts are used up, or at once for what retryOn leaves out', async () => {
      const runs = join(temp(), 'runs');
      writeFileSync(runs, '');
      const jobs = await manager({ store: storeOption() });
      const used = jobs.submit('flaky', { file: runs, failures: 5 }, { attempts: 2 });
      await expect(used.result).rejects.toMatchObject({ code: WorkerErrorCode.PLUGIN_ERROR });
      expect(runsOf(runs, used.id)).toBe(2);
      const crashesOnly = jobs.submit(
        'flaky',
        { file: runs, failures: 5 },
        { attempts: 4, retryOn: ['crash'] },
      );
      await expect(crashesOnly.result).rejects.toMatchObject({
        code: WorkerErrorCode.PLUGIN_ERROR,
      });
      expect(runsOf(runs, crashesOnly.id)).toBe(1);
    });

    it('retries a job whose worker crashed under it', async () => {
      const runs = join(temp(), 'runs');
      writeFileSync(runs, '');
      const jobs = await manager({
        store: storeOption(),
        restart: { policy: 'always', baseDelayMs: 0 },
      });
      const job = jobs.submit('flaky', { file: runs, failures: 1, crash: true }, { attempts: 2 });
      expect(await job.result).toEqual({ runs: 2 });
      expect((await job.done).attempts[0]?.error?.code).toBe(WorkerErrorCode.WORKER_CRASHED);
    });

    it('never retries a cancellation', async () => {
      const jobs = await manager({ store: storeOption() });
      const started = new Promise((resolve) => jobs.once('job:started', resolve));
      const job = jobs.submit('sleep', { ms: 10_000 }, { attempts: 5 });
      await started;
      await job.cancel();
      const done = await job.done;
      expect(done.status).toBe('cancelled');
      expect(done.attempts).toHaveLength(1);
    });

    it('runs queued jobs by priority, then in submission order, and holds delayed ones back', async () => {
      const jobs = await manager({ store: storeOption(), prefetch: 0 });
      const order: string[] = [];
      jobs.on('job:started', (job) => order.push(job.id));
      const blocker = jobs.submit('sleep', { ms: 300 }, { id: 'blocker' });
      expect(order).toEqual(['blocker']);
      const submittedAt = Date.now();
      // The delay is far beyond the blocker's end, so that a loaded machine that ends the
      // blocker late still finds 'later' not yet due when the others run.
      const handles = [
        jobs.submit('noop', {}, { id: 'later', delay: 1_500, priority: 0 }),
        jobs.submit('noop', {}, { id: 'p5-a', priority: 5 }),
        jobs.submit('noop', {}, { id: 'p1', priority: 1 }),
        jobs.submit('noop', {}, { id: 'p5-b', priority: 5 }),
        jobs.submit('noop', {}, { id: 'p0' }),
      ];
      await Promise.all([blocker.done, ...handles.map((handle) => handle.done)]);
      expect(order).toEqual(['blocker', 'p0', 'p1', 'p5-a', 'p5-b', 'later']);
      const later = jobs.getJob('later')!;
      expect(later.startedAt! - submittedAt).toBeGreaterThanOrEqual(1_490);
      expect(later.runAt).toBe(later.submittedAt + 1_500);
    });

    it('lists history by status, plugin and time, a page at a time', async () => {
      const jobs = await manager({ store: storeOption() });
      const since = Date.now();
      for (let index = 0; index < 7; index++) {
        await jobs.submit(index % 2 === 0 ? 'echo' : 'noop', { text: `${index}` }).done;
      }
      await jobs.submit('throws').done;
      const first = jobs.listJobs({ plugin: 'echo', order: 'newest', limit: 3, since });
      expect(first.map((job) => job.params.text)).toEqual(['6', '4', '2']);
      const second = jobs.listJobs({
        plugin: 'echo',
        order: 'newest',
        limit: 3,
        since,
        cursor: first.nextCursor,
      });
      expect(second.map((job) => job.params.text)).toEqual(['0']);
      expect(second.nextCursor).toBeUndefined();
      expect(jobs.listJobs({ status: 'failed' }).map((job) => job.plugin)).toEqual(['throws']);
      expect(jobs.listJobs({ until: since })).toEqual([]);
    });
  });

  describe('with a SQLite store across restarts', () => {
    it('keeps queued jobs through a shutdown and runs them on the next start', async () => {
      const file = join(temp(), 'jobs.db');
      const first = await manager({ store: { sqlite: file } });
      const finished = await first.submit('echo', { text: 'before' }, { id: 'done-1' }).done;
      const queued = first.submit('echo', { text: 'queued' }, { id: 'later-1', delay: 60_000 });
      await first.shutdown();
      await expect(queued.result).rejects.toMatchObject({ code: WorkerErrorCode.JOB_CANCELLED });

      const second = await manager({ store: { sqlite: file } });
      expect(second.getJob('done-1')).toEqual(finished);
      expect(second.getJob('later-1')).toMatchObject({
        status: 'pending',
        params: { text: 'queued' },
      });
      // The same id again: the stored job answers, nothing runs twice.
      const again = second.submit('echo', { text: 'other' }, { id: 'done-1' });
      expect(await again.result).toEqual(finished.result);
      expect(second.listJobs().map((job) => job.id)).toEqual(['done-1', 'later-1']);
      expect(second.stats().queued).toBe(1);
    });

    it('runs a job a previous host left queued, as it was submitted', async () => {
      const file = join(temp(), 'jobs.db');
      const runs = join(temp(), 'runs');
      writeFileSync(runs, '');
      const first = await manager({ store: { sqlite: file } });
      first.submit('tally', { file: runs }, { id: 'left-behind', delay: 300, priority: 3 });
      await first.shutdown();
      const second = await manager({ store: { sqlite: file } });
      const done = await new Promise<Job>((resolve) =>
        second.on('job:completed', (job) => job.id === 'left-behind' && resolve(job)),
      );
      expect(done).toMatchObject({ priority: 3, result: { ran: 'left-behind' } });
      expect(runsOf(runs, 'left-behind')).toBe(1);
    });

    it('hands out the one record of a job a previous host queued, when its id is submitted again', async () => {
      const file = join(temp(), 'jobs.db');
      const runs = join(temp(), 'runs');
      writeFileSync(runs, '');
      const first = await manager({ store: { sqlite: file } });
      // Still delayed when the second host starts and the id comes again.
      first.submit('tally', { file: runs }, { id: 'resubmitted', delay: 2_500 });
      await first.shutdown();
      const second = await manager({ store: { sqlite: file } });
      const handle = second.submit('tally', { file: runs }, { id: 'resubmitted' });
      expect(await handle.result).toMatchObject({ ran: 'resubmitted' });
      expect(runsOf(runs, 'resubmitted')).toBe(1);
    });

    it('fails start() with a JobStoreError naming a file it cannot use, and starts no worker', async () => {
      const file = join(temp(), 'not-a-store.db');
      writeFileSync(file, 'plain text, not SQLite');
      const harness = await import('./helpers.ts').then(({ createHarness }) =>
        createHarness({ store: { sqlite: file } }),
      );
      await expect(harness.manager.start()).rejects.toMatchObject({
        code: WorkerErrorCode.STORE_NOT_PLUGWORK,
        file,
      });
      expect(harness.pids.size).toBe(0);
      await harness.close();
    });
  });
});
