import type { ExecuteRequest, PluginManagerAdapter } from '@plugwork/protocol/wire';
import { RESERVED_EXECUTE_KEYS } from '@plugwork/protocol/wire';
import { ChildMessages, describe, ResultErrorCode } from '../errors.ts';
import { NotJsonSafeError } from '../json-safe.ts';
import { jsonBytesOver, OverLimitError } from '../json-size.ts';
import { RenewingMap } from '../renewing-map.ts';
import { ChannelSendError } from '../transport/transport.ts';
import { CodedError } from './coded-error.ts';
import { RunningJob } from './running-job.ts';
import { StreamPump } from './stream-pump.ts';
import { toResultData } from './to-json-safe.ts';

type Message = { type: string } & Record<string, unknown>;

/** What the executor needs from the worker loop around it. */
export interface ExecutorHost {
  adapter(): PluginManagerAdapter | undefined;
  /** Whether the worker is ready (initialised, not stopping). */
  state(): 'ready' | 'stopping' | 'other';
  /** The most recently used loaded plugin (its jobs take the synchronous fast path). */
  mostRecent(): string | undefined;
  isLoaded(plugin: string): boolean;
  /** Loads the plugin if needed (making room), as an exclusive task of the loop. */
  ensureLoaded(plugin: string): Promise<void>;
  /** The plugin's jobs-at-once per worker: its declared concurrency, capped by the host. */
  concurrencyOf(plugin: string): number;
  /** Whether a request that touches plugins (init, reload, unload) is in progress. */
  exclusiveBusy(): boolean;
  pluginCode(): void;
  /** Throws ChannelSendError when the channel refuses the message. */
  send(message: Message, onSent?: () => void): boolean;
  /** Sends with the other messages of this turn (one write); `onFailed` if it cannot go. */
  post(message: Message, onFailed: (error: unknown) => void): void;
  /** Sends what was posted, now. */
  flush(): void;
  sendOrLog(message: Message): boolean;
  streamWindow(): number | undefined;
  resultBytes(): number | undefined;
  chunkBytes(): number | undefined;
}

/**
 * Results of jobs that ran synchronously wait for the jobs after them (in one write) only while
 * those jobs are this short: a result never waits long behind another job.
 */
const HOLD_RESULTS_MS = 0.05;

/**
 * Runs the jobs the host sends, several at once where plugins allow it.
 *
 * Jobs start in the order they arrived (the host counts on that: from its own send order and
 * the results it has seen, it knows which jobs a worker has started). A job starts when
 * - its plugin's concurrency is 1: the worker runs nothing else (a worker is the job's alone,
 *   as it always was);
 * - its plugin's concurrency is n > 1: fewer than n of its jobs run, and no concurrency-1 job;
 * and every job before it has started. A job whose plugin must be loaded first starts only on
 * an idle worker. Jobs that arrive while one runs wait here: that is the host's prefetch, so a
 * worker never sits idle waiting for the host to answer.
 */
export class JobExecutor {
  readonly #host: ExecutorHost;
  readonly #pending: ExecuteRequest[] = [];
  readonly #running = new RenewingMap<string, RunningJob>();
  readonly #perPlugin = new Map<string, number>();
  /** Running jobs whose plugin allows only one at a time (then it is the only one). */
  #exclusiveJobs = 0;
  #pumping = false;
  #pumpAgain = false;
  #idleWaiters: (() => void)[] = [];

  /** How long the last execute kept the thread (results made meanwhile wait for the next). */
  #lastSyncMs = 0;

  constructor(host: ExecutorHost) {
    this.#host = host;
  }

