import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from './helpers/cluster.ts';

const expected = (count: number, size = 0) =>
  Array.from({ length: count }, (_, index) => {
    const base = `chunk-${index};`;
    return size > base.length ? base.padEnd(size, '.') : base;
  }).join('');

const script = fileURLToPath(new URL('./fixtures/attach-stream.mjs', import.meta.url));

/** Runs the attaching client in a process of its own; resolves with what it printed. */
async function attachElsewhere(
  cluster: Cluster,
  id: string,
  pauseMs: number,
): Promise<{ text: string; chunks: number; result: unknown; status: string }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [script, cluster.redis.url, cluster.redis.prefix, id, String(pauseMs)],
    { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 30_000 },
  );
  return JSON.parse(stdout.trim());
}

describe('attach(id) to a streaming job', () => {
  const windowChars = 2_000;
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.node({ poolSize: 2, stream: { windowChars, lagTimeoutMs: 10_000 } });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it('a client in another process gets every chunk from the first, and its credit drives the job', async () => {
    // The submitter leaves at once: only the other process reads the stream.
    const submitter = cluster.runner();
    const job = await submitter.submit('chunks', { count: 200, size: 100 }, { stream: true });
    await submitter.close();
    // 20 000 characters through a 2 000-character window: the job can only finish if the
    // attached reader's consumption is what the node waits for.
    const seen = await attachElsewhere(cluster, job.id, 2);
    expect(seen.text).toBe(expected(200, 100));
    expect(seen.chunks).toBeGreaterThan(1);
    expect(seen).toMatchObject({ status: 'completed', result: { chunks: 200 } });
  });

  it('a job that finished before anyone read it: the stream is still there, from the first chunk', async () => {
    const submitter = cluster.runner();
    const job = await submitter.submit('chunks', { count: 20 }, { stream: true });
    await submitter.close();
    const watcher = cluster.runner();
    let status: string | undefined;
    for (let tries = 0; tries < 400 && status !== 'completed'; tries++) {
      status = (await watcher.getJob(job.id))?.status;
      if (status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(status).toBe('completed');
    const seen = await attachElsewhere(cluster, job.id, 0);
    expect(seen.text).toBe(expected(20));
    expect(seen).toMatchObject({ status: 'completed', result: { chunks: 20 } });
  });

  it('a second reader after the first consumed some chunks: iterating throws, result still follows', async () => {
    const submitter = cluster.runner();
    const job = await submitter.submit(
      'chunks',
      { count: 100, size: 100, delayMs: 2 },
      { stream: true },
    );
    const first = job.stream();
    let text = '';
    while (text.length < 5_000) {
      const next = await first.next();
      if (next.done === true) break;
      text += next.value;
    }
    const other = cluster.runner();
    const attached = await other.attach(job.id);
    expect(attached?.snapshot().stream).toBe(true);
    const reading = (async () => {
      let late = '';
      for await (const chunk of attached!) late += chunk;
      return late;
    })().then(
      (late) => ({ late }),
      (error: Error) => ({ error }),
    );
    for await (const chunk of { [Symbol.asyncIterator]: () => first }) text += chunk;
    expect(text).toBe(expected(100, 100));
    const outcome = await reading;
    expect('error' in outcome && outcome.error.message).toMatch(
      /read by another client: its stream entr/,
    );
    await expect(attached!.result).resolves.toMatchObject({ chunks: 100 });
  });
});
