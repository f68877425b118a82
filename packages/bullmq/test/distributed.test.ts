import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queueName } from '@plugwork/bullmq';
import { QueueEvents } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster, until } from './helpers/cluster.ts';
import { killNode, type NodeProcess, spawnNode } from './helpers/node-process.ts';
import { PLUGINS_DIR } from './helpers/plugins.ts';

describe('nodes in separate processes', () => {
  let cluster: Cluster;
  const nodes: NodeProcess[] = [];
  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(killNode));
    await cluster.close();
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('two nodes share 500 jobs, and each runs some', async () => {
    cluster = await startCluster();
    nodes.push(await spawnNode(cluster.redis, { dir: PLUGINS_DIR }));
    nodes.push(await spawnNode(cluster.redis, { dir: PLUGINS_DIR }));
    const runner = cluster.runner();
    const jobs = await Promise.all(
      Array.from({ length: 500 }, (_, n) => runner.submit('echo', { n })),
    );
    const results = await Promise.all(jobs.map((job) => job.result));
    const byNode = new Map<number, number>();
    results.forEach((result, n) => {
      expect(result.echo).toEqual({ n });
      byNode.set(result.node as number, (byNode.get(result.node as number) ?? 0) + 1);
    });
    expect([...byNode.keys()].sort()).toEqual(nodes.map((node) => node.pid).sort());
    for (const count of byNode.values()) expect(count).toBeGreaterThan(0);
    const listed = await runner.listNodes();
    expect(listed.map((node) => node.pid).sort()).toEqual(nodes.map((node) => node.pid).sort());
    expect(listed[0]).toMatchObject({
      poolSize: 1,
      plugins: expect.arrayContaining(['echo', 'sleep']),
    });
  });

  it('kill -9 of a node mid-job with 20 queued: every job ends, none lost, none completed twice', async () => {
    cluster = await startCluster();
    const dir = mkdtempSync(join(tmpdir(), 'plugwork-kill-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const lockMs = 1_000;
    const doomed = await spawnNode(cluster.redis, { dir: PLUGINS_DIR, pool: 2, lockMs });
    nodes.push(doomed);
    const runner = cluster.runner();
    // Every completion BullMQ records, straight from the queue's event stream.
    const completions = new Map<string, number>();
    const events = ['sleep', 'slow-once'].map((plugin) => {
      const queueEvents = new QueueEvents(queueName(plugin), {
        connection: { host: '127.0.0.1', port: cluster.redis.port },
        prefix: cluster.redis.prefix,
      });
      queueEvents.on('completed', ({ jobId }) =>
        completions.set(jobId, (completions.get(jobId) ?? 0) + 1),
      );
      return queueEvents;
    });
    await Promise.all(events.map((queueEvents) => queueEvents.waitUntilReady()));

    // Their first runs last until the node is killed, however long starting the survivor takes.
    const once = await runner.submit('slow-once', { counter: join(dir, 'once') }, { attempts: 1 });
    const retried = await runner.submit(
      'slow-once',
      { counter: join(dir, 'retried') },
      { attempts: 2 },
    );
    await until(() => once.status === 'running' && retried.status === 'running', 'both run');
    const queued = await Promise.all(
      Array.from({ length: 20 }, (_, n) => runner.submit('sleep', { ms: 20, n })),
    );
    const survivor = await spawnNode(cluster.redis, { dir: PLUGINS_DIR, pool: 1, lockMs });
    nodes.push(survivor);
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    const all = [once, retried, ...queued];
    const finals = await Promise.all(all.map((job) => job.done));
    expect(finals.map((job) => job.status)).toEqual(['failed', ...Array(21).fill('completed')]);
    expect(finals[0]!.error).toMatchObject({ code: 'NODE_LOST' });
    expect(finals[0]!.error!.message).toMatch(
      /the node running it was lost .* once, and the job had no attempts left \(attempts: 1\)/,
    );
    expect(await retried.result).toMatchObject({ runs: 2, node: survivor.pid });
    expect(readFileSync(join(dir, 'once'), 'utf8')).toBe('x');
    for (const job of queued) expect((await job.result).node).toBe(survivor.pid);
    await until(() => completions.size >= 21, 'the events are read');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(completions.get(once.id)).toBeUndefined();
    for (const job of all.slice(1)) expect(completions.get(job.id)).toBe(1);
    expect(await runner.listJobs({ plugin: 'sleep', status: 'running' })).toEqual([]);
    expect(await runner.listJobs({ plugin: 'slow-once', status: 'running' })).toEqual([]);
    await Promise.all(events.map((queueEvents) => queueEvents.close()));
  });
});
