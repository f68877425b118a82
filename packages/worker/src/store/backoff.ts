import type { Backoff } from './stored-job.ts';

/**
 * The wait before retry `retry` (1 for the first retry, i.e. after attempt 1 failed), as
 * BullMQ computes it: `fixed` waits delayMs each time, `exponential` delayMs · 2^(retry−1);
 * both capped by maxDelayMs. No backoff: retry at once.
 */
export function retryDelayMs(backoff: Backoff | undefined, retry: number): number {
  if (backoff === undefined) return 0;
  const delay =
    backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** Math.max(0, retry - 1);
  return Math.round(Math.min(delay, backoff.maxDelayMs ?? Number.POSITIVE_INFINITY));
}
