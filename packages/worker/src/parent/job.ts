import {
  createExecuteRequest,
  type ExecuteRequest,
  type JobParams,
  type JsonObject,
} from '@plugwork/protocol';
import { JobError, type JobFailure } from '../errors.ts';
import type { JobState } from '../store/job-state.ts';
import type { RetryableFailure } from '../store/retry-policy.ts';
import {
  type Backoff,
  endLastAttempt,
  type JobAttempt,
  type NewJob,
  NO_ATTEMPTS,
  withStartedAttempt,
} from '../store/stored-job.ts';
import type { JobStream } from './job-stream.ts';
import { JobTimers } from './job-timers.ts';
import type { WorkerSlot } from './worker-slot.ts';

/** pending (queued) -> running -> completed | failed | cancelled. */
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A job as the host sees it: a read-only snapshot, JSON-safe (it is what events broadcast). */
export interface Job {
  readonly id: string;
  readonly plugin: string;
  readonly params: JobParams;
  /** Whether the job was submitted with { stream: true }. */
  readonly stream: boolean;
  readonly status: JobStatus;
  /** Whatever the host attached at submit; plugwork does not read it. */
  readonly metadata: JsonObject;
  /** Milliseconds since the epoch. */
  readonly submittedAt: number;
  readonly startedAt: number | undefined;
  readonly endedAt: number | undefined;
  /** Last progress the plugin reported, 0 to 1. */
  readonly progress: number | undefined;
  readonly progressMessage: string | undefined;
  /** The plugin's result (completed jobs). */
  readonly result: JsonObject | undefined;
  /** Why the job did not complete (failed and cancelled jobs). */
  readonly error: JobFailure | undefined;
  /** The pool position (`worker-1`) and process that ran it. */
  readonly workerId: string | undefined;
  readonly workerPid: number | undefined;
  /** 0 runs first, larger numbers later (submit option `priority`). */
  readonly priority: number;
  /** Not before this time, ms since the epoch (`delay`, or a retry's backoff). */
  readonly runAt: number;
  /** Runs allowed in all (submit option `attempts`). */
  readonly maxAttempts: number;
  /** Every run so far, the current one last, each with its error when it failed. */
  readonly attempts: readonly JobAttempt[];
}

/** Told of a record's transitions, to keep the job store in step with it. */
export interface RecordJournal {
  started(record: JobRecord): void;
  progressed(record: JobRecord): void;
  finished(record: JobRecord): void;
}

/** Why the manager is stopping a running job. */
export type StopReason = 'cancel' | 'timeout' | 'stall' | 'shutdown';

function ignore(): void {}

export function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** The manager's mutable record of a job. Never handed out; snapshots are. */
export class JobRecord {
  /**
   * What submit fixed, shared with the job store (one object per job, not one copy each: a
   * burst of queued jobs is mostly such records).
   */
  readonly spec: NewJob;
  runAt: number;
  attempts: JobAttempt[] = NO_ATTEMPTS;
  /** The job store's view of this record; undefined once the store no longer tracks it. */
  journal: RecordJournal | undefined;
  /** The store's live entry of the job (one this process submitted): no lookups by id. */
  entry: JobState | undefined;
  status: JobStatus = 'pending';
  startedAt: number | undefined;
  /** performance.now() at the start: run times below a millisecond (prefetch-window.ts). */
  startedPerf = 0;
  endedAt: number | undefined;
  progress: number | undefined;
  progressMessage: string | undefined;
  result: JsonObject | undefined;
  error: JobFailure | undefined;
  slot: WorkerSlot | undefined;
  workerId: string | undefined;
  workerPid: number | undefined;
  /** The execute message went to the worker (before that, its plugin was being loaded). */
  executeSent = false;
  /**
   * The worker has started it, by the rule the worker starts jobs by (see dispatch.ts); until
   * then a job sent ahead (prefetched) is still `pending`, its timers not running.
   */
  started = false;
  /** Taken back from a worker that has not started it; re-queued once the worker agrees. */
  withdrawing = false;
  /**
   * Ended while a worker still holds it (cancelled while prefetched): if the worker may have
   * started it after all, this bounds how long it may keep the worker before a kill.
   */
  ghostTimer: NodeJS.Timeout | undefined;
  stopping: { reason: StopReason; graceTimer: NodeJS.Timeout | undefined } | undefined;
  #timers: JobTimers | undefined;
  readonly stream: JobStream | undefined;
  #done: Promise<Job> | undefined;
  #result: Promise<JsonObject> | undefined;
  #resolveDone: ((job: Job) => void) | undefined;
  #resolveResult: ((result: JsonObject) => void) | undefined;
  #rejectResult: ((error: JobError) => void) | undefined;
  #snapshot: Job | undefined;

  constructor(spec: NewJob, makeStream?: (job: JobRecord) => JobStream) {
    this.spec = spec;
    this.runAt = spec.runAt;
    this.stream = makeStream?.(this);
  }

  get id(): string {
    return this.spec.id;
  }

  get plugin(): string {
    return this.spec.plugin;
  }

  get params(): JobParams {
    return this.spec.params;
  }

  get streamRequested(): boolean {
    return this.spec.stream;
  }

  get metadata(): JsonObject {
    return this.spec.metadata;
  }

  get timeoutMs(): number | undefined {
    return this.spec.timeoutMs;
  }

  get stallMs(): number | undefined {
    return this.spec.stallMs;
  }

  get submittedAt(): number {
    return this.spec.submittedAt;
  }

  get priority(): number {
    return this.spec.priority;
  }

  get maxAttempts(): number {
    return this.spec.maxAttempts;
  }

  get backoff(): Backoff | undefined {
    return this.spec.backoff;
  }

