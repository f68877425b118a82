import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BullmqErrorCode } from '@plugwork/bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster, until } from './helpers/cluster.ts';
import { pluginsFolder } from './helpers/plugins.ts';

describe('resilience', () => {
  let cluster: Cluster;
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    await cluster.close();
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('Redis restarts mid-run: submits reject while it is down; everyone reconnects; no job is lost', async () => {
    cluster = await startCluster({ persist: true });
    await cluster.node({ poolSize: 1 });
    const runner = cluster.runner({ redisTimeoutMs: 500 });
    const before = await Promise.all([0, 1, 2].map((n) => runner.submit('sleep', { ms: 300, n })));
    await until(() => before[0]!.status === 'running', 'the first job runs');
    await cluster.redis.stop();

    const started = Date.now();
    const during = runner.submit('echo', {});
    await expect(during).rejects.toMatchObject({ code: BullmqErrorCode.REDIS_UNAVAILABLE });
    await expect(during).rejects.toThrow(/Redis at 127\.0\.0\.1:\d+ is not reachable/);
    expect(Date.now() - started).toBeLessThan(3_000);

    await cluster.redis.start();
    const results = await Promise.all(before.map((job) => job.result));
    expect(results.map((result) => result.slept)).toEqual([300, 300, 300]);
    const after = await runner.submit('echo', { after: true });
    await expect(after.result).resolves.toMatchObject({ echo: { after: true } });
  });

  it('a plugin folder dropped into a watched directory starts its queue; removed, stops it', async () => {
    cluster = await startCluster();
    const folder = pluginsFolder(['echo']);
    cleanups.push(folder.remove);
    const node = await cluster.node({ dir: folder.dir, watch: true });
    expect(node.plugins).toEqual(['echo']);
    const runner = cluster.runner({ catalogCacheMs: 0 });
    await expect(runner.submit('sleep', { ms: 1 })).rejects.toMatchObject({
      code: BullmqErrorCode.UNKNOWN_PLUGIN,
    });
    const started = new Promise((resolve) => node.once('queue:started', resolve));
    folder.add('sleep');
    expect(await started).toBe('sleep');
    const job = await runner.submit('sleep', { ms: 1 });
    await expect(job.result).resolves.toMatchObject({ slept: 1 });
    expect((await runner.listNodes())[0]!.plugins.sort()).toEqual(['echo', 'sleep']);
    const stopped = new Promise((resolve) => node.once('queue:stopped', resolve));
    folder.drop('sleep');
    expect(await stopped).toBe('sleep');
    expect(node.plugins).toEqual(['echo']);
    // Its record says so too (written as the catalog changed, read by the runner).
    for (let tries = 0; (await runner.listNodes())[0]!.plugins.length !== 1; tries++) {
      if (tries > 200) throw new Error("the node's record still offers sleep");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await expect(runner.submit('sleep', { ms: 1 })).rejects.toMatchObject({
      code: BullmqErrorCode.UNKNOWN_PLUGIN,
    });
  });

  it('a client in another process reads a job by id and gets its outcome', async () => {
    cluster = await startCluster();
    await cluster.node();
    const runner = cluster.runner();
    const job = await runner.submit('sleep', { ms: 2_500 }, { id: 'shared-job-1' });
    const script = fileURLToPath(new URL('./fixtures/read-job.mjs', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [script, cluster.redis.url, cluster.redis.prefix, job.id],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 20_000 },
    );
    const [seen, done] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(seen).toMatchObject({ step: 'seen', plugin: 'sleep' });
    // Usually still running; a slow start of the other process may find it finished.
    expect(['pending', 'running', 'completed']).toContain(seen.status);
    expect(done).toMatchObject({ step: 'done', status: 'completed', result: { slept: 2_500 } });
    expect(done.workerId).toBeTypeOf('string');
    expect(await job.result).toEqual(done.result);
  });
});
