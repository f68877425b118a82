// The bounded queue under a burst: every job is either refused at submit or completes.
import { QueueFullError, WorkerErrorCode } from '@plugwork/worker';
import { describe, expect, it } from 'vitest';
import { startHarness } from './helpers.ts';

describe('a burst of 10,000 no-op jobs into a bounded queue', () => {
  it.each([1, 2])(
    'pool of %i: some refused with QueueFullError, every accepted job completes',
    async (poolSize) => {
      const harness = await startHarness({
        poolSize,
        queue: { maxSize: 2_000 },
        pluginConfigs: { noop: {} },
        retainJobs: 100,
      });
      const { manager } = harness;
      try {
        const accepted = [];
        const refused: unknown[] = [];
        for (let index = 0; index < 10_000; index++) {
          try {
            accepted.push(manager.submit('noop', { index }));
          } catch (error) {
            refused.push(error);
          }
        }
        expect(accepted.length + refused.length).toBe(10_000);
        // The queue holds maxSize; each idle worker took one job straight away.
        // The queue holds 2,000; each worker holds one running job and `prefetch` (2) sent ahead.
        expect(accepted.length).toBe(2_000 + poolSize * 3);
        expect(refused[0]).toBeInstanceOf(QueueFullError);
        expect(refused[0]).toMatchObject({ code: WorkerErrorCode.QUEUE_FULL, maxSize: 2_000 });
        expect((refused[0] as Error).message).toBe(
          'Cannot queue a job for plugin "noop": the queue already holds 2000 jobs (queue.maxSize). Retry later, add workers (poolSize) or raise queue.maxSize',
        );
        const done = await Promise.all(accepted.map((job) => job.done));
        expect(done.every((job) => job.status === 'completed')).toBe(true);
        expect(manager.stats()).toMatchObject({ queued: 0, running: 0 });
        expect(manager.stats().plugins.noop?.completed).toBe(accepted.length);
        // Finished jobs beyond retainJobs are forgotten, in batches of at least 100, once the
        // event loop has gone round after the jobs ended (no result waits for the sweep).
        await new Promise((resolve) => setImmediate(resolve));
        expect(manager.listJobs().length).toBeLessThanOrEqual(100 + 100);
        expect(manager.listJobs().length).toBeGreaterThanOrEqual(100);
        expect(manager.getJob(accepted.at(-1)!.id)?.status).toBe('completed');
        await expect(manager.submit('noop').result).resolves.toEqual({});
      } finally {
        await harness.close();
      }
    },
  );
});
