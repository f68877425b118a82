import type {
  ErrorResponse,
  ProgressResponse,
  ResultResponse,
  StreamChunkResponse,
  WorkerResponseMessage,
} from '@plugwork/protocol';
import {
  type JobFailure,
  JobFailures,
  ResultErrorCode,
  WorkerErrorCode,
  WorkerMessageErrorCode,
  type WorkerProtocolError,
} from '../errors.ts';
import type { JobRecord } from './job.ts';
import type { JobLifecycle } from './job-lifecycle.ts';
import type { ManagerContext } from './manager-context.ts';
import type { RawCatalog } from './sandbox-links.ts';
import type { WorkerSlot } from './worker-slot.ts';

/** Forged messages logged per worker process; later ones are only reported as events. */
const FORGED_LOGGED = 5;

/** What routing needs besides a job's life. */
export interface RoutingHooks {
  setCatalog(slot: WorkerSlot, catalog: RawCatalog): void;
  /** Files of these plugins changed: replace the worker processes that ran them. */
  recycleFor(reporter: WorkerSlot, plugins: readonly string[]): void;
}

/**
 * Every message a worker sends that is not an answer to a request, to the job it belongs to.
 * A job is found among the jobs its worker holds: a message naming any other job (an old one,
 * one on another worker) changes nothing.
 */
export class WorkerMessages {
  readonly #context: ManagerContext;
  readonly #lifecycle: JobLifecycle;
  readonly #hooks: RoutingHooks;

  constructor(context: ManagerContext, lifecycle: JobLifecycle, hooks: RoutingHooks) {
    this.#context = context;
    this.#lifecycle = lifecycle;
    this.#hooks = hooks;
  }