  get runningIds(): string[] {
    return [...this.#running.keys()];
  }

  get size(): number {
    return this.#running.size + this.#pending.length;
  }

  enqueue(message: ExecuteRequest): void {
    this.#pending.push(message);
    this.pump();
  }

  /** cancel: a running job's signal fires; a waiting one is dropped and answered at once. */
  cancel(jobId: string, withdraw: boolean): void {
    const running = this.#running.get(jobId);
    if (running !== undefined) {
      // A withdrawal is for jobs not started yet; one that has started runs on.
      if (!withdraw) running.abort(cancelReason(jobId));
      return;
    }
    const index = this.#pending.findIndex((message) => message.job_id === jobId);
    if (index < 0) return;
    this.#pending.splice(index, 1);
    this.#host.sendOrLog({
      type: 'result',
      job_id: jobId,
      status: 'error',
      error: withdraw ? ChildMessages.withdrawn : ChildMessages.cancelledBeforeStart,
      error_code: withdraw ? ResultErrorCode.WITHDRAWN : ResultErrorCode.CANCELLED,
    });
    this.pump();
  }

  ack(jobId: string, consumed: number): void {
    this.#running.get(jobId)?.pump?.ack(consumed);
  }

  /** Stop: every running job is cancelled, every waiting one answered as cancelled. */
  stopAll(): Promise<void> {
    for (const job of this.#running.values()) job.abort(cancelReason(job.jobId));
    for (const message of this.#pending.splice(0)) {
      this.#host.sendOrLog({
        type: 'result',
        job_id: message.job_id,
        status: 'error',
        error: ChildMessages.stopping,
        error_code: ResultErrorCode.CANCELLED,
      });
    }
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Starts every waiting job that may start now, in order. */
  pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        while (this.#pending.length > 0 && !this.#host.exclusiveBusy()) {
          const next = this.#pending[0]!;
          if (!this.#mayStart(next.plugin_name)) break;
          this.#pending.shift();
          // A job that runs synchronously holds back what waits to be sent: after a job that
          // took a while the next one may too, so the results already made leave first.
          if (this.#lastSyncMs >= HOLD_RESULTS_MS) this.#host.flush();
          this.#start(next);
        }
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
  }

  #mayStart(plugin: string): boolean {
    if (this.#running.size === 0) return true;
    // Loading would unload plugins (making room) under running jobs' feet: only when idle.
    if (!this.#host.isLoaded(plugin)) return false;
    const limit = this.#host.concurrencyOf(plugin);
    if (limit <= 1 || this.#exclusiveJobs > 0) return false;
    return (this.#perPlugin.get(plugin) ?? 0) < limit;
  }

  /**
   * Runs one job. Stays synchronous while the plugin does (a loaded plugin returning a plain
   * value): the result is sent before this returns, with no promise made on the way.
   */
  #start(message: ExecuteRequest): void {
    const plugin = message.plugin_name;
    const job = new RunningJob(message.job_id, this.#reportProgress);
    const exclusive = this.#host.concurrencyOf(plugin) <= 1;
    this.#running.set(job.jobId, job);
    this.#perPlugin.set(plugin, (this.#perPlugin.get(plugin) ?? 0) + 1);
    if (exclusive) this.#exclusiveJobs++;
    const end = () => this.#end(job, plugin, exclusive);
    try {
      const state = this.#host.state();
      if (state === 'stopping')
        throw new CodedError(ResultErrorCode.CANCELLED, ChildMessages.stopping);
      const adapter = this.#host.adapter();
      if (adapter === undefined || state !== 'ready') {
        throw new CodedError(ResultErrorCode.PLUGIN_ERROR, ChildMessages.notInitialised('execute'));
      }
      if (this.#host.mostRecent() !== plugin || message.stream === true) {
        void this.#finishLater(job, this.#executeAsync(job, message, adapter), end);
        return;
      }
      this.#host.pluginCode();
      const value = this.#timed(() => adapter.executePlugin(plugin, executeParams(message), job));
      if (isPromiseLike(value)) {
        void this.#finishLater(
          job,
          Promise.resolve(value).then((resolved) => this.#sendResult(job, resolved)),
          end,
        );
        return;
      }
      this.#sendResult(job, value);
    } catch (error) {
      this.#sendFailure(job, error);
    }
    end();
  }

  /** The job's asynchronous path: load the plugin if needed, stream if asked and supported. */
  async #executeAsync(
    job: RunningJob,
    message: ExecuteRequest,
    adapter: PluginManagerAdapter,
  ): Promise<void> {
    const plugin = message.plugin_name;
    await this.#host.ensureLoaded(plugin);
    const params = executeParams(message);
    this.#host.pluginCode();
    if (message.stream === true && (await adapter.checkStreamingSupport(plugin))) {
      const stream = await adapter.executePluginStream(plugin, params, job);
      const jobId = job.jobId;
      const pump = new StreamPump(
        (chunk, isFinal, onSent) =>
          this.#host.send(
            { type: 'stream_chunk', job_id: jobId, chunk, is_final: isFinal, metadata: {} },
            onSent,
          ),
        this.#host.streamWindow(),
        job,
        this.#host.chunkBytes(),
      );
      job.pump = pump;
      const totals = await pump.run(stream);
      // A plugin that honours its signal by simply returning early ended a cancelled job, not a
      // completed one: its output is partial.
      if (job.aborted)
        throw new CodedError(ResultErrorCode.CANCELLED, ChildMessages.endedAfterAbort);
      this.#host.send({
        type: 'result',
        job_id: jobId,
        status: 'success',
        data: { streamed: true, chunks: totals.chunks, characters: totals.characters },
      });
      return;
    }
    this.#sendResult(job, await this.#timed(() => adapter.executePlugin(plugin, params, job)));
  }

  /**
   * Runs the plugin's execute, noting how long it kept the thread (the part before its first
   * await, all of it for a plain function): see HOLD_RESULTS_MS.
   */
  #timed<T>(execute: () => T): T {
    const began = performance.now();
    try {
      return execute();
    } finally {
      this.#lastSyncMs = performance.now() - began;
    }
  }

  async #finishLater(job: RunningJob, work: Promise<void>, end: () => void): Promise<void> {
    try {
      await work;
    } catch (error) {
      this.#sendFailure(job, error);
    } finally {
      end();
    }
  }

  #end(job: RunningJob, plugin: string, exclusive: boolean): void {
    job.ended = true;
    this.#running.delete(job.jobId);
    const count = (this.#perPlugin.get(plugin) ?? 1) - 1;
    if (count === 0) this.#perPlugin.delete(plugin);
    else this.#perPlugin.set(plugin, count);
    if (exclusive) this.#exclusiveJobs--;
    if (this.#running.size === 0) {
      for (const resolve of this.#idleWaiters.splice(0)) resolve();
    }
    this.pump();
  }

  #sendResult(job: RunningJob, value: unknown): void {
    // Returned after the signal fired: the job was stopped, whatever it returned.
    if (job.aborted) throw new CodedError(ResultErrorCode.CANCELLED, ChildMessages.endedAfterAbort);
    let data: ReturnType<typeof toResultData>;
    try {
      data = toResultData(value);
    } catch (error) {
      if (!(error instanceof NotJsonSafeError)) throw error;
      throw new CodedError(ResultErrorCode.RESULT_NOT_SERIALIZABLE, error.message);
    }
    const limit = this.#host.resultBytes();
    if (limit !== undefined) {
      const bytes = jsonBytesOver(data, limit);
      if (bytes !== undefined) {
        throw new CodedError(
          ResultErrorCode.RESULT_TOO_LARGE,
          ChildMessages.resultTooLarge(bytes, limit),
        );
      }
    }
    // Posted: short jobs ending together travel in one write. A refusal by the channel
    // (ChannelSendError) becomes this job's failed result.
    this.#host.post({ type: 'result', job_id: job.jobId, status: 'success', data }, (error) =>
      this.#sendFailure(job, error),
    );
  }

  #sendFailure(job: RunningJob, error: unknown): void {
    let code: string = ResultErrorCode.PLUGIN_ERROR;
    let text: string;
    if (error instanceof CodedError) {
      code = error.code;
      text = error.message;
    } else if (error instanceof OverLimitError) {
      code =
        error.kind === 'chunk' ? ResultErrorCode.CHUNK_TOO_LARGE : ResultErrorCode.RESULT_TOO_LARGE;
      text = error.message;
    } else if (error instanceof ChannelSendError) {
      code = ResultErrorCode.SEND_FAILED;
      text = ChildMessages.sendFailed('result or output', error.reason);
    } else {
      text = describePluginError(error);
    }
    if (job.aborted) code = ResultErrorCode.CANCELLED;
    // An error text is small; if even it cannot go, the channel is broken and the host's view
    // of the worker's exit is what is left.
    this.#host.sendOrLog({
      type: 'result',
      job_id: job.jobId,
      status: 'error',
      error: text,
      error_code: code,
    });
  }

  readonly #reportProgress = (job: RunningJob, progress: unknown, text: unknown): void => {
    if (job.ended || typeof progress !== 'number' || Number.isNaN(progress)) return;
    const message: Message = {
      type: 'progress',
      job_id: job.jobId,
      progress: Math.min(1, Math.max(0, progress)),
    };
    if (text !== undefined && text !== null) message.message = String(text);
    this.#host.sendOrLog(message);
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

