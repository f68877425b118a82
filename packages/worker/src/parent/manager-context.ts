import type { EventEmitter } from 'node:events';
import { describe } from '../errors.ts';
import type { ResolvedOptions } from '../options.ts';
import { RenewingMap } from '../renewing-map.ts';
import type { RecordQueue } from './durable-queue.ts';
import type { JobManagerEvents } from './events.ts';
import type { JobRecord } from './job.ts';
import { JobQueue } from './job-queue.ts';
import type { Logger } from './logger.ts';
import { PrefetchWindow } from './prefetch-window.ts';
import { StatsCollector } from './stats.ts';
import type { WorkerSlot } from './worker-slot.ts';

export type ManagerState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

type JobEvent =
  | 'job:queued'
  | 'job:started'
  | 'job:retrying'
  | 'job:completed'
  | 'job:failed'
  | 'job:cancelled';

/**
 * What the parts of a JobManager share: its options, its workers, its jobs and the queue, and
 * the way out to listeners. The parts (dispatch, a job's life, the routing of worker messages,
 * the workers' lifecycle) each hold this and nothing of each other's state.
 */
export class ManagerContext {
  readonly options: ResolvedOptions;
  readonly logger: Required<Logger>;
  readonly slots: WorkerSlot[] = [];
  /** The JobManager replaces it with its store's queue (durable-queue.ts). */
  queue: RecordQueue;
  /** Renewing: see renewing-map.ts. */
  readonly jobs = new RenewingMap<string, JobRecord>();
  readonly stats = new StatsCollector();
  /** How many jobs of each plugin a worker may hold ahead (grows for short jobs). */
  readonly prefetch: PrefetchWindow;
  state: ManagerState = 'new';
  /** Why no worker is left, once none is. */
  noWorkers: string | undefined;
  readonly #emitter: EventEmitter<JobManagerEvents>;

  constructor(
    options: ResolvedOptions,
    logger: Required<Logger>,
    emitter: EventEmitter<JobManagerEvents>,
  ) {
    this.options = options;
    this.logger = logger;
    this.#emitter = emitter;
    this.queue = new JobQueue(options.queue.maxSize);
    this.prefetch = new PrefetchWindow(options.prefetch);
  }

  /** Whether anyone hears `event` (listeners or the broadcaster): else skip building it. */
  heard(event: keyof JobManagerEvents): boolean {
    return this.#emitter.listenerCount(event) > 0 || this.options.broadcaster !== undefined;
  }

  emitJob(event: JobEvent, record: JobRecord): void {
    if (!this.heard(event)) return;
    this.emit(event, record.snapshot());
  }

  /** Emits to listeners and the broadcaster; a listener that throws cannot break the manager. */
  emit<K extends keyof JobManagerEvents>(event: K, payload: JobManagerEvents[K][0]): void {
    try {
      (this.#emitter.emit as (event: string, payload: unknown) => boolean).call(
        this.#emitter,
        event,
        payload,
      );
    } catch (error) {
      this.logger.warn(`A "${event}" listener threw: ${describe(error)}`);
    }
    const broadcaster = this.options.broadcaster;
    if (broadcaster !== undefined) {
      this.callHook('broadcaster.broadcast', () => broadcaster.broadcast(event, payload));
    }
  }

  /** Calls a host hook; a throw or a rejection is logged, never propagated. */
  callHook(name: string, call: () => unknown): void {
    try {
      const result = call();
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        (result as Promise<unknown>).then(undefined, (error: unknown) =>
          this.logger.warn(`${name} failed: ${describe(error)}`),
        );
      }
    } catch (error) {
      this.logger.warn(`${name} threw: ${describe(error)}`);
    }
  }
}
