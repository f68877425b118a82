// The small parts of the queue: the heap, the run queue's lazy removal, backoff and options.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkerErrorCode } from '../../src/errors.ts';
import { retryDelayMs } from '../../src/store/backoff.ts';
import { Heap } from '../../src/store/heap.ts';
import {
  MAX_PRIORITY,
  queueJobOptionsShape,
  resolveQueueOptions,
} from '../../src/store/job-options.ts';
import { JobState } from '../../src/store/job-state.ts';
import { nextAttemptAt, RETRYABLE_FAILURES } from '../../src/store/retry-policy.ts';
import { RunQueue } from '../../src/store/run-queue.ts';
import { newJob } from './store-helpers.ts';

describe('Heap', () => {
  it('pops in order whatever the push order', () => {
    const heap = new Heap<number>((a, b) => a < b);
    const values = Array.from({ length: 500 }, (_, index) => (index * 7919) % 1009);
    for (const value of values) heap.push(value);
    const popped: number[] = [];
    for (let value = heap.pop(); value !== undefined; value = heap.pop()) popped.push(value);
    expect(popped).toEqual([...values].sort((a, b) => a - b));
    expect(heap.size).toBe(0);
  });
});

describe('RunQueue', () => {
  let seq = 0;
  const state = (overrides: Parameters<typeof newJob>[0] = {}) =>
    new JobState(newJob({ submittedAt: 0, runAt: 0, ...overrides }), ++seq);

  it('skips removed and re-added jobs without taking them twice', () => {
    const queue = new RunQueue();
    const [a, b, c] = [state(), state(), state()];
    for (const job of [a, b, c]) queue.add(job, 0);
    queue.remove(b);
    queue.add(a, 0); // again: still once
    expect(queue.size).toBe(2);
    expect([queue.take(0), queue.take(0), queue.take(0)]).toEqual([a, c, undefined]);
    queue.add(b, 0);
    expect(queue.take(0)).toBe(b);
    expect(queue.size).toBe(0);
  });

  it('moves a delayed job to the ready heap when its time comes', () => {
    const queue = new RunQueue();
    const late = state({ runAt: 100, priority: 0 });
    const now = state({ runAt: 0, priority: 9 });
    queue.add(late, 0);
    queue.add(now, 0);
    expect(queue.nextRunAt()).toBe(0);
    expect(queue.take(50)).toBe(now);
    expect(queue.take(50)).toBeUndefined();
    expect(queue.nextRunAt()).toBe(100);
    queue.remove(late);
    expect(queue.nextRunAt()).toBeUndefined();
    expect(queue.take(1_000)).toBeUndefined();
  });

  it('runs by priority then submission order across its fast lane and its heap', () => {
    const queue = new RunQueue();
    // Plain jobs in submission order take the lane; a priority, a job requeued behind newer
    // ones and a delayed job coming due take the heap. The order is the same as one heap's.
    const [a, b, urgent, c, delayed] = [
      state(),
      state(),
      state({ priority: -1 }),
      state(),
      state({ runAt: 10 }),
    ];
    for (const job of [a, b, urgent, c, delayed]) queue.add(job, 0);
    expect(queue.peek(0)).toBe(urgent);
    expect(queue.take(0)).toBe(urgent);
    expect(queue.take(0)).toBe(a);
    queue.add(a, 0); // a retry: back before b and c, by its submission order
    const late = state({ priority: 1 });
    queue.add(late, 0);
    const order = [];
    for (let job = queue.take(20); job !== undefined; job = queue.take(20)) order.push(job);
    expect(order).toEqual([a, b, c, delayed, late]);
  });
});