  onMessage(slot: WorkerSlot, message: WorkerResponseMessage): void {
    switch (message.type) {
      case 'result':
        this.#onResult(slot, message);
        return;
      case 'stream_chunk':
        this.#onChunk(slot, message);
        return;
      case 'progress':
        this.#onProgress(slot, message);
        return;
      case 'plugins_changed':
        this.#hooks.setCatalog(slot, {
          plugins: message.plugins,
          diagnostics: message.diagnostics,
        });
        if (message.changed_plugins !== undefined) {
          this.#hooks.recycleFor(slot, message.changed_plugins);
        }
        return;
      case 'error':
        this.#onWorkerError(slot, message);
        return;
      default:
        // An answer whose request already timed out: nobody waits for it any more.
        return;
    }
  }

  #onResult(slot: WorkerSlot, message: ResultResponse): void {
    const record = slot.jobs.get(message.job_id);
    if (record === undefined) return;
    if (message.error_code === ResultErrorCode.WITHDRAWN) {
      this.#lifecycle.withdrawn(record, slot);
      return;
    }
    if (!record.terminal) {
      if (message.status === 'success') {
        this.#lifecycle.finish(record, 'completed', message.data ?? {});
      } else if (
        record.stopping !== undefined &&
        message.error_code === ResultErrorCode.CANCELLED
      ) {
        this.#lifecycle.endStopped(record, record.stopping.reason, { kind: 'cooperative' });
      } else {
        this.#lifecycle.finish(record, 'failed', failureOf(record, message));
      }
    }
    this.#lifecycle.release(record, slot);
  }

  #onChunk(slot: WorkerSlot, message: StreamChunkResponse): void {
    const record = slot.jobs.get(message.job_id);
    if (record === undefined || record.terminal) return;
    record.touch();
    if (message.chunk.length === 0) return;
    record.stream?.push(message.chunk);
    if (this.#context.heard('job:chunk')) {
      this.#context.emit('job:chunk', {
        jobId: record.id,
        plugin: record.plugin,
        chunk: message.chunk,
        final: message.is_final,
      });
    }
  }

  #onProgress(slot: WorkerSlot, message: ProgressResponse): void {
    const record = slot.jobs.get(message.job_id);
    if (record === undefined || record.terminal) return;
    record.touch();
    record.reportProgress(message.progress, message.message);
    this.#context.emit('job:progress', {
      jobId: record.id,
      plugin: record.plugin,
      progress: message.progress,
      message: message.message,
    });
  }

  #onWorkerError(slot: WorkerSlot, message: ErrorResponse): void {
    if (message.code === WorkerMessageErrorCode.UNCAUGHT_EXCEPTION) {
      // The worker exits right after this; its exit ends the job with this text in the reason.
      return;
    }
    const record = message.job_id === undefined ? undefined : slot.jobs.get(message.job_id);
    if (record !== undefined && !record.terminal) {
      this.#lifecycle.finish(
        record,
        'failed',
        JobFailures.protocolError(record.id, record.plugin, message.error),
      );
      this.#lifecycle.release(record, slot);
      return;
    }
    this.#context.logger.warn(`Worker ${slot.id} (pid ${slot.pid}) reported: ${message.error}`);
  }

  /** Only a malformed *result* for a job it holds ends that job; the worker is then replaced. */
  onProtocolError(slot: WorkerSlot, error: WorkerProtocolError, raw: unknown): void {
    const claims = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const jobId = typeof claims.job_id === 'string' ? claims.job_id : undefined;
    this.#context.logger.warn(error.message);
    this.#context.emit('worker:protocol-error', {
      workerId: slot.id,
      pid: error.pid,
      message: error.message,
      jobId,
    });
    const record = jobId === undefined ? undefined : slot.jobs.get(jobId);
    if (
      claims.type === 'result' &&
      record !== undefined &&
      !record.terminal &&
      record.executeSent
    ) {
      this.#lifecycle.finish(
        record,
        'failed',
        JobFailures.protocolError(record.id, record.plugin, error.message),
      );
      slot.kill('protocol-error');
    }
  }

  /**
   * Plugin code wrote to the channel itself. Nothing it claims is believed (the job it names
   * goes on and ends with what the worker loop reports); the first few are logged per process.
   */
  onForged(slot: WorkerSlot, raw: unknown, count: number): void {
    const claims = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const jobId = typeof claims.job_id === 'string' ? claims.job_id : undefined;
    const type =
      typeof claims.type === 'string' ? `a "${claims.type.slice(0, 40)}" message` : 'a message';
    const text = `Worker ${slot.id} (pid ${slot.pid}) sent ${type}${
      jobId === undefined ? '' : ` naming job ${jobId.slice(0, 80)}`
    } without the channel token: plugin code wrote it past the worker loop (to the channel's file descriptor). It was dropped${
      count === FORGED_LOGGED ? '; further ones from this process are not logged' : ''
    }`;
    if (count <= FORGED_LOGGED) this.#context.logger.warn(text);
    this.#context.emit('worker:protocol-error', {
      workerId: slot.id,
      pid: slot.pid ?? 0,
      message: text,
      jobId,
    });
  }
}

function failureOf(record: JobRecord, message: ResultResponse): JobFailure {
  const reason = message.error ?? 'the worker gave no reason';
  switch (message.error_code) {
    case ResultErrorCode.PLUGIN_LOAD_FAILED:
    case ResultErrorCode.UNKNOWN_PLUGIN:
      return JobFailures.loadFailed(record.id, record.plugin, reason);
    case ResultErrorCode.RESULT_NOT_SERIALIZABLE:
      return JobFailures.notSerializable(record.id, record.plugin, reason);
    case ResultErrorCode.RESULT_TOO_LARGE:
    case ResultErrorCode.CHUNK_TOO_LARGE:
      return JobFailures.tooLarge(record.id, record.plugin, message.error_code, reason);
    case ResultErrorCode.SEND_FAILED:
      return {
        code: WorkerErrorCode.SEND_FAILED,
        message: `Plugin "${record.plugin}" failed on job ${record.id}: ${reason}`,
      };
    default:
      return JobFailures.pluginError(record.id, record.plugin, reason);
  }
}
