import type { EventEmitter } from 'node:events';
import type { JsonObject } from '@plugwork/protocol';
import {
  type Job,
  JobError,
  type JobFailure,
  type JobRunnerEvents,
  WorkerErrorCode,
} from '@plugwork/worker';
import type { RemoteProgress } from '../job-data.ts';
import type { Keys } from '../keys.ts';
import type { ChunkReader } from './chunk-reader.ts';
import { RemoteChunkStream } from './remote-chunk-stream.ts';
import { RemoteJobHandle } from './remote-job-handle.ts';

export interface OpenJobsContext {
  /** The runner, which emits the job events. */
  emitter: EventEmitter<JobRunnerEvents>;
  keys: Keys;
  /** Made on the first streaming job: a blocking connection is only opened when needed. */
  makeReader: () => ChunkReader;
  cancel: (handle: RemoteJobHandle) => Promise<boolean>;
  loadFinal: (handle: RemoteJobHandle) => Promise<Job | undefined>;
}

/**
 * The jobs a runner waits for (submitted or attached), keyed by plugin and id: what their
 * BullMQ events and chunk streams update, and what settles them. A handle leaves once settled.
 */
export class OpenJobs {
  readonly #context: OpenJobsContext;
  /** `<plugin>\0<id>` -> handle. */
  readonly #handles = new Map<string, RemoteJobHandle>();
  /** Handles whose queued job cancel() is removing (the 'removed' event then says so). */
  readonly #removing = new Set<string>();
  #reader: ChunkReader | undefined;

  constructor(context: OpenJobsContext) {
    this.#context = context;
  }

  get(plugin: string, id: string): RemoteJobHandle | undefined {
    return this.#handles.get(key(plugin, id));
  }

  all(): RemoteJobHandle[] {
    return [...this.#handles.values()];
  }

  /** A handle for `job`, reading its chunk stream when it streams. */
  track(plugin: string, job: Job): RemoteJobHandle {
    let stream: RemoteChunkStream | undefined;
    if (job.stream) {
      const streamKey = this.#context.keys.chunks(plugin, job.id);
      this.#reader ??= this.#context.makeReader();
      const reader = this.#reader;
      const emitter = this.#context.emitter;
      stream = new RemoteChunkStream(
        job.id,
        plugin,
        (chunk) => {
          if (emitter.listenerCount('job:chunk') > 0) {
            emitter.emit('job:chunk', { jobId: job.id, plugin, chunk, final: false });
          }
        },
        (entryId) => reader.consumed(streamKey, entryId),
      );
      reader.add(streamKey, stream);
    }
    const handle = new RemoteJobHandle(job, stream, this.#context.cancel, this.#context.loadFinal);
    this.#handles.set(key(plugin, job.id), handle);
    return handle;
  }

  untrack(plugin: string, id: string): void {
    this.#handles.delete(key(plugin, id));
  }

  removing(plugin: string, id: string, removing: boolean): void {
    if (removing) this.#removing.add(key(plugin, id));
    else this.#removing.delete(key(plugin, id));
  }

  async close(): Promise<void> {
    await this.#reader?.close();
  }

  // ---- what the job's events say ------------------------------------------------------------

  active(plugin: string, id: string): void {
    const handle = this.get(plugin, id);
    if (handle === undefined || handle.settled) return;
    handle.update({ status: 'running', startedAt: Date.now() });
    this.#context.emitter.emit('job:started', handle.snapshot());
  }

  progress(plugin: string, id: string, data: RemoteProgress | number): void {
    const handle = this.get(plugin, id);
    if (handle === undefined || handle.settled) return;
    const progress = typeof data === 'number' ? data : data.progress;
    const message = typeof data === 'number' ? undefined : data.message;
    handle.update({ progress, progressMessage: message });
    this.#context.emitter.emit('job:progress', { jobId: id, plugin, progress, message });
  }

  completed(plugin: string, id: string, result: JsonObject): void {
    const handle = this.get(plugin, id);
    if (handle === undefined || !handle.settle('completed', result)) return;
    this.#afterSettle(handle, undefined);
    this.#context.emitter.emit('job:completed', handle.snapshot());
  }

  failed(plugin: string, id: string, failure: JobFailure): void {
    const handle = this.get(plugin, id);
    if (handle === undefined) return;
    const status = failure.code === WorkerErrorCode.JOB_CANCELLED ? 'cancelled' : 'failed';
    if (!handle.settle(status, failure)) return;
    this.#afterSettle(handle, failure);
    this.#context.emitter.emit(
      status === 'cancelled' ? 'job:cancelled' : 'job:failed',
      handle.snapshot(),
    );
  }

  removed(plugin: string, id: string): void {
    this.failed(plugin, id, {
      code: WorkerErrorCode.JOB_CANCELLED,
      message: this.#removing.has(key(plugin, id))
        ? `Job ${id} (plugin "${plugin}") was cancelled while it was queued`
        : `Job ${id} (plugin "${plugin}") was removed from its queue before it finished`,
    });
  }

  /** Ends the stream after its last entries (the node writes them before the job ends). */
  #afterSettle(handle: RemoteJobHandle, failure: JobFailure | undefined): void {
    const { plugin, id } = handle;
    this.untrack(plugin, id);
    if (this.#reader === undefined || !handle.snapshot().stream) return;
    const status = handle.status as 'completed' | 'failed' | 'cancelled';
    void this.#reader.settle(
      this.#context.keys.chunks(plugin, id),
      { status, error: failure },
      failure === undefined ? undefined : new JobError(id, plugin, failure),
    );
  }
}

function key(plugin: string, id: string): string {
  return `${plugin}\0${id}`;
}