describe('retryDelayMs (BullMQ backoff)', () => {
  it('waits delayMs every time when fixed', () => {
    expect([1, 2, 5].map((retry) => retryDelayMs({ type: 'fixed', delayMs: 300 }, retry))).toEqual([
      300, 300, 300,
    ]);
  });

  it('doubles from delayMs when exponential, up to maxDelayMs', () => {
    const backoff = { type: 'exponential', delayMs: 100, maxDelayMs: 1_000 } as const;
    expect([1, 2, 3, 4, 5, 6].map((retry) => retryDelayMs(backoff, retry))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(retryDelayMs({ type: 'exponential', delayMs: 100 }, 11)).toBe(102_400);
  });

  it('retries at once without a backoff', () => {
    expect(retryDelayMs(undefined, 3)).toBe(0);
  });
});

describe('queue job options', () => {
  const schema = z.strictObject(queueJobOptionsShape);

  it('applies the defaults: one attempt, priority 0, no delay, no backoff', () => {
    expect(resolveQueueOptions({}, 1_000)).toEqual({
      maxAttempts: 1,
      backoff: undefined,
      priority: 0,
      runAt: 1_000,
      retryOn: ['crash', 'timeout', 'error'],
    });
    expect(
      resolveQueueOptions(
        { attempts: 3, backoff: { type: 'fixed', delayMs: 50 }, priority: 7, delay: 250 },
        1_000,
      ),
    ).toEqual({
      maxAttempts: 3,
      backoff: { type: 'fixed', delayMs: 50, maxDelayMs: undefined },
      priority: 7,
      runAt: 1_250,
      retryOn: ['crash', 'timeout', 'error'],
    });
  });

  it.each([
    [{ attempts: 0 }, 'attempts'],
    [{ attempts: 1.5 }, 'attempts'],
    [{ priority: -1 }, 'priority'],
    [{ priority: MAX_PRIORITY + 1 }, 'priority'],
    [{ delay: -5 }, 'delay'],
    [{ backoff: { type: 'linear', delayMs: 1 } }, 'backoff.type'],
    [{ backoff: { type: 'fixed' } }, 'backoff.delayMs'],
  ])('rejects %j at %s', (options, path) => {
    const result = schema.safeParse(options);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path.join('.')).toBe(path);
  });
});

describe('nextAttemptAt (which failures are retried, and when)', () => {
  const attempt = {
    startedAt: 0,
    endedAt: 1,
    workerId: 'worker-1',
    workerPid: 1,
    error: undefined,
  };
  const job = (used: number, maxAttempts: number) => ({
    attempts: Array.from({ length: used }, () => attempt),
    maxAttempts,
    backoff: { type: 'exponential', delayMs: 100, maxDelayMs: 250 } as const,
  });
  const failure = (code: WorkerErrorCode) => ({ code, message: 'x' });

  it('retries crashes, timeouts, stalls and plugin errors with the backoff, while attempts last', () => {
    const all = RETRYABLE_FAILURES;
    expect(nextAttemptAt(job(1, 3), failure(WorkerErrorCode.WORKER_CRASHED), all, 1_000)).toBe(
      1_100,
    );
    expect(nextAttemptAt(job(2, 3), failure(WorkerErrorCode.JOB_TIMEOUT), all, 1_000)).toBe(1_200);
    expect(nextAttemptAt(job(2, 4), failure(WorkerErrorCode.JOB_STALLED), all, 1_000)).toBe(1_200);
    expect(nextAttemptAt(job(3, 4), failure(WorkerErrorCode.PLUGIN_ERROR), all, 1_000)).toBe(1_250);
    expect(
      nextAttemptAt(job(3, 3), failure(WorkerErrorCode.PLUGIN_ERROR), all, 1_000),
    ).toBeUndefined();
  });

  it('never retries a cancellation or a failure a retry cannot fix', () => {
    for (const code of [
      WorkerErrorCode.JOB_CANCELLED,
      WorkerErrorCode.RESULT_NOT_SERIALIZABLE,
      WorkerErrorCode.PLUGIN_LOAD_FAILED,
      WorkerErrorCode.NO_WORKERS,
    ]) {
      expect(nextAttemptAt(job(1, 5), failure(code), RETRYABLE_FAILURES, 0)).toBeUndefined();
    }
  });

  it('retries only what the submitter chose', () => {
    const crashesOnly = ['crash'] as const;
    expect(nextAttemptAt(job(1, 5), failure(WorkerErrorCode.WORKER_CRASHED), crashesOnly, 0)).toBe(
      100,
    );
    expect(
      nextAttemptAt(job(1, 5), failure(WorkerErrorCode.PLUGIN_ERROR), crashesOnly, 0),
    ).toBeUndefined();
  });
});
