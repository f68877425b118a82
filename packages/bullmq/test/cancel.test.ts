import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, running, startCluster, until } from './helpers/cluster.ts';

describe('cancel from the client', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.node({ poolSize: 1 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('a running job: its AbortSignal fires on the node', async () => {
    const runner = cluster.runner();
    const job = await runner.submit('sleep', { ms: 30_000 });
    await until(() => job.snapshot().progressMessage === 'asleep', 'the plugin runs');
    const started = Date.now();
    expect(await job.cancel()).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    const done = await job.done;
    expect(done.status).toBe('cancelled');
    expect(done.error).toMatchObject({ code: 'JOB_CANCELLED' });
    expect(done.error!.message).toMatch(/the plugin stopped when asked/);
    await expect(job.result).rejects.toMatchObject({ code: 'JOB_CANCELLED' });
    expect((await runner.getJob(job.id))?.status).toBe('cancelled');
    expect(await job.cancel()).toBe(false);
  });

  it('a plugin that ignores the signal: its worker is killed after the grace period', async () => {
    const runner = cluster.runner();
    const job = await runner.submit('sleep', { ms: 30_000, stubborn: true });
    await until(() => job.snapshot().progressMessage === 'asleep', 'the plugin runs');
    expect(await job.cancel()).toBe(true);
    const done = await job.done;
    expect(done.error!.message).toMatch(
      /did not stop within 500 ms of being asked, so worker \d+ was killed/,
    );
  });

  it('a queued job is removed at once, and never runs', async () => {
    const runner = cluster.runner();
    const blocker = await runner.submit('sleep', { ms: 1_000 });
    // Same plugin: the node's one slot is taken, so its queue is not read until it frees.
    const queued = await runner.submit('sleep', { ms: 1, never: true });
    expect(await queued.cancel()).toBe(true);
    expect(queued.status).toBe('cancelled');
    await expect(queued.result).rejects.toThrow(/cancelled while it was queued/);
    expect(await runner.getJob(queued.id)).toBeUndefined();
    await expect(blocker.result).resolves.toMatchObject({ slept: 1_000 });
    expect(await runner.cancel(queued.id)).toBe(false);
  });

  it('cancel by id from another runner', async () => {
    const submitter = cluster.runner();
    const other = cluster.runner();
    const job = await submitter.submit('sleep', { ms: 30_000 });
    await running(job);
    expect(await other.cancel(job.id)).toBe(true);
    expect((await job.done).status).toBe('cancelled');
  });
});
