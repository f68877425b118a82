import type { JsonObject } from '@plugwork/protocol';
import { StreamUnavailableError } from '../errors.ts';
import type { Job, JobRecord, JobStatus } from './job.ts';

/**
 * What submit() returns: one job, seen from the host.
 *
 * - `result` resolves with the plugin's result when the job completes, and rejects with a
 *   JobError (its `code` says why: PLUGIN_ERROR, WORKER_CRASHED, JOB_TIMEOUT, JOB_CANCELLED, …)
 *   when it fails or is cancelled. Not awaiting it is safe: an ignored rejection is handled.
 * - `done` resolves with the final Job snapshot whatever the outcome; it never rejects.
 * - The handle is an async iterable over the job's streamed chunks (submit with
 *   `{ stream: true }`); start iterating right after submit.
 */
export class JobHandle implements AsyncIterable<string> {
  readonly id: string;
  readonly plugin: string;
  readonly #record: JobRecord;
  readonly #cancel: (record: JobRecord) => Promise<boolean>;

  constructor(record: JobRecord, cancel: (record: JobRecord) => Promise<boolean>) {
    this.#record = record;
    this.#cancel = cancel;
    this.id = record.id;
    this.plugin = record.plugin;
  }

  /** The plugin's result; rejects with a JobError when the job fails or is cancelled. */
  get result(): Promise<JsonObject> {
    return this.#record.result$;
  }

  /** The final Job snapshot, whatever the outcome. Never rejects. */
  get done(): Promise<Job> {
    return this.#record.done;
  }

  get status(): JobStatus {
    return this.#record.status;
  }

  /** The job as it is now. */
  snapshot(): Job {
    return this.#record.snapshot();
  }

  /**
   * The job's output chunks, in order, as they arrive; ends when the job completes and throws
   * its JobError when it fails or is cancelled. One consumer per job. Iterating applies
   * backpressure: the worker pauses the plugin while the consumer lags more than
   * `stream.windowChars` behind. Breaking out early stops that, not the job (use cancel()).
   *
   * Throws StreamUnavailableError for a job submitted without `{ stream: true }`, on a second
   * call, and when chunks had already arrived with nobody iterating (they went to events only).
   */
  stream(): AsyncIterableIterator<string> {
    const stream = this.#record.stream;
    if (stream === undefined) throw StreamUnavailableError.notStreaming(this.id, this.plugin);
    return stream.iterator();
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return this.stream();
  }

  /**
   * Cancels the job. Queued: removed at once. Running: its AbortSignal fires; if it has not
   * ended after timeouts.cancelGraceMs, its worker is killed (and restarted per policy).
   * Resolves true once the job ended cancelled, false if it had already ended (or finished
   * before the cancellation reached it).
   */
  cancel(): Promise<boolean> {
    return this.#cancel(this.#record);
  }
}
