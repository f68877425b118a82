/**
 * The entries of a job's chunk stream (a Redis Stream, one per job), written by the node and
 * read by the submitter:
 *
 * - `c` — chunk text (several plugin chunks may be joined into one entry), followed by `n`, the
 *   entry's ordinal in its attempt (1, 2, …): a reader that finds one missing knows another
 *   reader consumed (trimmed) it, rather than silently giving a partial stream;
 * - `a` — attempt number, first entry of every attempt after the first (a retry);
 * - `e` — the end: JSON `{ status, error? }` of the job's final outcome.
 *
 * Flow control is credit: the reader deletes what it has consumed (XTRIM MINID), and the node
 * keeps at most `windowChars` unconsumed characters in the stream, pausing the plugin (through
 * the local stream's own backpressure) while the reader lags.
 */
import type { JobFailure } from '@plugwork/worker';

export const CHUNK_FIELD = 'c';
export const ATTEMPT_FIELD = 'a';
export const END_FIELD = 'e';
export const ORDINAL_FIELD = 'n';

export interface StreamEnd {
  status: 'completed' | 'failed' | 'cancelled';
  error?: JobFailure;
}

/** The smallest stream id after `id` (XTRIM MINID removes every entry below it). */
export function nextStreamId(id: string): string {
  const dash = id.indexOf('-');
  return `${id.slice(0, dash)}-${Number(id.slice(dash + 1)) + 1}`;
}
