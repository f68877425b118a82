import type { RemoteJobHandle } from '@plugwork/bullmq';
import type { JsonObject } from '@plugwork/protocol';
import {
  type Job,
  JobError,
  type JobFailure,
  type JobHandleLike,
  type JobStatus,
} from '@plugwork/worker';

/**
 * The handle the demo's host gets at once for a job it submits through BullMQ, while the submit
 * itself (a few Redis round trips) is still under way: the host's API, the CLI and the local
 * mode answer synchronously. Everything that needs the job waits for the real RemoteJobHandle.
 *
 * A stream is either iterated (stream() called right after submitting, as the CLI does) or, once
 * the submit went through with nobody iterating, handed to job:chunk events (what the web UI
 * reads): `settleMode()` makes that choice when the remote handle arrives.
 */
export class RemoteSubmission implements JobHandleLike {
  readonly id: string;
  readonly plugin: string;
  readonly #remote: Promise<RemoteJobHandle>;
  readonly #snapshot: () => Job;
  readonly #onFinal: (job: Job) => void;
  #iterating = false;

  /**
   * `remote` rejects with the submit's error (no node, Redis away, …); `failedAtSubmit` turns it
   * into the job's failure. `snapshot` reads the job as the source last saw it; `onFinal` gets
   * the job's final BullMQ record (which node ran it, its timings).
   */
  constructor(
    id: string,
    plugin: string,
    remote: Promise<RemoteJobHandle>,
    snapshot: () => Job,
    failedAtSubmit: (error: unknown) => JobFailure,
    onFinal: (job: Job) => void,
  ) {
    this.#onFinal = onFinal;
    this.id = id;
    this.plugin = plugin;
    this.#snapshot = snapshot;
    this.#remote = remote.catch((error: unknown) => {
      throw new JobError(id, plugin, failedAtSubmit(error));
    });
    // A rejection is also the job's failure, which the source reports; nobody need await it.
    this.#remote.catch(() => {});
  }

  /** The submit went through: chunks go to the iterator if there is one, to events otherwise. */
  settleMode(remote: RemoteJobHandle): void {
    if (!this.#iterating) void remote.done.then(this.#onFinal);
  }

  get result(): Promise<JsonObject> {
    const result = this.#remote.then((remote) => remote.result);
    result.catch(() => {});
    return result;
  }

  get done(): Promise<Job> {
    return this.#remote.then(
      (remote) => remote.done,
      () => this.#snapshot(),
    );
  }

  get status(): JobStatus {
    return this.#snapshot().status;
  }

  snapshot(): Job {
    return this.#snapshot();
  }

  stream(): AsyncIterableIterator<string> {
    this.#iterating = true;
    const remote = this.#remote;
    const onFinal = this.#onFinal;
    return (async function* () {
      const handle = await remote;
      const chunks = handle.stream();
      // Only now: asking for `done` before stream() would hand the chunks to events.
      void handle.done.then(onFinal);
      yield* chunks;
    })();
  }

  [Symbol.asyncIterator](): AsyncIterator<string> {
    return this.stream();
  }

  async cancel(): Promise<boolean> {
    let remote: RemoteJobHandle;
    try {
      remote = await this.#remote;
    } catch {
      return false; // It never reached a queue: there is nothing to cancel.
    }
    return remote.cancel();
  }
}
