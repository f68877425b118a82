import type { JsonObject } from '@plugwork/protocol';
import { z } from 'zod';
import { describe, InvalidJobError } from '../errors.ts';
import { isPlainObject, toJsonSafe } from '../json-safe.ts';
import { type QueueJobOptions, queueJobOptionsShape } from '../store/job-options.ts';

/** Per-job options of submit(); `attempts`, `backoff`, `priority`, `delay`, `retryOn` as BullMQ's. */
export interface SubmitOptions extends QueueJobOptions {
  /** Stream the output when the plugin supports it (iterate the handle). Default false. */
  stream?: boolean;
  /** Time limit for this job, from the moment it starts running. Default timeouts.jobMs. */
  timeoutMs?: number;
  /** Stall limit for this job (no progress and no chunk for this long). Default timeouts.stallMs. */
  stallMs?: number;
  /** Anything JSON the host wants to keep with the job (a user id, a request id). */
  metadata?: JsonObject;
  /**
   * The job's id. Default: unique per manager (`<random hex>-<counter>`). Idempotent: when the
   * manager or its store holds a job with this id, submit returns that job's handle and
   * nothing new runs.
   */
  id?: string;
}

const submitOptionsSchema = z.strictObject({
  stream: z.boolean().optional(),
  timeoutMs: z.number().int().positive().optional(),
  stallMs: z.number().int().positive().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  id: z.string().min(1).optional(),
  ...queueJobOptionsShape,
});

/** Throws InvalidJobError naming the first option of `options` that is wrong. */
export function checkSubmitOptions(plugin: string, options: SubmitOptions): void {
  const checked = submitOptionsSchema.safeParse(options);
  if (checked.success) return;
  const issue = checked.error.issues[0]!;
  const key = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.');
  throw new InvalidJobError(plugin, `option "${key}": ${issue.message}`);
}

/** `value` as JSON the channel can carry, or InvalidJobError saying why it is not. */
export function checkJson(plugin: string, value: unknown, what: 'params' | 'metadata'): JsonObject {
  let safe: unknown;
  try {
    safe = toJsonSafe(value, what);
  } catch (error) {
    throw new InvalidJobError(plugin, describe(error), { cause: error });
  }
  if (!isPlainObject(safe)) {
    throw new InvalidJobError(plugin, `${what} must be a plain object`);
  }
  return safe as JsonObject;
}
