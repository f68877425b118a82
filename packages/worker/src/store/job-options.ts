import { z } from 'zod';
import { RETRYABLE_FAILURES, type RetryableFailure } from './retry-policy.ts';
import type { Backoff } from './stored-job.ts';

/** BullMQ's priority range: 0 (the default) runs first, 2,097,152 last. */
export const MAX_PRIORITY = 2_097_152;

/** The job options a durable queue adds to submit(), with BullMQ's names and meanings. */
export interface QueueJobOptions {
  /** Runs allowed in all, the first included. Default 1 (no retry). */
  attempts?: number;
  /** The wait between attempts. Default: retry at once. */
  backoff?: { type: 'fixed' | 'exponential'; delayMs: number; maxDelayMs?: number };
  /** 0 (the default) runs first, larger numbers later; equal priorities run in submission order. */
  priority?: number;
  /** Milliseconds to wait before the job may first run. */
  delay?: number;
  /**
   * Which failures use up an attempt and run the job again: 'crash', 'timeout' (a stall too),
   * 'error' (the plugin threw). Default all three. Cancellation is never retried.
   */
  retryOn?: RetryableFailure[];
}

export const queueJobOptionsShape = {
  attempts: z.number().int().min(1).max(1000).optional(),
  backoff: z
    .strictObject({
      type: z.enum(['fixed', 'exponential']),
      delayMs: z.number().int().nonnegative(),
      maxDelayMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
  priority: z.number().int().min(0).max(MAX_PRIORITY).optional(),
  delay: z.number().int().nonnegative().optional(),
  retryOn: z.array(z.enum(['crash', 'timeout', 'error'])).optional(),
};

/** The store's fields for a job's queue options, with the defaults applied. */
export function resolveQueueOptions(
  options: QueueJobOptions,
  submittedAt: number,
): {
  maxAttempts: number;
  backoff: Backoff | undefined;
  priority: number;
  runAt: number;
  retryOn: readonly RetryableFailure[];
} {
  return {
    maxAttempts: options.attempts ?? 1,
    backoff:
      options.backoff === undefined
        ? undefined
        : {
            type: options.backoff.type,
            delayMs: options.backoff.delayMs,
            maxDelayMs: options.backoff.maxDelayMs,
          },
    priority: options.priority ?? 0,
    runAt: submittedAt + (options.delay ?? 0),
    retryOn: options.retryOn ?? RETRYABLE_FAILURES,
  };
}
