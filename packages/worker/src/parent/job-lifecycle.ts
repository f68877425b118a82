import type { JsonObject, ResponseResponse } from '@plugwork/protocol';
import {
  describe,
  type JobFailure,
  JobFailures,
  StopPhrases,
  WorkerErrorCode,
  WorkerRequestError,
} from '../errors.ts';
import { occupancy } from './dispatch.ts';
import type { JobRecord, StopReason } from './job.ts';
import type { ManagerContext } from './manager-context.ts';
import type { RestartDecision } from './restart-policy.ts';
import { RetainedJobs } from './retained-jobs.ts';
import type { ExitInfo } from './worker-handle.ts';
import type { KillReason, WorkerSlot } from './worker-slot.ts';

type StopHow =
  | { kind: 'queued' }
  | { kind: 'loading' }
  | { kind: 'cooperative' }
  | { kind: 'killed'; pid: number; restarting: boolean };

/** What a job's life needs from the rest of the manager. */
export interface LifecycleHooks {
  /** The config a worker loads the plugin with. */
  configFor(plugin: string): Promise<JsonObject>;
  /** Hand queued jobs to workers (after a job ends, or jobs were queued again). */
  pump(): void;
  /** A worker reported what it has loaded (and each plugin's concurrency). */
  updateLoaded(slot: WorkerSlot, answer: ResponseResponse | undefined, loaded?: string[]): void;
  /** How a crashed job's message ends: what happens to the worker next. */
  nextStep(decision: RestartDecision | undefined): string;
  /** A failed attempt: true when the job was queued again instead (attempts, backoff). */
  retry?(record: JobRecord, failure: JobFailure): boolean;
  /** A job ended (retention of the memory store). */
  ended?(): void;
}

/**
 * A job's life once it leaves the queue: sent to a worker (its plugin loaded first when
 * needed), started (timers, events), stopped (cancel, timeout, stall: cooperative first, then
 * a kill), finished; and what becomes of the jobs a worker held when it dies.
 */
export class JobLifecycle {
  readonly #context: ManagerContext;
  readonly #hooks: LifecycleHooks;
  readonly #retained: RetainedJobs;

  constructor(context: ManagerContext, hooks: LifecycleHooks) {
    this.#context = context;
    this.#hooks = hooks;
    this.#retained = new RetainedJobs(context.jobs, context.options.retainJobs);
  }

  /** Forgot `count` finished jobs (clearCompleted). */
  forgotten(count: number): void {
    this.#retained.forgotten(count);
  }

  // ---- handing a job to a worker ----------------------------------------------------------

  /** `how`: start now, load the plugin then start, or wait on the worker behind its jobs. */
  dispatch(record: JobRecord, slot: WorkerSlot, how: 'start' | 'load' | 'prefetch'): void {
    record.assignTo(slot);
    slot.assign(record);
    if (how === 'load') {
      slot.loading = true;
      this.#markStarted(record, slot);
      void this.#loadThenExecute(record, slot);
      return;
    }
    this.#execute(record, slot);
    // A start's bookkeeping (the store, stats, timers, events) runs after the request has
    // left, while it travels and the worker runs the job, not on the way to the write. A
    // request the channel refused has ended the job already.
    if (how === 'start' && !record.terminal) this.#markStarted(record, slot);
  }

  /** Jobs the worker has started since the host last looked (a job ahead of them ended). */
  promote(slot: WorkerSlot): void {
    for (const job of slot.startRule.started) {
      if (job.terminal) {
        this.#armGhost(job, slot);
        continue;
      }
      if (!job.started && !job.withdrawing) this.#markStarted(job, slot);
    }
    const draining = slot.draining;
    if (draining !== undefined && !this.#othersRunning(slot, draining.jobId)) {
      // Everything beside the job that forced the kill has ended: no need to wait longer.
      clearTimeout(draining.timer);
      slot.kill(draining.reason);
    }
  }

