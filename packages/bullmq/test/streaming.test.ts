import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster, until } from './helpers/cluster.ts';

const expected = (count: number, size = 0) =>
  Array.from({ length: count }, (_, index) => {
    const base = `chunk-${index};`;
    return size > base.length ? base.padEnd(size, '.') : base;
  }).join('');

describe('streaming across Redis', () => {
  const windowChars = 2_000;
  let cluster: Cluster;
  let redis: Redis;
  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.node({ poolSize: 2, stream: { windowChars, lagTimeoutMs: 1_000 } });
    redis = new Redis(cluster.redis.port, '127.0.0.1');
  });
  afterAll(async () => {
    redis.disconnect();
    await cluster.close();
  });

  it('a slow consumer: chunks arrive in order while Redis holds at most two windows', async () => {
    const runner = cluster.runner();
    const job = await runner.submit('chunks', { count: 300, size: 100 }, { stream: true });
    const key = `${cluster.redis.prefix}:pw:chunks:chunks:${job.id}`;
    let maxHeld = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const entries = (await redis.xrange(key, '-', '+')) as [string, string[]][];
        const held = entries.reduce(
          (sum, [, fields]) => sum + (fields[0] === 'c' ? fields[1]!.length : 0),
          0,
        );
        maxHeld = Math.max(maxHeld, held);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    let text = '';
    let received = 0;
    for await (const chunk of job) {
      text += chunk;
      received++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(received).toBeGreaterThan(1);
    sampling = false;
    await sampler;
    expect(text).toBe(expected(300, 100));
    expect(maxHeld).toBeGreaterThan(0);
    expect(maxHeld).toBeLessThanOrEqual(2 * windowChars);
    await expect(job.result).resolves.toMatchObject({ chunks: 300 });
  });

  it('iterating late still yields every chunk from the first', async () => {
    const runner = cluster.runner();
    const job = await runner.submit('chunks', { count: 20 }, { stream: true });
    await new Promise((resolve) => setTimeout(resolve, 500));
    let text = '';
    for await (const chunk of job) text += chunk;
    expect(text).toBe(expected(20));
  });

  it('awaiting the result without iterating: chunks go to job:chunk events, the job completes', async () => {
    const runner = cluster.runner();
    const chunks: string[] = [];
    runner.on('job:chunk', (event) => chunks.push(event.chunk));
    const job = await runner.submit('chunks', { count: 200, size: 50 }, { stream: true });
    await expect(job.result).resolves.toMatchObject({ chunks: 200 });
    await until(() => chunks.join('').length === 200 * 50, 'every chunk was an event');
    expect(chunks.join('')).toBe(expected(200, 50));
    expect(() => job.stream()).toThrow(/already go to job:chunk listeners/);
  });

  it('a reader that stops reading: the job is stopped after lagTimeoutMs (STREAM_ABANDONED)', async () => {
    const runner = cluster.runner();
    const job = await runner.submit(
      'chunks',
      { count: 10_000, size: 100, delayMs: 0 },
      { stream: true },
    );
    const iterator = job.stream();
    await iterator.next();
    // (Asking for job.done would hand the stream to events, which read it.)
    await until(() => job.status === 'failed' || job.status === 'completed', 'the job ends');
    const done = job.snapshot();
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ code: 'STREAM_ABANDONED' });
    expect(done.error!.message).toMatch(
      /2000 characters of its stream waited in Redis unread for 1000 ms/,
    );
  });
});
