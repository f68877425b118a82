import type { RunnerSubmitOptions } from '@plugwork/worker';
import type { JobsOptions } from 'bullmq';
import { z } from 'zod';

/** How long BullMQ keeps a finished job: true (remove at once), a count, or an age and/or count. */
export type Retention = boolean | number | { age?: number; count?: number };

/**
 * Per-job options of BullmqRunner.submit(): JobManager's (stream, timeoutMs, stallMs,
 * metadata, id) plus BullMQ's, with BullMQ's meaning.
 */
export interface RemoteSubmitOptions extends RunnerSubmitOptions {
  /** Stall limit (no progress, no chunk for this long), enforced on the node. */
  stallMs?: number;
  /**
   * Runs of the job, counting the first: a plugin failure, a worker crash, a timeout and a lost
   * node each use one. Default 1 (no retry). A cancelled job is never retried.
   */
  attempts?: number;
  /** Wait before a retry: ms (fixed), or `{ type: 'fixed' | 'exponential', delay }`. */
  backoff?: number | { type: 'fixed' | 'exponential'; delay: number };
  /** 1 (first) to 2 097 151 (last); jobs without a priority go before prioritized ones. */
  priority?: number;
  /** Milliseconds before the job may start. */
  delay?: number;
  /** Finished jobs to keep: `true` removes at once; `{ age: seconds, count }`. Default: keep. */
  removeOnComplete?: Retention;
  removeOnFail?: Retention;
}

const retention = z.union([
  z.boolean(),
  z.number().int().nonnegative(),
  z
    .strictObject({
      age: z.number().int().positive().optional(),
      count: z.number().int().nonnegative().optional(),
    })
    .refine((value) => value.age !== undefined || value.count !== undefined, {
      message: 'give age (seconds) and/or count',
    }),
]);

export const remoteSubmitOptionsSchema = z.strictObject({
  stream: z.boolean().optional(),
  timeoutMs: z.number().int().positive().optional(),
  stallMs: z.number().int().positive().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  id: z
    .string()
    .min(1)
    .refine((id) => !id.includes(':'), { message: 'a job id cannot contain ":"' })
    .refine((id) => !/^\d+$/.test(id), { message: 'a job id cannot be an integer' })
    .optional(),
  attempts: z.number().int().positive().max(1_000).optional(),
  backoff: z
    .union([
      z.number().int().nonnegative(),
      z.strictObject({
        type: z.enum(['fixed', 'exponential']),
        delay: z.number().int().nonnegative(),
      }),
    ])
    .optional(),
  priority: z.number().int().min(1).max(2_097_151).optional(),
  delay: z.number().int().nonnegative().optional(),
  removeOnComplete: retention.optional(),
  removeOnFail: retention.optional(),
});

/** The BullMQ options of one job. */
export function toJobsOptions(options: RemoteSubmitOptions, jobId: string): JobsOptions {
  const jobs: JobsOptions = { jobId, attempts: options.attempts ?? 1 };
  if (options.backoff !== undefined) jobs.backoff = options.backoff;
  if (options.priority !== undefined) jobs.priority = options.priority;
  if (options.delay !== undefined) jobs.delay = options.delay;
  if (options.removeOnComplete !== undefined) {
    jobs.removeOnComplete = retentionOf(options.removeOnComplete);
  }
  if (options.removeOnFail !== undefined) jobs.removeOnFail = retentionOf(options.removeOnFail);
  return jobs;
}

function retentionOf(value: Retention): JobsOptions['removeOnComplete'] {
  if (typeof value !== 'object') return value;
  return value.age === undefined
    ? { count: value.count ?? 0 }
    : { age: value.age, count: value.count };
}
