// The worker process on its own, driven over a raw channel (a socket pair as its fd 3, one JSON
// message per line): every request is parsed with the protocol's schemas on arrival, a
// malformed one is answered with a typed error (never a crash), and answers carry the
// request_id of the request they answer.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseResponse, type WorkerResponseMessage } from '@plugwork/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { unpackBatch } from '../src/transport/batch.ts';
import { expectProcessesGone, TEST_ADAPTER } from './helpers.ts';

const CHILD_ENTRY = fileURLToPath(new URL('../dist/child/main.js', import.meta.url));

interface RawWorker {
  child: ChildProcess;
  /** Writes `messages` as lines in one write (several: what the host does for a few jobs). */
  send(...messages: unknown[]): void;
  /** Writes `text` as it is. */
  write(text: string): void;
  /** Closes the host's end of the channel, as a host that went away does. */
  close(): void;
  /** Every message received so far, parsed with the protocol (a parse failure fails the test). */
  received: WorkerResponseMessage[];
  /** What arrived per read of the channel: one write of the worker's may hold several. */
  writes: { at: number; messages: WorkerResponseMessage[] }[];
  next(accept: (message: WorkerResponseMessage) => boolean): Promise<WorkerResponseMessage>;
}

let workers: ChildProcess[] = [];

afterEach(async () => {
  for (const child of workers) child.kill('SIGKILL');
  await expectProcessesGone(workers.map((child) => child.pid!));
  workers = [];
});

function startRaw(): RawWorker {
  const child = spawn(process.execPath, [CHILD_ENTRY], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  workers.push(child);
  const channel = child.stdio[3] as Socket;
  channel.setEncoding('utf8');
  let partial = '';
  const received: WorkerResponseMessage[] = [];
  const waiters: {
    accept: (m: WorkerResponseMessage) => boolean;
    resolve: (m: WorkerResponseMessage) => void;
  }[] = [];
  const writes: { at: number; messages: WorkerResponseMessage[] }[] = [];
  channel.on('data', (data: string) => {
    const write = { at: performance.now(), messages: [] as WorkerResponseMessage[] };
    writes.push(write);
    const lines = (partial + data).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      // Results of jobs that end together come as one `batch` line (transport/batch.ts).
      unpackBatch(JSON.parse(line), (one) => {
        const message = parseResponse(one);
        write.messages.push(message);
        received.push(message);
        const index = waiters.findIndex((waiter) => waiter.accept(message));
        if (index >= 0) waiters.splice(index, 1)[0]!.resolve(message);
      });
    }
  });
  return {
    child,
    send: (...messages) => {
      channel.write(messages.map((message) => `${JSON.stringify(message)}\n`).join(''));
    },
    write: (text) => {
      channel.write(text);
    },
    close: () => {
      channel.end();
    },
    received,
    writes,
    next: (accept) =>
      new Promise((resolve) => {
        const already = received.find(accept);
        if (already !== undefined) resolve(already);
        else waiters.push({ accept, resolve });
      }),
  };
}

async function startInitialised(): Promise<RawWorker> {
  const worker = startRaw();
  worker.send({
    type: 'init',
    request_id: 'init-1',
    adapter: { module: TEST_ADAPTER },
    plugin_configs: { echo: { prefix: '~' } },
    max_loaded_plugins: 2,
  });
  const ready = await worker.next((message) => message.type === 'ready');
  expect(ready).toMatchObject({
    type: 'ready',
    request_id: 'init-1',
    pid: worker.child.pid,
    runtime: 'node',
    loaded_plugins: ['echo'],
  });
  return worker;
}

