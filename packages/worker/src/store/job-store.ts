import type { JobFailure, JobStoreError } from '../errors.ts';
import type { JobStatus } from '../parent/job.ts';
import type { JobState } from './job-state.ts';
import type { AttemptWorker, JobOutcome, NewJob, StoredJob } from './stored-job.ts';

export type FinishedStatus = 'completed' | 'failed' | 'cancelled';
export const FINISHED_STATUSES: readonly FinishedStatus[] = ['completed', 'failed', 'cancelled'];
export const JOB_STATUSES: readonly JobStatus[] = [
  'pending',
  'running',
  'completed',
  'failed',
  'cancelled',
];

/** A history query. Every field is optional; the defaults list the newest 50 jobs. */
export interface ListJobsFilter {
  readonly status?: JobStatus | readonly JobStatus[] | undefined;
  readonly plugin?: string | undefined;
  /** Jobs submitted at or after this time (ms since the epoch). */
  readonly since?: number | undefined;
  /** Jobs submitted before this time. */
  readonly until?: number | undefined;
  /** `newest` first (the default) or `oldest` first, by submission order. */
  readonly order?: 'newest' | 'oldest' | undefined;
  /** Jobs per page, 1 to 1000. Default 50. */
  readonly limit?: number | undefined;
  /** A previous page's `nextCursor`, with the same filter. */
  readonly cursor?: string | undefined;
}

/** One page of a history query. */
export interface JobPage {
  readonly jobs: readonly StoredJob[];
  /** Pass it back as `cursor` for the next page; undefined on the last page. */
  readonly nextCursor: string | undefined;
}

/** How long finished jobs of one status are kept; both bounds apply when both are given. */
export interface RetentionRule {
  /** Jobs that ended longer ago than this are deleted. */
  readonly maxAgeMs?: number | undefined;
  /** Only the most recently submitted this many are kept. */
  readonly maxCount?: number | undefined;
}

/** Retention per finished status; a status without a rule is kept forever. */
export type Retention = { readonly [S in FinishedStatus]?: RetentionRule | undefined };

/** Jobs deleted by one prune, per status. */
export type PruneReport = Record<FinishedStatus, number>;

/**
 * What happens to the jobs that were running when the previous host died: `retry` runs them
 * again if they have attempts left and fails the others with HOST_RESTARTED; `fail` fails them
 * all with HOST_RESTARTED.
 */
export type RecoveryPolicy = 'retry' | 'fail';

export interface RecoveryReport {
  /** Were running, have attempts left: queued again. */
  readonly requeued: readonly StoredJob[];
  /** Were running: now failed with HOST_RESTARTED. */
  readonly failed: readonly StoredJob[];
  /** Jobs waiting to run after recovery (the requeued ones included). */
  readonly pending: number;
}

export interface InsertResult {
  /** The job (a snapshot made when read: a submit that reads nothing back pays for none). */
  readonly job: StoredJob;
  /** False when a job with that id existed: `job` is that job, nothing was added. */
  readonly created: boolean;
  /**
   * The store's live entry of a created job. Handed back to markRunning and finish in place of
   * the id, and found again by the claim calls, it spares a lookup by id on every transition.
   */
  readonly entry?: JobState;
}

/** Called when a batched write could not be committed. `rejected` jobs were never stored. */
export type WriteErrorHook = (error: JobStoreError, rejected: readonly StoredJob[]) => void;

/**
 * Where a JobManager keeps its jobs: the queue (priority, then submission order, honouring
 * delays), the state of running jobs, and the history of finished ones. Every method but
 * prune and close is synchronous: the manager's submit and dispatch paths are.
 *
 * Transitions a store accepts: pending -> running (markRunning), running or pending -> pending
 * (requeue), pending or running -> completed | failed | cancelled (finish). Calls on a job that
 * is unknown or already finished change nothing and return false. They return no snapshot: the
 * manager makes these calls for every job and reads nothing back (`get` does).
 */
export interface JobStore {
  readonly kind: 'memory' | 'sqlite';
  /** The SQLite file (absolute), or undefined for the memory store. */
  readonly file: string | undefined;
  /** Pending jobs, delayed ones and claimed-but-not-started ones included. */
  readonly pendingCount: number;
  /** Jobs in the queue: pending and not claimed (delayed ones included). */
  readonly queuedCount: number;
  readonly runningCount: number;

  /**
   * Adds a job, or returns the job that already has its id (idempotent submit). `fresh`: the
   * caller made the id unique itself (the JobManager's generated ids, random per manager), so
   * no stored job is looked up by it.
   */
  insert(job: NewJob, options?: { fresh?: boolean }): InsertResult;
  /**
   * Takes the next job to run out of the queue: lowest priority number first, then submission
   * order, among jobs whose runAt has come. It stays pending until markRunning.
   */
  claimNext(now?: number): StoredJob | undefined;
  /** The job claimNext would take, left in the queue. */
  peekNext(now?: number): StoredJob | undefined;
  /** claimNext and peekNext for a caller that holds its jobs already: the id, no snapshot. */
  claimNextId(now?: number): string | undefined;
  peekNextId(now?: number): string | undefined;
  /** claimNext and peekNext as the live entry (see InsertResult.entry): no snapshot, no id. */
  claimNextEntry(now?: number): JobState | undefined;
  peekNextEntry(now?: number): JobState | undefined;
  /** The live entries in the queue (not claimed), in no particular order; walks every live job. */
  queuedEntries(): Iterable<JobState>;
  /** The earliest runAt of a queued job (a time in the past when one is runnable now). */
  nextRunAt(): number | undefined;
  /** Starts an attempt. `job`: the id, or the live entry insert() gave. */
  markRunning(job: string | JobState, worker: AttemptWorker, at?: number): boolean;
  recordProgress(id: string, progress: number, message: string | undefined): void;
  /**
   * Puts a job back in the queue, to run not before `runAt`. `error` ends its current attempt
   * (a retry); without one, a claimed job simply goes back.
   */
  requeue(
    id: string,
    next: { runAt: number; error?: JobFailure | undefined },
    at?: number,
  ): boolean;
  /** Ends a job (and its current attempt). `job`: the id, or the live entry insert() gave. */
  finish(job: string | JobState, outcome: JobOutcome, at?: number): boolean;
  /** Applies the policy to the jobs a previous host left running. Call once, before claiming. */
  recover(policy: RecoveryPolicy, now?: number): RecoveryReport;
  get(id: string): StoredJob | undefined;
  list(filter?: ListJobsFilter): JobPage;
  /** Deletes every finished job at once (blocking for as long as that takes); returns how many. */
  clearFinished(): number;
  /** Deletes finished jobs beyond the retention, in small batches that let the event loop run. */
  prune(retention: Retention, now?: number): Promise<PruneReport>;
  /** Commits pending writes now (the SQLite store batches them). */
  flush(): void;
  /** Commits pending writes and releases the file. Idempotent. */
  close(): Promise<void>;
}