const RESERVED = new Set<string>(RESERVED_EXECUTE_KEYS);

/** The job parameters of an execute message: its keys the protocol does not reserve. */
function executeParams(message: ExecuteRequest): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const key in message) {
    if (!RESERVED.has(key)) params[key] = (message as Record<string, unknown>)[key];
  }
  return params;
}

export function cancelReason(jobId: string): Error {
  const error = new Error(`job ${jobId} was cancelled by the host`);
  error.name = 'AbortError';
  return error;
}

/** `TypeError: x is not a function` reads better than the bare message for a plugin's error. */
export function describePluginError(error: unknown): string {
  // Node's permission model throws a plain Error; its code and details say what was denied.
  const denied = error as { code?: unknown; permission?: unknown; resource?: unknown };
  if (error instanceof Error && denied.code === 'ERR_ACCESS_DENIED') {
    const what = typeof denied.permission === 'string' ? ` (${denied.permission}` : '';
    const where =
      what && typeof denied.resource === 'string' && denied.resource !== ''
        ? ` ${denied.resource})`
        : what && ')';
    return `ERR_ACCESS_DENIED: ${error.message}${what}${where}`;
  }
  if (error instanceof Error && error.name !== 'Error' && error.name !== '') {
    return `${error.name}: ${error.message}`;
  }
  return describe(error);
}