describe('malformed requests', () => {
  it.each([
    ['not an object', 'a string', /expected a JSON object/],
    ['an unknown type', { type: 'explode' }, /field "type" is "explode"/],
    ['a missing field', { type: 'execute', plugin_name: 'echo' }, /field "job_id"/],
    ['a wrong type', { type: 'reload', plugin_name: 42 }, /field "plugin_name"/],
  ])(
    '%s is answered with a typed error and the worker keeps serving',
    async (_label, bad, text) => {
      const worker = await startInitialised();
      worker.send(bad as object);
      const error = await worker.next((message) => message.type === 'error');
      expect(error).toMatchObject({ type: 'error', code: 'INVALID_REQUEST' });
      expect((error as { error: string }).error).toMatch(text);
      worker.send({ type: 'execute', job_id: 'after', plugin_name: 'echo', text: 'ok' });
      expect(await worker.next((message) => message.type === 'result')).toMatchObject({
        job_id: 'after',
        status: 'success',
        data: { text: '~ok' },
      });
    },
  );

  it('a line that is not JSON is answered with a typed error and the worker keeps serving', async () => {
    const worker = await startInitialised();
    worker.write('{"type": "execute", "job_id": \n');
    const error = await worker.next((message) => message.type === 'error');
    expect(error).toMatchObject({ type: 'error', code: 'INVALID_REQUEST' });
    worker.send({ type: 'execute', job_id: 'after', plugin_name: 'echo', text: 'ok' });
    expect(await worker.next((message) => message.type === 'result')).toMatchObject({
      job_id: 'after',
      data: { text: '~ok' },
    });
  });

  it('keeps the request_id of a malformed request so the host can match the error', async () => {
    const worker = await startInitialised();
    worker.send({ type: 'unload', request_id: 'bad-1' });
    expect(await worker.next((message) => message.type === 'error')).toMatchObject({
      request_id: 'bad-1',
      code: 'INVALID_REQUEST',
    });
  });

  it('an execute before init fails that job, not the worker', async () => {
    const worker = startRaw();
    worker.send({ type: 'execute', job_id: 'early', plugin_name: 'echo' });
    expect(await worker.next((message) => message.type === 'result')).toMatchObject({
      job_id: 'early',
      status: 'error',
    });
    worker.send({ type: 'get_state', request_id: 's' });
    expect(await worker.next((message) => message.type === 'state')).toMatchObject({
      request_id: 's',
    });
  });
});

describe('correlation', () => {
  it('answers concurrent requests each with its own request_id', async () => {
    const worker = await startInitialised();
    worker.send({
      type: 'reload',
      request_id: 'r1',
      plugin_name: 'echo',
      config: { prefix: '!' },
    });
    worker.send({ type: 'get_state', request_id: 'g1' });
    worker.send({ type: 'unload', request_id: 'u1', plugin_name: 'counter' });
    worker.send({ type: 'get_state', request_id: 'g2' });
    worker.send({ type: 'reload', request_id: 'r2', plugin_name: 'nope' });
    const answers = await Promise.all(
      ['r1', 'g1', 'u1', 'g2', 'r2'].map((id) =>
        worker.next((message) => 'request_id' in message && message.request_id === id),
      ),
    );
    expect(answers.map((answer) => answer.type)).toEqual([
      'response',
      'state',
      'response',
      'state',
      'response',
    ]);
    expect(answers[0]).toMatchObject({
      request_type: 'reload',
      plugin_name: 'echo',
      status: 'success',
    });
    expect(answers[2]).toMatchObject({
      request_type: 'unload',
      plugin_name: 'counter',
      status: 'success',
    });
    expect(answers[4]).toMatchObject({
      request_type: 'reload',
      plugin_name: 'nope',
      status: 'error',
    });
    expect((answers[4] as { error: string }).error).toContain('no plugin named "nope"');
  });

  it('streams chunks, then a final chunk, then the result', async () => {
    const worker = await startInitialised();
    worker.send({
      type: 'execute',
      job_id: 's1',
      plugin_name: 'stream',
      stream: true,
      count: 3,
      delayMs: 5,
    });
    await worker.next((message) => message.type === 'result');
    const forJob = worker.received.filter(
      (message) => 'job_id' in message && message.job_id === 's1',
    );
    const last = forJob.at(-1)!;
    const beforeLast = forJob.at(-2)!;
    expect(last).toMatchObject({
      type: 'result',
      status: 'success',
      data: { streamed: true, chunks: 3 },
    });
    expect(beforeLast).toMatchObject({ type: 'stream_chunk', is_final: true });
    expect(
      forJob.slice(0, -2).every((message) => message.type === 'stream_chunk' && !message.is_final),
    ).toBe(true);
    const text = forJob
      .filter((message) => message.type === 'stream_chunk')
      .map((message) => (message as { chunk: string }).chunk)
      .join('');
    expect(text).toBe('chunk-0;chunk-1;chunk-2;');
  });
});

