import { type JobFailure, WorkerErrorCode } from '../errors.ts';
import { retryDelayMs } from './backoff.ts';
import type { StoredJob } from './stored-job.ts';

/**
 * The failures a job may be retried after, as a submitter names them: `crash` (its worker died
 * under it), `timeout` (it ran past timeoutMs or stalled past stallMs), `error` (the plugin
 * threw). Cancellation is never retried, nor are failures a retry cannot fix (bad params, an
 * unserialisable or oversized result, a plugin that does not load).
 */
export type RetryableFailure = 'crash' | 'timeout' | 'error';

export const RETRYABLE_FAILURES: readonly RetryableFailure[] = ['crash', 'timeout', 'error'];

const KIND_OF: Partial<Record<WorkerErrorCode, RetryableFailure>> = {
  [WorkerErrorCode.WORKER_CRASHED]: 'crash',
  [WorkerErrorCode.JOB_TIMEOUT]: 'timeout',
  [WorkerErrorCode.JOB_STALLED]: 'timeout',
  [WorkerErrorCode.PLUGIN_ERROR]: 'error',
};

/** Which retryable kind a failure is, or undefined when no retry could help. */
export function retryableKind(failure: JobFailure): RetryableFailure | undefined {
  return KIND_OF[failure.code];
}

/**
 * After a failed attempt: when to run the job again (`runAt`), or undefined when it must fail
 * now (no attempts left, or a failure its submitter does not retry).
 */
export function nextAttemptAt(
  job: Pick<StoredJob, 'attempts' | 'maxAttempts' | 'backoff'>,
  failure: JobFailure,
  retryOn: readonly RetryableFailure[],
  now: number,
): number | undefined {
  const kind = retryableKind(failure);
  if (kind === undefined || !retryOn.includes(kind)) return undefined;
  // attempts holds the failed attempt itself: after attempt n, this is retry n.
  const used = job.attempts.length;
  if (used >= job.maxAttempts) return undefined;
  return now + retryDelayMs(job.backoff, used);
}