  get retryOn(): readonly RetryableFailure[] {
    return this.spec.retryOn;
  }

  /**
   * The execute message, built when the job is sent (submit checked that it can be built):
   * a queued job does not carry a second copy of its params' keys.
   */
  get request(): ExecuteRequest {
    return createExecuteRequest({
      jobId: this.spec.id,
      pluginName: this.spec.plugin,
      params: this.spec.params,
      stream: this.spec.stream ? true : undefined,
    });
  }

  /**
   * Settles with the final snapshot. Made on first use: most jobs of a busy host are only
   * ever awaited through one of the two promises, and each costs an allocation per job.
   */
  get done(): Promise<Job> {
    if (this.#done === undefined) {
      this.#done = this.terminal
        ? Promise.resolve(this.snapshot())
        : new Promise((resolve) => {
            this.#resolveDone = resolve;
          });
    }
    return this.#done;
  }

  /** Resolves with the result, rejects with a JobError. Made on first use, like `done`. */
  get result$(): Promise<JsonObject> {
    if (this.#result === undefined) {
      if (this.status === 'completed') this.#result = Promise.resolve(this.result!);
      else if (this.terminal) this.#result = Promise.reject(this.#error());
      else {
        this.#result = new Promise((resolve, reject) => {
          this.#resolveResult = resolve;
          this.#rejectResult = reject;
        });
        return this.#result;
      }
      this.#result.catch(ignore);
    }
    return this.#result;
  }

  #error(): JobError {
    return new JobError(this.id, this.plugin, this.error!);
  }

  /** The job's time limits; made only for jobs that have one. */
  get timers(): JobTimers {
    this.#timers ??= new JobTimers();
    return this.#timers;
  }

  /** The job showed life (a progress report, a chunk): the stall clock starts over. */
  touch(): void {
    this.#timers?.touch();
  }

  get terminal(): boolean {
    return isTerminal(this.status);
  }

  /** Handed to a worker (to start now, or prefetched to start after what it runs). */
  assignTo(slot: WorkerSlot): void {
    this.slot = slot;
    this.workerId = slot.id;
    this.workerPid = slot.pid;
    this.#snapshot = undefined;
  }

  markRunning(): void {
    this.status = 'running';
    this.started = true;
    this.startedAt = Date.now();
    this.startedPerf = performance.now();
    this.attempts = withStartedAttempt(
      this.attempts,
      this.startedAt,
      this.workerId,
      this.workerPid,
    );
    this.#snapshot = undefined;
    this.journal?.started(this);
  }

  /** A failed attempt that will be retried: back to pending until `runAt`. */
  retry(failure: JobFailure, runAt: number): void {
    this.#endAttempt(failure, Date.now());
    this.#timers?.clear();
    if (this.stopping?.graceTimer !== undefined) clearTimeout(this.stopping.graceTimer);
    this.stopping = undefined;
    this.requeue();
    this.runAt = runAt;
  }

  #endAttempt(error: JobFailure | undefined, at: number): void {
    endLastAttempt(this.attempts, at, error);
  }

  /** Back to the queue: a worker that held it without starting it died or gave it back. */
  requeue(): void {
    this.status = 'pending';
    this.slot = undefined;
    this.workerId = undefined;
    this.workerPid = undefined;
    this.executeSent = false;
    this.started = false;
    this.withdrawing = false;
    this.#snapshot = undefined;
  }

  reportProgress(progress: number, message: string | undefined): void {
    this.progress = progress;
    this.progressMessage = message;
    this.#snapshot = undefined;
    this.journal?.progressed(this);
  }

  /** Ends the job: status, result or error, stream end, promises. Only the first call counts. */
  finish(status: 'completed', result: JsonObject): void;
  finish(status: 'failed' | 'cancelled', failure: JobFailure): void;
  finish(status: 'completed' | 'failed' | 'cancelled', outcome: JsonObject | JobFailure): void {
    if (this.terminal) return;
    this.status = status;
    this.endedAt = Date.now();
    this.#timers?.clear();
    if (this.stopping?.graceTimer !== undefined) clearTimeout(this.stopping.graceTimer);
    this.#snapshot = undefined;
    if (this.started) {
      this.#endAttempt(status === 'completed' ? undefined : (outcome as JobFailure), this.endedAt);
    }
    if (status === 'completed') this.result = outcome as JsonObject;
    else this.error = outcome as JobFailure;
    // The store learns of the end before anyone awaiting the job does.
    this.journal?.finished(this);
    if (status === 'completed') {
      this.stream?.end();
      this.#resolveResult?.(this.result!);
    } else {
      const error = this.#error();
      this.stream?.end(error);
      if (this.#rejectResult !== undefined) {
        // A host that looks at the promise but never awaits it must not crash on the
        // rejection; handled here, when it happens, so that jobs that complete pay nothing.
        this.#result!.catch(ignore);
        this.#rejectResult(error);
      }
    }
    this.#resolveDone?.(this.snapshot());
  }

  snapshot(): Job {
    this.#snapshot ??= Object.freeze({
      id: this.id,
      plugin: this.plugin,
      params: this.params,
      stream: this.streamRequested,
      status: this.status,
      metadata: this.metadata,
      submittedAt: this.submittedAt,
      startedAt: this.startedAt,
      endedAt: this.endedAt,
      progress: this.progress,
      progressMessage: this.progressMessage,
      result: this.result,
      error: this.error,
      workerId: this.workerId,
      workerPid: this.workerPid,
      priority: this.priority,
      runAt: this.runAt,
      maxAttempts: this.maxAttempts,
      attempts: Object.freeze([...this.attempts]),
    });
    return this.#snapshot;
  }
}