describe('plugin switching', () => {
  it('with one plugin allowed, the current plugin is unloaded before the next one loads', async () => {
    const worker = startRaw();
    worker.send({
      type: 'init',
      request_id: 'i',
      adapter: { module: TEST_ADAPTER },
      plugin_configs: { echo: {}, counter: {} },
      max_loaded_plugins: 1,
    });
    expect(await worker.next((message) => message.type === 'ready')).toMatchObject({
      loaded_plugins: ['echo'],
    });
    worker.send({ type: 'execute', job_id: 'j1', plugin_name: 'counter' });
    await worker.next((message) => message.type === 'result' && message.job_id === 'j1');
    worker.send({ type: 'reload', request_id: 'r', plugin_name: 'noop', config: {} });
    expect(await worker.next((message) => message.type === 'response')).toMatchObject({
      status: 'success',
      data: { loaded_plugins: ['noop'] },
    });
    worker.send({ type: 'execute', job_id: 'j2', plugin_name: 'history' });
    const history = await worker.next(
      (message) => message.type === 'result' && message.job_id === 'j2',
    );
    expect(history).toMatchObject({
      data: {
        log: [
          'load echo',
          'unload echo',
          'load counter',
          'unload counter',
          'load noop',
          'unload noop',
          'load history',
        ],
      },
    });
  });
});

describe('process life', () => {
  it('exits by itself, cleanly, when the host closes the channel', async () => {
    const worker = await startInitialised();
    const exited = once(worker.child, 'exit');
    worker.close();
    const [code, signal] = await exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
  });

  it('stop disposes plugins, answers, and exits 0', async () => {
    const worker = await startInitialised();
    const exited = once(worker.child, 'exit');
    worker.send({ type: 'stop', request_id: 'stop-1' });
    expect(await worker.next((message) => message.type === 'response')).toMatchObject({
      request_id: 'stop-1',
      request_type: 'stop',
      status: 'success',
    });
    expect((await exited)[0]).toBe(0);
  });

  it('refuses to run without its channel, explaining itself', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, [CHILD_ENTRY], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('this module is the worker process entry point');
  });
});

describe('several messages in one write', () => {
  const results = (worker: RawWorker) =>
    worker.writes.map((write) =>
      write.messages
        .filter((message) => message.type === 'result')
        .map((message) => message.job_id),
    );

  it('reads requests that came in one write and answers short jobs that end together in one batch', async () => {
    const worker = await startInitialised();
    const ids = Array.from({ length: 20 }, (_, index) => `b${index + 1}`);
    worker.send(
      ...ids.map((id) => ({ type: 'execute', job_id: id, plugin_name: 'echo', text: id })),
    );
    await worker.next((message) => message.type === 'result' && message.job_id === 'b20');
    const answered = results(worker).filter((jobs) => jobs.length > 0);
    expect(answered.flat()).toEqual(ids);
    // A job that takes a while (the first runs cold) sends what waits at once; the rest batch.
    expect(answered.length).toBeLessThanOrEqual(5);
  });

  it('does not hold a result back behind a job that keeps the CPU busy', async () => {
    const worker = await startInitialised();
    worker.send(
      { type: 'execute', job_id: 'first', plugin_name: 'spin', ms: 40 },
      { type: 'execute', job_id: 'second', plugin_name: 'spin', ms: 200 },
    );
    await worker.next((message) => message.type === 'result' && message.job_id === 'second');
    const first = worker.writes.find((write) =>
      write.messages.some((m) => 'job_id' in m && m.job_id === 'first'),
    )!;
    const second = worker.writes.find((write) =>
      write.messages.some((m) => 'job_id' in m && m.job_id === 'second'),
    )!;
    expect(first).not.toBe(second);
    // The first result left before the second job's 200 ms of CPU, not after them.
    expect(second.at - first.at).toBeGreaterThan(150);
  });
});
