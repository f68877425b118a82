// Streaming: order, throughput, and the backpressure policy (a slow consumer slows the plugin
// instead of making the host buffer without bound; a job nobody iterates never stalls).
import {
  type JobChunkEvent,
  JobError,
  type JobManager,
  StreamUnavailableError,
  WorkerErrorCode,
} from '@plugwork/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectHealthy, type Harness, startHarness } from './helpers.ts';

const WINDOW = 64 * 1024;
let harness: Harness;
let manager: JobManager;

beforeAll(async () => {
  harness = await startHarness({
    maxLoadedPlugins: 4,
    stream: { windowChars: WINDOW },
    timeouts: { cancelGraceMs: 1_000 },
  });
  manager = harness.manager;
});

afterAll(async () => {
  await harness.close();
});

/** Characters of one job's chunks the host has received so far (job:chunk events). */
function countReceived(jobId: () => string) {
  const counter = { characters: 0 };
  manager.on('job:chunk', (event: JobChunkEvent) => {
    if (event.jobId === jobId()) counter.characters += event.chunk.length;
  });
  return counter;
}

describe('backpressure', () => {
  it('a slow consumer pauses the plugin: the host holds at most about one window unread', async () => {
    let id = '';
    const received = countReceived(() => id);
    const job = manager.submit('flood', { size: 1_024, count: 200_000 }, { stream: true });
    id = job.id;
    const iterator = job.stream();
    let consumed = 0;
    for (let index = 0; index < 5; index++) {
      const { value } = await iterator.next();
      consumed += (value as string).length;
    }
    // Stop reading for a while: an unbounded producer would push ~200 MB meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const heldWhilePaused = received.characters - consumed;
    expect(heldWhilePaused).toBeLessThanOrEqual(WINDOW + 2 * 1_024);
    expect(received.characters).toBeLessThan(1_000_000);
    // Reading again lets it continue, and the total keeps moving.
    for (let index = 0; index < 50; index++) {
      const { value } = await iterator.next();
      consumed += (value as string).length;
    }
    expect(consumed).toBeGreaterThan(WINDOW);
    await job.cancel();
    expect((await job.done).status).toBe('cancelled');
    await expectHealthy(manager);
  });

  it('a stream nobody iterates never stalls: chunks go to events, acknowledged on arrival', async () => {
    let id = '';
    const received = countReceived(() => id);
    const job = manager.submit('flood', { size: 100, count: 20_000 }, { stream: true });
    id = job.id;
    await expect(job.result).resolves.toEqual({
      streamed: true,
      chunks: 20_000,
      characters: 2_000_000,
    });
    // 30 window-fulls went through without a consumer.
    expect(received.characters).toBe(2_000_000);
    expect(() => job.stream()).toThrow(StreamUnavailableError);
    expect(() => job.stream()).toThrow(/went to job:chunk events only/);
  });

  it('breaking out of the loop stops the backpressure, not the job', async () => {
    const job = manager.submit('flood', { size: 1_000, count: 5_000 }, { stream: true });
    let taken = 0;
    for await (const _chunk of job) {
      if (++taken === 3) break;
    }
    await expect(job.result).resolves.toMatchObject({ chunks: 5_000 });
  });
});

describe('throughput and order', () => {
  it('100,000 small chunks reach the consumer complete and in order', async () => {
    const job = manager.submit('flood', { size: 16, count: 100_000 }, { stream: true });
    let text = '';
    const started = Date.now();
    for await (const chunk of job) text += chunk;
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(text.length).toBe(1_600_000);
    expect(text.startsWith('#0000000000:xxxx#0000000001:')).toBe(true);
    const indices = text.match(/#(\d{10}):/g)!;
    expect(indices).toHaveLength(100_000);
    expect(indices.every((marker, index) => Number(marker.slice(1, 11)) === index)).toBe(true);
  });
});

describe('misuse and failures', () => {
  it('stream() on a job submitted without { stream: true }', async () => {
    const job = manager.submit('echo', { text: 'x' });
    expect(() => job.stream()).toThrow(StreamUnavailableError);
    expect(() => job.stream()).toThrow(/submit it with \{ stream: true \}/);
    await job.done;
  });

  it('a second consumer', async () => {
    const job = manager.submit('stream', { count: 2 }, { stream: true });
    job.stream();
    expect(() => job.stream()).toThrow(/already being iterated/);
    await job.done;
  });

  it('a plugin that fails mid-stream: the iterator yields what came, then throws the JobError', async () => {
    const job = manager.submit('stream-hangs', {}, { stream: true, timeoutMs: 300 });
    const chunks: string[] = [];
    const error = await (async () => {
      for await (const chunk of job) chunks.push(chunk);
    })().catch((caught: unknown) => caught);
    expect(chunks).toEqual(['first;']);
    expect(error).toBeInstanceOf(JobError);
    expect((error as JobError).code).toBe(WorkerErrorCode.JOB_TIMEOUT);
    await expectHealthy(manager);
  });
});
