import type { JobParams, JsonObject } from '@plugwork/protocol';
import type { JobFailure } from '../errors.ts';
import type { JobStatus } from '../parent/job.ts';
import type { RetryableFailure } from './retry-policy.ts';

/** How long to wait before the next attempt of a failed job (BullMQ's meaning). */
export interface Backoff {
  /** `fixed`: `delayMs` every time. `exponential`: `delayMs · 2^(n−1)` before retry n. */
  readonly type: 'fixed' | 'exponential';
  readonly delayMs: number;
  /** Ceiling of any one delay. Default: none. */
  readonly maxDelayMs?: number | undefined;
}

/** One run of a job on a worker. */
export interface JobAttempt {
  readonly startedAt: number;
  readonly endedAt: number | undefined;
  readonly workerId: string | undefined;
  readonly workerPid: number | undefined;
  /** Why this attempt did not complete; undefined while it runs and when it completed. */
  readonly error: JobFailure | undefined;
}

/**
 * The attempts of a job that never started, shared (frozen): a queued job gets its own array
 * when it starts. Code that adds an attempt replaces this array, never pushes onto it.
 */
export const NO_ATTEMPTS = Object.freeze([]) as unknown as JobAttempt[];

/**
 * `attempts` with a new attempt started at `at`: the same array, or a new one instead of the
 * shared NO_ATTEMPTS. The manager's record and the store's state both keep attempts so.
 */
export function withStartedAttempt(
  attempts: JobAttempt[],
  at: number,
  workerId: string | undefined,
  workerPid: number | undefined,
): JobAttempt[] {
  const attempt: JobAttempt = Object.freeze({
    startedAt: at,
    endedAt: undefined,
    workerId,
    workerPid,
    error: undefined,
  });
  if (attempts === NO_ATTEMPTS) return [attempt];
  attempts.push(attempt);
  return attempts;
}

/** Ends the last of `attempts` at `at` (with `error` when it failed), unless it has ended. */
export function endLastAttempt(
  attempts: JobAttempt[],
  at: number,
  error: JobFailure | undefined,
): void {
  const last = attempts.length - 1;
  const attempt = attempts[last];
  if (attempt === undefined || attempt.endedAt !== undefined) return;
  // Spelled out: spreading a frozen object is several times slower than a literal.
  attempts[last] = Object.freeze({
    startedAt: attempt.startedAt,
    endedAt: at,
    workerId: attempt.workerId,
    workerPid: attempt.workerPid,
    error,
  });
}

/** What a store needs to take a new job; the store adds `seq`, status and history. */
export interface NewJob {
  readonly id: string;
  readonly plugin: string;
  readonly params: JobParams;
  readonly stream: boolean;
  readonly metadata: JsonObject;
  readonly timeoutMs: number | undefined;
  readonly stallMs: number | undefined;
  /** 0 runs first; larger numbers later (BullMQ's meaning). */
  readonly priority: number;
  /** Milliseconds since the epoch. */
  readonly submittedAt: number;
  /** Not before this time (submittedAt + delay). */
  readonly runAt: number;
  /** Runs allowed in all, the first included (>= 1). */
  readonly maxAttempts: number;
  readonly backoff: Backoff | undefined;
  /** The failures the job is run again after, while attempts last. */
  readonly retryOn: readonly RetryableFailure[];
}

/**
 * A job as a store holds it: a frozen snapshot, JSON-safe. Its fields are a superset of the
 * manager's `Job` snapshot, so a finished job can be served from the store alone.
 */
export interface StoredJob extends NewJob {
  /** Submission order within the store: unique, increasing, never reused. */
  readonly seq: number;
  readonly status: JobStatus;
  /** Every attempt so far, the current one last. */
  readonly attempts: readonly JobAttempt[];
  /** Start of the latest attempt. */
  readonly startedAt: number | undefined;
  readonly endedAt: number | undefined;
  readonly progress: number | undefined;
  readonly progressMessage: string | undefined;
  readonly result: JsonObject | undefined;
  readonly error: JobFailure | undefined;
  readonly workerId: string | undefined;
  readonly workerPid: number | undefined;
}

/** Who runs an attempt. */
export interface AttemptWorker {
  readonly workerId: string;
  readonly workerPid: number | undefined;
}

/** How a job ended. */
export type JobOutcome =
  | { readonly status: 'completed'; readonly result: JsonObject }
  | { readonly status: 'failed' | 'cancelled'; readonly error: JobFailure };
