import { isJobError } from '@plugwork/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './helpers/cluster.ts';

describe('a node and a runner on one Redis', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.node({ poolSize: 2 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('runs a job and gives its result, progress and final record', async () => {
    const runner = cluster.runner();
    const progress: number[] = [];
    runner.on('job:progress', (event) => progress.push(event.progress));
    const job = await runner.submit('sleep', { ms: 50 });
    // submit() resolves once the job is queued; the node may already have said it started.
    expect(['pending', 'running']).toContain(job.status);
    expect(await job.result).toMatchObject({ slept: 50 });
    const done = await job.done;
    expect(done).toMatchObject({ id: job.id, plugin: 'sleep', status: 'completed' });
    expect(done.startedAt).toBeGreaterThanOrEqual(done.submittedAt);
    expect(done.endedAt).toBeGreaterThanOrEqual(done.startedAt!);
    expect(done.progress).toBe(1);
    expect(progress).toContain(1);
  });

  it('streams chunks in order', async () => {
    const runner = cluster.runner();
    const job = await runner.submit('chunks', { count: 50 }, { stream: true });
    let text = '';
    for await (const chunk of job) text += chunk;
    expect(text).toBe(Array.from({ length: 50 }, (_, index) => `chunk-${index};`).join(''));
    expect(await job.result).toMatchObject({ chunks: 50 });
  });

  it('reports a plugin failure as a JobError', async () => {
    const runner = cluster.runner();
    const job = await runner.submit('echo', { text: 1 });
    await expect(job.result).resolves.toMatchObject({ echo: { text: 1 } });
    const crash = await runner.submit('crash', {});
    const error = await crash.result.catch((caught: unknown) => caught);
    expect(isJobError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'WORKER_CRASHED' });
    expect((error as Error).message).toMatch(/SIGKILL/);
  });

  it("a plugin's concurrency: its jobs share a worker, as many at once as it declares", async () => {
    const runner = cluster.runner();
    const jobs = await Promise.all(
      Array.from({ length: 12 }, () => runner.submit('parallel', { ms: 300 })),
    );
    const runs = (await Promise.all(jobs.map((job) => job.result))) as {
      start: number;
      end: number;
    }[];
    const most = Math.max(
      ...runs.map(
        (run) => runs.filter((other) => other.start < run.end && other.end > run.start).length,
      ),
    );
    // Pool 2 (this file's node), concurrency 4: up to 8 at once, and clearly more than 2.
    expect(most).toBeGreaterThan(2);
    expect(most).toBeLessThanOrEqual(8);
  });
});