  #markStarted(record: JobRecord, slot: WorkerSlot): void {
    record.markRunning();
    this.#context.stats.started(record.plugin, record.startedAt! - record.submittedAt);
    if (record.timeoutMs !== undefined || record.stallMs !== undefined) {
      record.timers.start(
        record.timeoutMs,
        record.stallMs,
        () => this.stop(record, 'timeout'),
        () => this.stop(record, 'stall'),
      );
    }
    slot.output.moveTo(record);
    this.#context.emitJob('job:started', record);
  }

  #execute(record: JobRecord, slot: WorkerSlot): void {
    record.executeSent = true;
    const handle = slot.handle;
    // Posted: the requests handed out in this turn leave in one write. A closed channel means
    // the worker just died; its exit ends the job with the reason.
    handle?.post(record.request, (error) => {
      // The channel is fine but this request cannot go: the job ends, the worker goes on.
      if (slot.handle !== handle || slot.jobs.get(record.id) !== record) return;
      record.executeSent = false;
      this.finish(
        record,
        'failed',
        JobFailures.sendFailed(record.id, record.plugin, 'execute request', describe(error)),
      );
      this.release(record, slot);
    });
  }

  /** The worker lacks the plugin: load it with its config (a `reload`), then execute. */
  async #loadThenExecute(record: JobRecord, slot: WorkerSlot): Promise<void> {
    const handle = slot.handle!;
    const { requestMs } = this.#context.options.timeouts;
    try {
      const config = await this.#hooks.configFor(record.plugin);
      if (!record.terminal) {
        const answer = await handle.request<ResponseResponse>(
          { type: 'reload', plugin_name: record.plugin, config },
          requestMs,
          ` plugin "${record.plugin}"`,
        );
        this.#hooks.updateLoaded(slot, answer);
      }
    } catch (error) {
      // The worker died meanwhile: its exit has already ended the job.
      if (slot.handle !== handle || !handle.alive) return;
      slot.loading = false;
      const timedOut =
        error instanceof WorkerRequestError && error.code === WorkerErrorCode.REQUEST_TIMEOUT;
      const reason =
        error instanceof WorkerRequestError
          ? timedOut
            ? WorkerRequestError.timeout(
                slot.id,
                handle.pid,
                'reload',
                ` plugin "${record.plugin}"`,
                requestMs,
                true,
              ).message
            : (error.reason ?? error.message)
          : describe(error);
      if (error instanceof WorkerRequestError) {
        this.#hooks.updateLoaded(slot, undefined, error.loadedPlugins);
      }
      if (!record.terminal) {
        this.finish(record, 'failed', JobFailures.loadFailed(record.id, record.plugin, reason));
      }
      // A setup that hangs leaves the worker in an unknown state: replace it.
      if (timedOut) slot.kill('request-timeout');
      else this.release(record, slot);
      return;
    }
    if (slot.handle !== handle || !handle.alive) return;
    slot.loading = false;
    if (record.terminal) {
      this.release(record, slot);
      return;
    }
    this.#execute(record, slot);
    // Loaded: jobs that may run beside this one, or be sent ahead of it, can go now.
    this.#hooks.pump();
  }

  /** The worker is done with `record`: free its place, start what waited behind it. */
  release(record: JobRecord, slot: WorkerSlot): void {
    clearTimeout(record.ghostTimer);
    record.ghostTimer = undefined;
    slot.release(record);
    this.promote(slot);
    this.#hooks.pump();
  }

  // ---- stopping jobs ----------------------------------------------------------------------

  /** Cancel, timeout, stall: cooperative first (AbortSignal), kill after the grace period. */
  stop(record: JobRecord, reason: StopReason): void {
    if (record.terminal || record.stopping !== undefined) return;
    const slot = record.slot;
    if (slot === undefined) {
      this.#context.queue.remove(record);
      this.endStopped(record, reason, { kind: 'queued' });
      return;
    }
    if (!record.started) {
      // Sent ahead, not started: it ends now; the worker drops it on the cancel (and answers),
      // and holds its place until then.
      record.stopping = { reason, graceTimer: undefined };
      this.#send(slot, { type: 'cancel', job_id: record.id });
      this.endStopped(record, reason, { kind: 'queued' });
      return;
    }
    if (!record.executeSent) {
      // Still loading its plugin: end the job now; the worker is released when the load ends.
      record.stopping = { reason, graceTimer: undefined };
      this.endStopped(record, reason, { kind: 'loading' });
      return;
    }
    record.stopping = {
      reason,
      graceTimer: setTimeout(() => {
        if (slot.jobs.get(record.id) === record && !record.terminal) {
          this.#forceKill(slot, record, killReasonFor(reason));
        }
      }, this.#context.options.timeouts.cancelGraceMs),
    };
    this.#send(slot, { type: 'cancel', job_id: record.id });
  }

  /**
   * A job ignored its cancel: only a kill stops it. The worker stops taking jobs, gives the
   * jobs it sent back (not started), and its other running jobs get the grace period to finish;
   * then the kill. Alone on its worker, the job is killed at once.
   */
  #forceKill(slot: WorkerSlot, record: JobRecord, reason: KillReason): void {
    if (slot.draining !== undefined) return;
    if (!this.#othersRunning(slot, record.id)) {
      slot.kill(reason);
      return;
    }
    slot.draining = {
      jobId: record.id,
      reason,
      timer: setTimeout(() => slot.kill(reason), this.#context.options.timeouts.cancelGraceMs),
    };
    for (const job of slot.jobs.values()) {
      if (job.started || job.terminal || job.withdrawing) continue;
      job.withdrawing = true;
      this.#send(slot, { type: 'cancel', job_id: job.id, withdraw: true });
    }
  }

  /** Whether jobs other than `jobId` run on the worker (not counting ended ones it still holds). */
  #othersRunning(slot: WorkerSlot, jobId: string): boolean {
    for (const job of slot.jobs.values()) {
      if (job.id !== jobId && job.started && !job.terminal) return true;
    }
    return false;
  }

  /** A job ended while its worker may still run it: bound how long before the worker is killed. */
  #armGhost(record: JobRecord, slot: WorkerSlot): void {
    if (record.ghostTimer !== undefined) return;
    record.ghostTimer = setTimeout(() => {
      if (slot.jobs.get(record.id) === record) this.#forceKill(slot, record, 'cancel');
    }, this.#context.options.timeouts.cancelGraceMs);
  }

  /** The worker gave back a job it had not started (a withdrawal): it runs elsewhere. */
  withdrawn(record: JobRecord, slot: WorkerSlot): void {
    slot.release(record);
    if (record.terminal) {
      this.promote(slot);
      return;
    }
    record.requeue();
    this.#context.queue.unshiftAll([record]);
    this.promote(slot);
    this.#hooks.pump();
  }

  /** A small control message (cancel, withdrawal); if even it cannot go, the channel is broken. */
  #send(
    slot: WorkerSlot,
    message: { type: string; job_id: string } & Record<string, unknown>,
  ): void {
    try {
      slot.handle?.send(message);
    } catch (error) {
      this.#context.logger.warn(
        `A "${message.type}" for job ${message.job_id} could not be sent to worker ${slot.id}: ${describe(error)}; replacing the worker`,
      );
      slot.kill('protocol-error');
    }
  }

  endStopped(record: JobRecord, reason: StopReason, how: StopHow): void {
    const tail =
      how.kind === 'queued'
        ? StopPhrases.queued
        : how.kind === 'loading'
          ? StopPhrases.loading
          : how.kind === 'cooperative'
            ? StopPhrases.cooperative
            : StopPhrases.killed(
                how.pid,
                this.#context.options.timeouts.cancelGraceMs,
                how.restarting,
              );
    switch (reason) {
      case 'cancel':
        this.finish(record, 'cancelled', JobFailures.cancelled(record.id, record.plugin, tail));
        return;
      case 'shutdown':
        this.finish(
          record,
          'cancelled',
          JobFailures.cancelled(record.id, record.plugin, StopPhrases.shutdown),
        );
        return;
      case 'timeout':
        this.finish(
          record,
          'failed',
          JobFailures.timedOut(record.id, record.plugin, record.timeoutMs ?? 0, tail),
        );
        return;
      case 'stall':
        this.finish(
          record,
          'failed',
          JobFailures.stalled(record.id, record.plugin, record.stallMs ?? 0, tail),
        );
        return;
    }
  }

  // ---- the end ------------------------------------------------------------------------------

  finish(record: JobRecord, status: 'completed', outcome: JsonObject): void;
  finish(record: JobRecord, status: 'failed' | 'cancelled', outcome: JobFailure): void;
  finish(
    record: JobRecord,
    status: 'completed' | 'failed' | 'cancelled',
    outcome: JsonObject | JobFailure,
  ): void {
    if (record.terminal) return;
    if (status === 'failed' && this.#hooks.retry?.(record, outcome as JobFailure) === true) {
      this.#context.emitJob('job:retrying', record);
      return;
    }
    if (status === 'completed') record.finish(status, outcome as JsonObject);
    else record.finish(status, outcome as JobFailure);
    const ranMs = record.startedAt === undefined ? undefined : record.endedAt! - record.startedAt;
    this.#context.stats.ended(record.plugin, status, ranMs);
    if (ranMs !== undefined && status !== 'cancelled') {
      this.#context.prefetch.observe(record.plugin, performance.now() - record.startedPerf);
    }
    this.#context.emitJob(
      status === 'completed'
        ? 'job:completed'
        : status === 'failed'
          ? 'job:failed'
          : 'job:cancelled',
      record,
    );
    this.#retained.ended();
    this.#hooks.ended?.();
  }

  // ---- a worker is gone -----------------------------------------------------------------------

  /**
   * The worker's process exited. Of the jobs it held, those it had started end (crashed, or
   * stopped when a stop was under way, or failed naming the job whose kill took them along);
   * those it had not started go back to the front of the queue, in order, to run elsewhere.
   */
  workerGone(
    slot: WorkerSlot,
    exit: ExitInfo,
    decision: RestartDecision | undefined,
    killReason: KillReason | undefined,
  ): JobRecord | undefined {
    const started = new Set(occupancy(slot).started);
    const forcedBy = slot.draining?.jobId;
    clearTimeout(slot.draining?.timer);
    slot.draining = undefined;
    const requeue: JobRecord[] = [];
    let first: JobRecord | undefined;
    for (const record of slot.takeJobs()) {
      clearTimeout(record.ghostTimer);
      record.ghostTimer = undefined;
      if (record.terminal) continue;
      first ??= record;
      if (!started.has(record) && !record.started) {
        if (record.stopping !== undefined) {
          this.endStopped(record, record.stopping.reason, { kind: 'queued' });
        } else {
          record.requeue();
          requeue.push(record);
        }
        continue;
      }
      if (record.stopping !== undefined) {
        this.endStopped(record, record.stopping.reason, {
          kind: 'killed',
          pid: exit.pid,
          restarting: decision?.restart === true,
        });
      } else if (forcedBy !== undefined && killReason !== undefined) {
        this.finish(
          record,
          'failed',
          JobFailures.killedWithAnother(
            record.id,
            record.plugin,
            exit.pid,
            forcedBy,
            this.#context.options.timeouts.cancelGraceMs,
          ),
        );
      } else {
        this.finish(
          record,
          'failed',
          JobFailures.workerCrashed(record.id, record.plugin, exit, this.#hooks.nextStep(decision)),
        );
      }
    }
    if (requeue.length > 0) {
      this.#context.queue.unshiftAll(requeue);
      this.#hooks.pump();
    }
    return first;
  }
}

function killReasonFor(reason: StopReason): KillReason {
  return reason === 'timeout' ? 'timeout' : reason === 'stall' ? 'stall' : 'cancel';
}
