import { BullmqErrorCode, isPlugworkBullmqError } from '@plugwork/bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './helpers/cluster.ts';
import { freePort } from './helpers/redis.ts';

async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!isPlugworkBullmqError(error))
    throw new Error(`expected a typed error, got ${String(error)}`);
  return error.code;
}

describe('submit rejects what cannot run, with a typed error', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('no node at all, then a plugin no node offers', async () => {
    const runner = cluster.runner();
    const none = runner.submit('echo', {});
    expect(await codeOf(none)).toBe(BullmqErrorCode.UNKNOWN_PLUGIN);
    await expect(none).rejects.toThrow(/no plugwork node is running/);
    await cluster.node();
    const unknown = runner.submit('nope', {});
    expect(await codeOf(unknown)).toBe(BullmqErrorCode.UNKNOWN_PLUGIN);
    await expect(unknown).rejects.toThrow(
      /none of the 1 live node\(s\) offers it; they offer .*"echo"/,
    );
    await expect((await runner.submit('echo', { a: 1 })).result).resolves.toMatchObject({
      echo: { a: 1 },
    });
  });

  it('params that are not JSON, reserved keys, bad options', async () => {
    const runner = cluster.runner();
    const date = runner.submit('echo', { when: new Date() });
    expect(await codeOf(date)).toBe(BullmqErrorCode.INVALID_PARAMS);
    await expect(date).rejects.toThrow(/params\.when: a Date/);
    const fn = runner.submit('echo', { items: [1, () => 2] });
    await expect(fn).rejects.toThrow(/params\.items\[1\]: a function is not JSON/);
    const nan = runner.submit('echo', { n: Number.NaN });
    await expect(nan).rejects.toThrow(/params\.n: NaN is not a JSON number/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await expect(runner.submit('echo', cycle)).rejects.toThrow(
      /params\.self: a circular reference/,
    );
    await expect(runner.submit('echo', { job_id: 'x' })).rejects.toThrow(/reserved/);
    const option = runner.submit('echo', {}, { attempts: 0 } as never);
    expect(await codeOf(option)).toBe(BullmqErrorCode.INVALID_PARAMS);
    await expect(runner.submit('echo', {}, { retries: 2 } as never)).rejects.toThrow(/"retries"/);
    await expect(runner.submit('echo', {}, { id: 'a:b' })).rejects.toThrow(/cannot contain ":"/);
  });

  it('params over maxParamsBytes', async () => {
    const runner = cluster.runner({ maxParamsBytes: 1_000 });
    const big = runner.submit('echo', { text: 'x'.repeat(2_000) });
    expect(await codeOf(big)).toBe(BullmqErrorCode.PARAMS_TOO_LARGE);
    await expect(big).rejects.toThrow(/take 20\d\d bytes as JSON, over the limit of 1000/);
    await expect((await runner.submit('echo', { text: 'x' })).result).resolves.toBeDefined();
  });

  it('Redis unreachable: rejects within redisTimeoutMs instead of hanging', async () => {
    const port = await freePort();
    const runner = cluster.runner({ connection: `redis://127.0.0.1:${port}`, redisTimeoutMs: 300 });
    const started = Date.now();
    const submit = runner.submit('echo', {});
    expect(await codeOf(submit)).toBe(BullmqErrorCode.REDIS_UNAVAILABLE);
    await expect(submit).rejects.toThrow(`Redis at 127.0.0.1:${port} is not reachable`);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(runner.getJob('x')).rejects.toThrow(/not reachable/);
  });
});
