import type { JobParams, JsonObject } from '@plugwork/protocol';
import type { JobFailure } from '../../errors.ts';
import type { JobStatus } from '../../parent/job.ts';
import { JobState } from '../job-state.ts';
import type { RetryableFailure } from '../retry-policy.ts';
import type { Backoff, JobAttempt, NewJob } from '../stored-job.ts';
import type { SqlRow, SqlValue } from './driver.ts';
import { type RowLayout, type RowSink, ValueList } from './row-pack.ts';

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
export const LIVE_COLUMNS = [
  'status',
  'run_at',
  'started_at',
  'attempts',
  'progress',
  'progress_message',
  'worker_id',
  'worker_pid',
] as const;

export const FINISH_COLUMNS = [...LIVE_COLUMNS, 'ended_at', 'result', 'error'] as const;

const assignments = (columns: readonly string[]) => columns.map((c) => `${c} = ?`).join(', ');

/** One row's update; its parameters are the columns' values, then the seq. */
export const UPDATE_LIVE_SQL = `UPDATE jobs SET ${assignments(LIVE_COLUMNS)} WHERE seq = ?`;
export const UPDATE_FINISHED_SQL = `UPDATE jobs SET ${assignments(FINISH_COLUMNS)} WHERE seq = ?`;

/** Many rows' update from `values` (rows laid out as for the one-row statement: seq last). */
function updateFromValues(columns: readonly string[], values: string): string {
  const set = columns.map((c, i) => `${c} = v.column${i + 1}`).join(', ');
  return `UPDATE jobs SET ${set} FROM (VALUES ${values}) AS v WHERE jobs.seq = v.column${columns.length + 1}`;
}

export const liveSql = (values: string): string => updateFromValues(LIVE_COLUMNS, values);
export const finishSql = (values: string): string => updateFromValues(FINISH_COLUMNS, values);

/** A number as JSON.stringify writes it. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/**
 * The `attempts` column: what JSON.stringify(attempts) gives (undefined fields left out),
 * built by hand, which takes half the time; a job writes it at every start and end.
 */
export function attemptsJson(attempts: readonly JobAttempt[]): string {
  if (attempts.length === 0) return '[]';
  let text = '[';
  for (let i = 0; i < attempts.length; i++) {
    const attempt = attempts[i]!;
    text += `${i === 0 ? '' : ','}{"startedAt":${jsonNumber(attempt.startedAt)}`;
    if (attempt.endedAt !== undefined) text += `,"endedAt":${jsonNumber(attempt.endedAt)}`;
    if (attempt.workerId !== undefined) text += `,"workerId":${JSON.stringify(attempt.workerId)}`;
    if (attempt.workerPid !== undefined) text += `,"workerPid":${jsonNumber(attempt.workerPid)}`;
    if (attempt.error !== undefined) text += `,"error":${JSON.stringify(attempt.error)}`;
    text += '}';
  }
  return `${text}]`;
}

/**
 * The columns of a job that never started (no attempt: so no start, worker, progress, end,
 * result or error), the common case of a new row: its attempts are `[]` in the SQL, and the
 * other columns are left NULL rather than bound.
 */
export const NEW_COLUMNS = [
  'seq',
  'id',
  'plugin',
  'status',
  'priority',
  'run_at',
  'submitted_at',
  'max_attempts',
  'spec',
] as const;

/** Whether `job`'s new row can be written with NEW_COLUMNS alone. */
export function neverStarted(job: JobState): boolean {
  return job.attempts.length === 0 && !job.terminal;
}

/** The `spec` column: JSON.stringify of a SpecColumn (undefined fields left out), by hand. */
export function specJson(spec: NewJob): string {
  let text = `{"params":${JSON.stringify(spec.params)},"stream":${spec.stream},"metadata":${JSON.stringify(spec.metadata)}`;
  if (spec.timeoutMs !== undefined) text += `,"timeoutMs":${jsonNumber(spec.timeoutMs)}`;
  if (spec.stallMs !== undefined) text += `,"stallMs":${jsonNumber(spec.stallMs)}`;
  if (spec.backoff !== undefined) text += `,"backoff":${JSON.stringify(spec.backoff)}`;
  if (spec.retryOn.length > 0) text += `,"retryOn":${JSON.stringify(spec.retryOn)}`;
  return `${text}}`;
}

/** The columns both kinds of new row begin with, in their order. */
function appendLeadingColumns(out: RowSink, job: JobState): void {
  const { spec } = job;
  out.number(job.seq);
  out.string(spec.id);
  out.string(spec.plugin);
  out.string(job.status);
  out.number(spec.priority);
  out.number(job.runAt);
  out.number(spec.submittedAt);
}

/** Appends the NEW_COLUMNS values of `job` (a job that neverStarted) to `out`. */
export function appendNew(out: RowSink, job: JobState): void {
  const { spec } = job;
  appendLeadingColumns(out, job);
  out.number(spec.maxAttempts);
  out.string(specJson(spec));
}

/** Appends the INSERT_SQL parameters of `job` to `out`. */
export function appendInsert(out: RowSink, job: JobState): void {
  const { spec } = job;
  appendLeadingColumns(out, job);
  out.number(job.startedAt);
  out.number(job.endedAt);
  out.number(spec.maxAttempts);
  out.string(specJson(spec));
  out.string(attemptsJson(job.attempts));
  out.number(job.progress);
  out.string(job.progressMessage);
  out.string(json(job.result));
  out.string(json(job.error));
  out.string(job.workerId);
  out.number(job.workerPid);
}

/** The columns both updates set, in their order: what a live job's transitions change. */
function appendLiveColumns(out: RowSink, job: JobState): void {
  out.string(job.status);
  out.number(job.runAt);
  out.number(job.startedAt);
  out.string(attemptsJson(job.attempts));
  out.number(job.progress);
  out.string(job.progressMessage);
  out.string(job.workerId);
  out.number(job.workerPid);
}

/** Appends the UPDATE_LIVE_SQL parameters of `job` to `out`. */
export function appendLiveUpdate(out: RowSink, job: JobState): void {
  appendLiveColumns(out, job);
  out.number(job.seq);
}

/** Appends the UPDATE_FINISHED_SQL parameters of `job` (a finished job) to `out`. */
export function appendFinish(out: RowSink, job: JobState): void {
  appendLiveColumns(out, job);
  out.number(job.endedAt);
  out.string(json(job.result));
  out.string(json(job.error));
  out.number(job.seq);
}

/**
 * What each append function writes, column by column (`n` number, `s` text), in the order of
 * a packed batch's kinds of rows: new rows (appendNew), other new rows (appendInsert), live
 * updates (appendLiveUpdate), finishes (appendFinish).
 */
export const BATCH_LAYOUTS = [
  'nsssnnnns',
  'nsssnnnnnnssnssssn',
  'snnsnssnn',
  'snnsnssnnssn',
] as const satisfies readonly RowLayout[];

export function insertParams(job: JobState): SqlValue[] {
  const out = new ValueList();
  appendInsert(out, job);
  return out.values;
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
