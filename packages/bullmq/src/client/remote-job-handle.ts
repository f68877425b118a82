import type { JsonObject } from '@plugwork/protocol';
import {
  type Job,
  JobError,
  type JobFailure,
  type JobHandleLike,
  type JobStatus,
} from '@plugwork/worker';
import { StreamMisuseError } from '../errors.ts';
import type { RemoteChunkStream } from './remote-chunk-stream.ts';

function isTerminal(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/**
 * A job submitted through BullMQ, seen from the submitter: the same surface as the local
 * JobHandle (`result`, `done`, async iteration over chunks, `snapshot()`, `cancel()`), fed by
 * the job's BullMQ events and its chunk stream.
 */
export class RemoteJobHandle implements JobHandleLike {
  readonly id: string;
  readonly plugin: string;
  #job: Job;
  readonly #stream: RemoteChunkStream | undefined;
  readonly #cancel: (handle: RemoteJobHandle) => Promise<boolean>;
  readonly #loadFinal: (handle: RemoteJobHandle) => Promise<Job | undefined>;
  #result: Promise<JsonObject> | undefined;
  #resolveResult: ((result: JsonObject) => void) | undefined;
  #rejectResult: ((error: JobError) => void) | undefined;
  #done: Promise<Job> | undefined;
  #resolveDone: ((job: Job) => void) | undefined;
  /** Set once the outcome is known; `done` may still wait for the final record. */
  #settled = false;
  /** Set once `done` has its final snapshot. */
  #finalized = false;

  constructor(
    job: Job,
    stream: RemoteChunkStream | undefined,
    cancel: (handle: RemoteJobHandle) => Promise<boolean>,
    loadFinal: (handle: RemoteJobHandle) => Promise<Job | undefined>,
  ) {
    this.id = job.id;
    this.plugin = job.plugin;
    this.#job = job;
    this.#stream = stream;
    this.#cancel = cancel;
    this.#loadFinal = loadFinal;
  }

  /** The plugin's result; rejects with a JobError (its `code` says why) otherwise. */
  get result(): Promise<JsonObject> {
    if (this.#result === undefined) {
      this.#stream?.release();
      const job = this.#job;
      if (this.#settled && job.status === 'completed') {
        this.#result = Promise.resolve(job.result ?? {});
      } else if (this.#settled) {
        this.#result = Promise.reject(new JobError(this.id, this.plugin, job.error!));
      } else {
        this.#result = new Promise((resolve, reject) => {
          this.#resolveResult = resolve;
          this.#rejectResult = reject;
        });
      }
      this.#result.catch(() => {});
    }
    return this.#result;
  }

  /**
   * The final Job snapshot (timings and node as BullMQ recorded them), whatever the outcome.
   * Never rejects. The record is read only for a handle whose `done` is asked for.
   */
  get done(): Promise<Job> {
    if (this.#done === undefined) {
      this.#stream?.release();
      this.#done = this.#finalized
        ? Promise.resolve(this.#job)
        : new Promise((resolve) => {
            this.#resolveDone = resolve;
          });
      if (this.#settled) this.#readFinal();
    }
    return this.#done;
  }

  get status(): JobStatus {
    return this.#job.status;
  }

  /** Whether the outcome is known. */
  get settled(): boolean {
    return this.#settled;
  }

  snapshot(): Job {
    return this.#job;
  }

  /**
   * The job's chunks in order, from the first, whenever iteration starts (before awaiting
   * `result` or `done`, which hand the chunks to job:chunk events instead). One consumer.
   */
  stream(): AsyncIterableIterator<string> {
    if (this.#stream === undefined) throw StreamMisuseError.notStreaming(this.id, this.plugin);
    return this.#stream.iterator();
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return this.stream();
  }

  /**
   * Queued: removed from its queue at once. Running: the node running it is told, the plugin's
   * AbortSignal fires, and its worker is killed after the node's cancel grace period. Resolves
   * true once the job ended cancelled, false if it had already ended.
   */
  cancel(): Promise<boolean> {
    return this.#cancel(this);
  }

  // ---- fed by the runner ----------------------------------------------------------------------

  /** A change seen in the job's events (started, progress). Ignored once settled. */
  update(patch: Partial<Job>): void {
    if (this.#settled) return;
    this.#job = Object.freeze({ ...this.#job, ...patch });
  }

  /**
   * The outcome is known: `result` settles now, `done` when finalize() brings the final record.
   * Only the first call counts; returns whether it did.
   */
  settle(status: 'completed', result: JsonObject): boolean;
  settle(status: 'failed' | 'cancelled', failure: JobFailure): boolean;
  settle(status: 'completed' | 'failed' | 'cancelled', outcome: JsonObject | JobFailure): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    const endedAt = Date.now();
    this.#job = Object.freeze(
      status === 'completed'
        ? { ...this.#job, status, endedAt, result: outcome as JsonObject, error: undefined }
        : { ...this.#job, status, endedAt, error: outcome as JobFailure },
    );
    if (status === 'completed') this.#resolveResult?.(outcome as JsonObject);
    else this.#rejectResult?.(new JobError(this.id, this.plugin, outcome as JobFailure));
    if (this.#resolveDone !== undefined) this.#readFinal();
    return true;
  }

  #readFinal(): void {
    this.#loadFinal(this).then(
      (record) => this.#finalize(record),
      () => this.#finalize(undefined),
    );
  }

  /** The final record (or the best snapshot known) for `done`. */
  #finalize(record: Job | undefined): void {
    if (this.#finalized) return;
    this.#finalized = true;
    if (record !== undefined && isTerminal(record.status)) {
      // Keep what the events said about the outcome; take timings and the node from BullMQ.
      this.#job = Object.freeze({
        ...record,
        status: this.#job.status,
        result: this.#job.result,
        error: this.#job.error,
      });
    }
    this.#resolveDone?.(this.#job);
    this.#resolveDone = undefined;
  }
}
