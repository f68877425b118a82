import type { JobParams, JsonObject } from '@plugwork/protocol';
import type { JobFailure } from '../../errors.ts';
import type { JobStatus } from '../../parent/job.ts';
import { JobState } from '../job-state.ts';
import type { RetryableFailure } from '../retry-policy.ts';
import type { Backoff, JobAttempt, NewJob } from '../stored-job.ts';
import type { SqlRow, SqlValue } from './driver.ts';

/** The `spec` column: what submit fixed and no transition changes. */
interface SpecColumn {
  params: JobParams;
  stream: boolean;
  metadata: JsonObject;
  timeoutMs?: number;
  stallMs?: number;
  backoff?: Backoff;
  retryOn?: RetryableFailure[];
}

export const COLUMNS =
  'seq, id, plugin, status, priority, run_at, submitted_at, started_at, ended_at, max_attempts, spec, attempts, progress, progress_message, result, error, worker_id, worker_pid';

export const INSERT_SQL = `INSERT INTO jobs (${COLUMNS}) VALUES (${COLUMNS.split(',')
  .map(() => '?')
  .join(', ')})`;

/**
 * Updates of a live job leave ended_at (and so every partial index) alone; only the update
 * that finishes a job sets it, and so enters the job into the history indexes.
 */
export const UPDATE_LIVE_SQL =
  'UPDATE jobs SET status = ?, run_at = ?, started_at = ?, attempts = ?, progress = ?, progress_message = ?, worker_id = ?, worker_pid = ? WHERE seq = ?';

export const UPDATE_FINISHED_SQL =
  'UPDATE jobs SET status = ?, run_at = ?, started_at = ?, attempts = ?, progress = ?, progress_message = ?, worker_id = ?, worker_pid = ?, ended_at = ?, result = ?, error = ? WHERE seq = ?';

export function insertParams(job: JobState): SqlValue[] {
  const { spec } = job;
  const column: SpecColumn = {
    params: spec.params,
    stream: spec.stream,
    metadata: spec.metadata,
    timeoutMs: spec.timeoutMs,
    stallMs: spec.stallMs,
    backoff: spec.backoff,
    retryOn: spec.retryOn.length === 0 ? undefined : [...spec.retryOn],
  };
  return [
    job.seq,
    spec.id,
    spec.plugin,
    job.status,
    spec.priority,
    job.runAt,
    spec.submittedAt,
    job.startedAt ?? null,
    job.endedAt ?? null,
    spec.maxAttempts,
    JSON.stringify(column),
    JSON.stringify(job.attempts),
    job.progress ?? null,
    job.progressMessage ?? null,
    json(job.result),
    json(job.error),
    job.workerId ?? null,
    job.workerPid ?? null,
  ];
}

/** Parameters of UPDATE_LIVE_SQL, or of UPDATE_FINISHED_SQL for a finished job. */
export function updateParams(job: JobState): SqlValue[] {
  const live: SqlValue[] = [
    job.status,
    job.runAt,
    job.startedAt ?? null,
    JSON.stringify(job.attempts),
    job.progress ?? null,
    job.progressMessage ?? null,
    job.workerId ?? null,
    job.workerPid ?? null,
  ];
  if (job.terminal) live.push(job.endedAt ?? null, json(job.result), json(job.error));
  live.push(job.seq);
  return live;
}

/** A row read back, as the store's record of the job. */
export function rowToState(row: SqlRow): JobState {
  const column = JSON.parse(String(row.spec)) as SpecColumn;
  const spec: NewJob = {
    id: String(row.id),
    plugin: String(row.plugin),
    params: column.params,
    stream: column.stream,
    metadata: column.metadata,
    timeoutMs: column.timeoutMs,
    stallMs: column.stallMs,
    priority: Number(row.priority),
    submittedAt: Number(row.submitted_at),
    runAt: Number(row.run_at),
    maxAttempts: Number(row.max_attempts),
    backoff: column.backoff,
    retryOn: column.retryOn ?? [],
  };
  const attempts = (JSON.parse(String(row.attempts)) as Partial<JobAttempt>[]).map((attempt) =>
    Object.freeze({
      startedAt: attempt.startedAt!,
      endedAt: attempt.endedAt,
      workerId: attempt.workerId,
      workerPid: attempt.workerPid,
      error: attempt.error,
    }),
  );
  return new JobState(spec, Number(row.seq), {
    status: String(row.status) as JobStatus,
    runAt: Number(row.run_at),
    attempts,
    startedAt: optionalNumber(row.started_at),
    endedAt: optionalNumber(row.ended_at),
    progress: optionalNumber(row.progress),
    progressMessage: row.progress_message === null ? undefined : String(row.progress_message),
    result: parse<JsonObject>(row.result),
    error: parse<JobFailure>(row.error),
    workerId: row.worker_id === null ? undefined : String(row.worker_id),
    workerPid: optionalNumber(row.worker_pid),
  });
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

function parse<T>(value: SqlValue | undefined): T | undefined {
  return value === null || value === undefined ? undefined : (JSON.parse(String(value)) as T);
}

function optionalNumber(value: SqlValue | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}
