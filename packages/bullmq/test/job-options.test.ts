import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './helpers/cluster.ts';

describe('job options map onto BullMQ', () => {
  let cluster: Cluster;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plugwork-options-'));
    cluster = await startCluster();
    await cluster.node({ poolSize: 1 });
  });
  afterAll(async () => {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('attempts and backoff: a plugin failure and a worker crash are retried', async () => {
    const runner = cluster.runner();
    const failing = join(dir, 'failing');
    const job = await runner.submit(
      'flaky',
      { counter: failing, failures: 2 },
      { attempts: 3, backoff: 50 },
    );
    await expect(job.result).resolves.toEqual({ runs: 3 });
    const crashing = join(dir, 'crashing');
    const crash = await runner.submit(
      'flaky',
      { counter: crashing, failures: 1, crash: true },
      { attempts: 2, backoff: { type: 'fixed', delay: 10 } },
    );
    await expect(crash.result).resolves.toEqual({ runs: 2 });
    const out = join(dir, 'out');
    const exhausted = await runner.submit('flaky', { counter: out, failures: 5 }, { attempts: 2 });
    await expect(exhausted.result).rejects.toThrow(/run 2 fails on purpose/);
    expect(readFileSync(out, 'utf8')).toBe('xx');
  });

  it('timeoutMs stops the job on the node', async () => {
    const runner = cluster.runner();
    const job = await runner.submit('sleep', { ms: 10_000, stubborn: true }, { timeoutMs: 200 });
    await expect(job.result).rejects.toMatchObject({ code: 'JOB_TIMEOUT' });
    await expect(job.result).rejects.toThrow(
      `Job ${job.id} (plugin "sleep") timed out after 200 ms`,
    );
  });

  it('priority orders the queue; delay holds a job back', async () => {
    const runner = cluster.runner();
    const order: string[] = [];
    runner.on('job:started', (job) => order.push(String(job.params.tag)));
    // The node's one slot is the blocker's while the other two are queued behind it.
    const blocker = await runner.submit('sleep', { ms: 800, tag: 'blocker' });
    const low = await runner.submit('sleep', { ms: 1, tag: 'low' }, { priority: 10 });
    const high = await runner.submit('sleep', { ms: 1, tag: 'high' }, { priority: 1 });
    await Promise.all([blocker.result, low.result, high.result]);
    expect(order).toEqual(['blocker', 'high', 'low']);
    const delayed = await runner.submit('sleep', { ms: 1 }, { delay: 500 });
    const done = await delayed.done;
    expect(done.startedAt! - done.submittedAt).toBeGreaterThanOrEqual(450);
  });

  it('retention: removeOnComplete removes the record; kept ones are listed', async () => {
    const runner = cluster.runner();
    const gone = await runner.submit('echo', { n: 1 }, { removeOnComplete: true });
    await gone.result;
    expect(await runner.getJob(gone.id)).toBeUndefined();
    const kept = await runner.submit('echo', { n: 2 }, { removeOnFail: { age: 3600, count: 10 } });
    await kept.result;
    expect(await runner.getJob(kept.id)).toMatchObject({
      status: 'completed',
      result: { echo: { n: 2 } },
    });
    const listed = await runner.listJobs({ plugin: 'echo', status: 'completed' });
    expect(listed.map((job) => job.id)).toContain(kept.id);
  });

  it('a job id makes submits idempotent', async () => {
    const runner = cluster.runner();
    const first = await runner.submit('echo', { n: 'first' }, { id: 'order-42' });
    expect(await first.result).toMatchObject({ echo: { n: 'first' } });
    const again = await runner.submit('echo', { n: 'second' }, { id: 'order-42' });
    expect(await again.result).toMatchObject({ echo: { n: 'first' } });
    expect(
      (await runner.listJobs({ plugin: 'echo' })).filter((job) => job.id === 'order-42'),
    ).toHaveLength(1);
    const [one, two] = await Promise.all([
      runner.submit('sleep', { ms: 100 }, { id: 'order-43' }),
      runner.submit('sleep', { ms: 100 }, { id: 'order-43' }),
    ]);
    await expect(one.result).resolves.toMatchObject({ slept: 100 });
    await expect(two.result).resolves.toMatchObject({ slept: 100 });
  });
  it('a worker crash without attempts left is reported as locally (signal)', async () => {
    const runner = cluster.runner();
    const job = await runner.submit('crash', { signal: 'SIGKILL' });
    await expect(job.result).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    await expect(job.result).rejects.toThrow(/worker \d+ was killed by SIGKILL while running it/);
  });
});
