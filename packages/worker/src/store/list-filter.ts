import { JobStoreError } from '../errors.ts';
import type { JobStatus } from '../parent/job.ts';
import { JOB_STATUSES, type ListJobsFilter } from './job-store.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** A ListJobsFilter checked and with its defaults applied. */
export interface ListQuery {
  /** Undefined: every status. */
  readonly statuses: readonly JobStatus[] | undefined;
  readonly plugin: string | undefined;
  readonly since: number | undefined;
  readonly until: number | undefined;
  readonly newestFirst: boolean;
  readonly limit: number;
  /** From the cursor: the page starts strictly past this seq, in the direction of travel. */
  readonly afterSeq: number | undefined;
}

export function toListQuery(filter: ListJobsFilter): ListQuery {
  let statuses: readonly JobStatus[] | undefined;
  if (filter.status !== undefined) {
    const given = typeof filter.status === 'string' ? [filter.status] : filter.status;
    for (const status of given) {
      if (!JOB_STATUSES.includes(status)) {
        throw JobStoreError.badQuery(
          'status',
          `"${status}" is not one of ${JOB_STATUSES.join(', ')}`,
        );
      }
    }
    statuses = [...new Set(given)];
  }
  const limit = filter.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw JobStoreError.badQuery('limit', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  for (const field of ['since', 'until'] as const) {
    const value = filter[field];
    if (value !== undefined && !Number.isFinite(value)) {
      throw JobStoreError.badQuery(field, 'must be a time in milliseconds since the epoch');
    }
  }
  if (filter.since !== undefined && filter.until !== undefined && filter.since > filter.until) {
    throw JobStoreError.badQuery('since', 'is after "until": the time range is empty');
  }
  const newestFirst = (filter.order ?? 'newest') === 'newest';
  if (filter.order !== undefined && filter.order !== 'newest' && filter.order !== 'oldest') {
    throw JobStoreError.badQuery('order', 'must be "newest" or "oldest"');
  }
  return {
    statuses,
    plugin: filter.plugin,
    since: filter.since,
    until: filter.until,
    newestFirst,
    limit,
    afterSeq: filter.cursor === undefined ? undefined : decodeCursor(filter.cursor, newestFirst),
  };
}

/** The cursor after `seq`: opaque to callers, it names the direction so a mix-up is caught. */
export function encodeCursor(seq: number, newestFirst: boolean): string {
  return `${newestFirst ? 'n' : 'o'}${seq.toString(36)}`;
}

function decodeCursor(cursor: string, newestFirst: boolean): number {
  const match = /^([no])([0-9a-z]{1,11})$/.exec(cursor);
  const seq = match === null ? Number.NaN : Number.parseInt(match[2]!, 36);
  if (match === null || (match[1] === 'n') !== newestFirst || !Number.isSafeInteger(seq)) {
    throw JobStoreError.badCursor(cursor);
  }
  return seq;
}

/** Whether a job passes the query's filters (the cursor aside). */
export function matchesQuery(
  job: { readonly status: JobStatus; readonly spec: { plugin: string; submittedAt: number } },
  query: ListQuery,
): boolean {
  if (query.statuses !== undefined && !query.statuses.includes(job.status)) return false;
  if (query.plugin !== undefined && job.spec.plugin !== query.plugin) return false;
  if (query.since !== undefined && job.spec.submittedAt < query.since) return false;
  if (query.until !== undefined && job.spec.submittedAt >= query.until) return false;
  return true;
}
