import type { JsonObject } from '@plugwork/protocol';
import type { JobFailure } from '../errors.ts';
import type { JobStatus } from '../parent/job.ts';
import {
  type AttemptWorker,
  endLastAttempt,
  type JobAttempt,
  type JobOutcome,
  type NewJob,
  NO_ATTEMPTS,
  type StoredJob,
  withStartedAttempt,
} from './stored-job.ts';

/**
 * A store's mutable record of one job, with the transitions both stores share. Never handed
 * out: snapshots are (frozen, cached until the next change).
 */
export class JobState {
  readonly spec: NewJob;
  readonly seq: number;
  status: JobStatus;
  runAt: number;
  attempts: JobAttempt[];
  startedAt: number | undefined;
  endedAt: number | undefined;
  progress: number | undefined;
  progressMessage: string | undefined;
  result: JsonObject | undefined;
  error: JobFailure | undefined;
  workerId: string | undefined;
  workerPid: number | undefined;
  /** Bumped whenever the job enters the run queue; stale heap entries carry an older value. */
  queueTicket = 0;
  /** In the run queue (not claimed). */
  queued = false;
  /** Pruned from the memory store, whose lists drop such jobs lazily. */
  dropped = false;
  /** The SQLite store has not written the job's row yet (a flag here costs less than a Set there). */
  rowless = false;
  /** No longer the store's (its row was refused): an entry a caller still holds is stale. */
  forgotten = false;
  /**
   * The caller's own object for this job while it is queued (the manager's record), so that
   * whoever claims the entry finds it without a lookup by id. Set and cleared by the caller.
   */
  holder: object | undefined = undefined;
  #snapshot: StoredJob | undefined;

  constructor(spec: NewJob, seq: number, restored?: Partial<StoredJob>) {
    this.spec = spec;
    this.seq = seq;
    this.status = restored?.status ?? 'pending';
    this.runAt = restored?.runAt ?? spec.runAt;
    this.attempts = restored?.attempts ? [...restored.attempts] : NO_ATTEMPTS;
    this.startedAt = restored?.startedAt;
    this.endedAt = restored?.endedAt;
    this.progress = restored?.progress;
    this.progressMessage = restored?.progressMessage;
    this.result = restored?.result;
    this.error = restored?.error;
    this.workerId = restored?.workerId;
    this.workerPid = restored?.workerPid;
  }

  get id(): string {
    return this.spec.id;
  }

  get terminal(): boolean {
    return this.status === 'completed' || this.status === 'failed' || this.status === 'cancelled';
  }

  /** Attempts the job may still start. */
  get attemptsLeft(): number {
    return this.spec.maxAttempts - this.attempts.length;
  }

  startAttempt(worker: AttemptWorker, at: number): void {
    this.status = 'running';
    this.startedAt = at;
    this.workerId = worker.workerId;
    this.workerPid = worker.workerPid;
    this.progress = undefined;
    this.progressMessage = undefined;
    this.attempts = withStartedAttempt(this.attempts, at, worker.workerId, worker.workerPid);
    this.#snapshot = undefined;
  }

  setProgress(progress: number, message: string | undefined): void {
    this.progress = progress;
    this.progressMessage = message;
    this.#snapshot = undefined;
  }

  /** Back to pending; a running attempt ends (with `error` when it failed). */
  backToPending(runAt: number, error: JobFailure | undefined, at: number): void {
    if (this.status === 'running') this.#endAttempt(error, at);
    this.status = 'pending';
    this.runAt = runAt;
    this.#snapshot = undefined;
  }

  end(outcome: JobOutcome, at: number): void {
    if (this.status === 'running') {
      this.#endAttempt(outcome.status === 'completed' ? undefined : outcome.error, at);
    }
    this.status = outcome.status;
    this.endedAt = at;
    if (outcome.status === 'completed') this.result = outcome.result;
    else this.error = outcome.error;
    this.#snapshot = undefined;
  }

  #endAttempt(error: JobFailure | undefined, at: number): void {
    endLastAttempt(this.attempts, at, error);
  }

  snapshot(): StoredJob {
    const { spec } = this;
    // Every field spelled out: a spread plus overrides makes V8 build a slow dictionary object.
    this.#snapshot ??= Object.freeze({
      id: spec.id,
      plugin: spec.plugin,
      params: spec.params,
      stream: spec.stream,
      metadata: spec.metadata,
      timeoutMs: spec.timeoutMs,
      stallMs: spec.stallMs,
      priority: spec.priority,
      submittedAt: spec.submittedAt,
      maxAttempts: spec.maxAttempts,
      backoff: spec.backoff,
      retryOn: spec.retryOn,
      seq: this.seq,
      status: this.status,
      runAt: this.runAt,
      attempts: Object.freeze([...this.attempts]),
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      progress: this.progress,
      progressMessage: this.progressMessage,
      result: this.result,
      error: this.error,
      workerId: this.workerId,
      workerPid: this.workerPid,
    });
    return this.#snapshot;
  }
}
