import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createExecuteRequest,
  type ErrorResponse,
  type ExecuteRequest,
  type JobParams,
  type JsonObject,
  type PluginConfig,
  type ProgressResponse,
  type ReadyResponse,
  type ResponseResponse,
  type ResultResponse,
  type StateResponse,
  type StreamChunkResponse,
  type WorkerLifecycleState,
  type WorkerResponseMessage,
} from '@plugwork/protocol';
import { z } from 'zod';
import {
  describe,
  describeExit,
  InvalidConfigError,
  InvalidJobError,
  type JobFailure,
  JobFailures,
  ManagerStateError,
  PayloadTooLargeError,
  PluginOperationError,
  type PlugworkWorkerError,
  QueueFullError,
  RestartPhrases,
  ResultErrorCode,
  SandboxLinkError,
  StopPhrases,
  UnknownPluginError,
  WorkerErrorCode,
  WorkerMessageErrorCode,
  type WorkerProtocolError,
  WorkerRequestError,
} from '../errors.ts';
import { isPlainObject, toJsonSafe } from '../json-safe.ts';
import { jsonBytesOver } from '../json-size.ts';
import { type JobManagerOptions, type ResolvedOptions, resolveOptions } from '../options.ts';
import type { Catalog, JobManagerEvents, ManagerStats, WorkerState } from './events.ts';
import { type Job, JobRecord, type JobStatus, type StopReason } from './job.ts';
import { JobHandle } from './job-handle.ts';
import { JobQueue } from './job-queue.ts';
import { JobStream } from './job-stream.ts';
import { type LaunchPlan, planLaunch } from './launch-plan.ts';
import { completeLogger, type Logger } from './logger.ts';
import type { ForwardedLine } from './output-forwarder.ts';
import { resolveAdapterModule } from './resolve-adapter.ts';
import type { RestartDecision } from './restart-policy.ts';
import { type EscapingLink, type RawCatalog, SandboxLinkGuard } from './sandbox-links.ts';
import { StatsCollector } from './stats.ts';
import { workerEnvironment } from './worker-env.ts';
import { type ExitInfo, loadedPluginsOf, type WorkerHandle } from './worker-handle.ts';
import { type KillReason, type SlotHooks, WorkerSlot } from './worker-slot.ts';

/** Per-job options of submit(). */
export interface SubmitOptions {
  /** Stream the output when the plugin supports it (iterate the handle). Default false. */
  stream?: boolean;
  /** Time limit for this job, from the moment it starts running. Default timeouts.jobMs. */
  timeoutMs?: number;
  /** Stall limit for this job (no progress and no chunk for this long). Default timeouts.stallMs. */
  stallMs?: number;
  /** Anything JSON the host wants to keep with the job (a user id, a request id). */
  metadata?: JsonObject;
  /** The job's id. Default: unique per manager (`<random hex>-<counter>`). Must not repeat a held job's id. */
  id?: string;
}

const submitOptionsSchema = z.strictObject({
  stream: z.boolean().optional(),
  timeoutMs: z.number().int().positive().optional(),
  stallMs: z.number().int().positive().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  id: z.string().min(1).optional(),
});

type ManagerState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

type StopHow =
  | { kind: 'queued' }
  | { kind: 'loading' }
  | { kind: 'cooperative' }
  | { kind: 'killed'; pid: number; restarting: boolean };

const EMPTY_OPTIONS: SubmitOptions = Object.freeze({});
const NO_PARAMS: JobParams = Object.freeze({});

/**
 * Runs plugin jobs in a pool of worker processes: a bounded FIFO queue, plugin affinity,
 * streaming with backpressure, cancellation that really stops the work, restarts with backoff
 * and a crash-loop cap, events and statistics.
 *
 * @example
 * ```ts
 * const manager = new JobManager({ adapter: { module: './my-adapter.js' } });
 * await manager.start();
 * const job = manager.submit('echo', { text: 'hi' });
 * console.log(await job.result);
 * await manager.shutdown();
 * ```
 */
export class JobManager extends EventEmitter<JobManagerEvents> {
  readonly #options: ResolvedOptions;
  readonly #adapterModule: string;
  readonly #launch: LaunchPlan;
  readonly #logger: Required<Logger>;
  #state: ManagerState = 'new';
  #starting: Promise<unknown> | undefined;
  #shutdown: Promise<void> | undefined;
  readonly #slots: WorkerSlot[] = [];
  readonly #queue: JobQueue<JobRecord>;
  readonly #jobs = new Map<string, JobRecord>();
  /** Finished jobs still in #jobs. */
  #finishedHeld = 0;
  readonly #stats = new StatsCollector();
  #catalog: Catalog = Object.freeze({ plugins: [], diagnostics: [] });
  #catalogKey = '';
  #pluginNames = new Set<string>();
  readonly #configOverrides = new Map<string, JsonObject>();
  #pumpScheduled = false;
  #noWorkers: string | undefined;
  readonly #ackThreshold: number;
  /** Job ids: random per manager, then a counter (cheaper than a UUID per job, as unique). */
  readonly #idPrefix = randomBytes(6).toString('hex');
  #idCounter = 0;
  /** Last pid per pool position, for worker:restarted's previousPid. */
  readonly #lastPid = new Map<string, number>();
  /** Pids registered with the ResourceManager and not yet unregistered. */
  readonly #registered = new Set<number>();
  /** Under `permissions`: keeps plugins with escaping symbolic links out of the catalog. */
  readonly #linkGuard: SandboxLinkGuard | undefined;
  /** The catalog check in progress (with a guard, catalogs are published once checked). */
  #catalogCheck: Promise<void> = Promise.resolve();
  #catalogSeq = 0;
  /** Escaping links found before start: no plugin is loaded before its folder was judged. */
  #deferInitLoads = false;
  #startFailure: Error | undefined;
  readonly #reportedLinks = new Set<string>();

  /** Validates the options (throws InvalidOptionsError naming the option); starts nothing. */
  constructor(options: JobManagerOptions) {
    super();
    this.#options = resolveOptions(options);
    this.#adapterModule = resolveAdapterModule(this.#options.adapter.module, process.cwd());
    this.#launch = planLaunch(this.#options, this.#adapterModule, process.cwd());
    this.#logger = completeLogger(this.#options.logger);
    this.#queue = new JobQueue(this.#options.queue.maxSize);
    this.#ackThreshold = Math.max(1, Math.floor(this.#options.stream.windowChars / 4));
    const permissions = this.#options.permissions;
    this.#linkGuard =
      permissions === undefined
        ? undefined
        : new SandboxLinkGuard(permissions, this.#launch.readPaths);
  }

  /** Plugins the adapter offers and the diagnostics of those it could not; empty before start(). */
  get catalog(): Catalog {
    return this.#catalog;
  }

  /**
   * Starts `poolSize` workers and resolves with the catalog once every one is ready. Rejects
   * with WorkerStartError (and leaves no process behind) if any worker fails to start.
   */
  async start(): Promise<Catalog> {
    if (this.#state !== 'new') throw ManagerStateError.alreadyStarted();
    this.#state = 'starting';
    const { timeouts, restart, worker } = this.#options;
    if (this.#linkGuard !== undefined) {
      // pluginConfigs' plugins load during init, before the catalog could be judged: with a
      // suspicious link anywhere, they load on first use instead, once it has been.
      this.#deferInitLoads = (await this.#linkGuard.scan()).length > 0;
    }
    for (let index = 1; index <= this.#options.poolSize; index++) {
      this.#slots.push(
        new WorkerSlot(
          `worker-${index}`,
          {
            launch: this.#launch,
            env: workerEnvironment(this.#options),
            cwd: worker.cwd,
            startMs: timeouts.startMs,
            shutdownMs: timeouts.shutdownMs,
            restart,
          },
          this.#hooks,
        ),
      );
    }
    const starting = Promise.allSettled(this.#slots.map((slot) => slot.start()));
    this.#starting = starting;
    const results = await starting;
    await this.#catalogCheck;
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined || this.#state !== 'starting' || this.#startFailure !== undefined) {
      this.#state = 'stopped';
      await Promise.all(this.#slots.map((slot) => slot.stop()));
      throw failed !== undefined
        ? failed.reason
        : (this.#startFailure ?? ManagerStateError.shutDown('start'));
    }
    this.#state = 'running';
    this.#schedulePump();
    return this.#catalog;
  }

  /**
   * Queues a job and returns its handle at once. Throws (nothing is queued) when the manager
   * is not running (ManagerStateError), the plugin is unknown (UnknownPluginError), the params
   * or options cannot be sent (InvalidJobError), or the queue is full (QueueFullError).
   */
  submit(
    plugin: string,
    params: JobParams = NO_PARAMS,
    options: SubmitOptions = EMPTY_OPTIONS,
  ): JobHandle {
    if (this.#state !== 'running') {
      throw this.#state === 'new' || this.#state === 'starting'
        ? ManagerStateError.notStarted('submit a job')
        : ManagerStateError.shutDown('submit a job');
    }
    if (this.#noWorkers !== undefined) {
      throw ManagerStateError.noWorkers('submit a job', this.#noWorkers);
    }
    if (!this.#pluginNames.has(plugin))
      throw new UnknownPluginError(plugin, [...this.#pluginNames]);
    if (options !== EMPTY_OPTIONS) {
      const checked = submitOptionsSchema.safeParse(options);
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        const key =
          issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.');
        throw new InvalidJobError(plugin, `option "${key}": ${issue.message}`);
      }
    }
    if (this.#queue.size >= this.#queue.maxSize) {
      throw new QueueFullError(plugin, this.#queue.maxSize);
    }
    let id: string;
    if (options.id === undefined) {
      id = `${this.#idPrefix}-${++this.#idCounter}`;
    } else {
      id = options.id;
      if (this.#jobs.has(id)) {
        throw new InvalidJobError(plugin, `a job with id "${id}" exists already`);
      }
    }
    const safeParams = params === NO_PARAMS ? params : this.#checkJson(plugin, params, 'params');
    const paramsBytes = jsonBytesOver(safeParams, this.#options.limits.paramsBytes);
    if (paramsBytes !== undefined) {
      throw new PayloadTooLargeError(plugin, paramsBytes, this.#options.limits.paramsBytes);
    }
    const metadata =
      options.metadata === undefined ? {} : this.#checkJson(plugin, options.metadata, 'metadata');
    const stream = options.stream === true;
    let request: ExecuteRequest;
    try {
      request = createExecuteRequest({
        jobId: id,
        pluginName: plugin,
        params: safeParams,
        stream: stream ? true : undefined,
      });
    } catch (error) {
      throw new InvalidJobError(plugin, describe(error), { cause: error });
    }
    const record = new JobRecord({
      id,
      plugin,
      params: safeParams,
      stream,
      metadata,
      request,
      timeoutMs: options.timeoutMs ?? this.#options.timeouts.jobMs,
      stallMs: options.stallMs ?? this.#options.timeouts.stallMs,
      makeStream: stream
        ? (job) => new JobStream(id, (characters) => this.#ack(job, characters), this.#ackThreshold)
        : undefined,
    });
    this.#queue.push(record);
    this.#jobs.set(id, record);
    this.#emitJob('job:queued', record);
    // Dispatch now rather than a microtask later: a no-op job's round trip is mostly this path.
    this.#pump();
    return new JobHandle(record, this.#cancel);
  }

  /** Cancels a job by id; see JobHandle.cancel(). False for an unknown or finished job. */
  cancel(jobId: string): Promise<boolean> {
    const record = this.#jobs.get(jobId);
    return record === undefined ? Promise.resolve(false) : this.#cancel(record);
  }

  /** A snapshot of one job, or undefined (unknown, cleared, or beyond retainJobs). */
  getJob(jobId: string): Job | undefined {
    return this.#jobs.get(jobId)?.snapshot();
  }

  /** Snapshots of the jobs the manager holds, in submission order, optionally filtered. */
  listJobs(filter: { status?: JobStatus | JobStatus[]; plugin?: string } = {}): Job[] {
    const statuses =
      filter.status === undefined
        ? undefined
        : new Set(Array.isArray(filter.status) ? filter.status : [filter.status]);
    const jobs: Job[] = [];
    for (const record of this.#jobs.values()) {
      if (statuses !== undefined && !statuses.has(record.status)) continue;
      if (filter.plugin !== undefined && record.plugin !== filter.plugin) continue;
      jobs.push(record.snapshot());
    }
    return jobs;
  }

  /** Forgets every finished (completed, failed, cancelled) job; returns how many. */
  clearCompleted(): number {
    let cleared = 0;
    for (const [id, record] of this.#jobs) {
      if (record.terminal) {
        this.#jobs.delete(id);
        cleared++;
      }
    }
    this.#finishedHeld -= cleared;
    return cleared;
  }

  /**
   * Reloads a plugin, code and config: every worker process that has run it is replaced by a
   * fresh one once its current job ends (never during one), so the next job runs the plugin's
   * files as they are now, the modules it imports included; those that had it loaded load it
   * again with the config. Workers that do not have it loaded use the config when they next
   * load it, and so do restarted workers. Without `config`, the plugin's current config is looked up again
   * (pluginConfigs, an earlier reload, or the registry). Rejects with PluginOperationError
   * listing each worker that failed; the previous config then stays in force for later loads.
   */
  async reloadPlugin(plugin: string, config?: PluginConfig): Promise<void> {
    this.#assertRunning('reload a plugin');
    if (!this.#pluginNames.has(plugin))
      throw new UnknownPluginError(plugin, [...this.#pluginNames]);
    const previous = this.#configOverrides.get(plugin);
    if (config !== undefined) {
      let safe: unknown;
      try {
        safe = toJsonSafe(config, 'config');
      } catch (error) {
        throw new InvalidConfigError(plugin, describe(error));
      }
      if (!isPlainObject(safe)) throw new InvalidConfigError(plugin, 'a config must be an object');
      this.#configOverrides.set(plugin, safe as JsonObject);
    }
    const subject = ` plugin "${plugin}"`;
    // A process that has run the plugin keeps its modules cached: only a fresh one reads the
    // code anew, imports included. So each is replaced (between jobs), and those that had it
    // loaded load it again with the config, which also proves the config good.
    const results = await Promise.allSettled(
      this.#slots
        .filter((slot) => slot.usable && slot.everLoaded.has(plugin))
        .map(async (slot) => {
          const hadLoaded = slot.loaded.has(plugin);
          await slot.recycle();
          if (!hadLoaded) return;
          await slot.runOperation(async (handle) => {
            const answer = await this.#request<ResponseResponse>(slot, handle, subject, {
              type: 'reload',
              plugin_name: plugin,
              config: await this.#configFor(plugin),
            });
            this.#updateLoaded(slot, loadedPluginsOf(answer));
          });
        }),
    );
    const failures = results
      .filter((result): result is PromiseRejectedResult => result.status === 'rejected')
      .map((result) => result.reason as PlugworkWorkerError);
    if (failures.length > 0) {
      if (config !== undefined) {
        if (previous === undefined) this.#configOverrides.delete(plugin);
        else this.#configOverrides.set(plugin, previous);
      }
      throw new PluginOperationError('reload', plugin, failures);
    }
  }

  /**
   * Unloads a plugin on every worker that has it loaded (between jobs), freeing what its setup
   * took. A later job for it loads it again. Rejects with PluginOperationError on failures.
   */
  async unloadPlugin(plugin: string): Promise<void> {
    this.#assertRunning('unload a plugin');
    if (!this.#pluginNames.has(plugin))
      throw new UnknownPluginError(plugin, [...this.#pluginNames]);
    const failures = await this.#onEveryWorker(async (slot, handle) => {
      if (!slot.loaded.has(plugin)) return;
      const answer = await this.#request<ResponseResponse>(slot, handle, ` plugin "${plugin}"`, {
        type: 'unload',
        plugin_name: plugin,
      });
      this.#updateLoaded(slot, loadedPluginsOf(answer));
    });
    if (failures.length > 0) throw new PluginOperationError('unload', plugin, failures);
  }

  /**
   * Every worker's state: the manager's view plus what the worker itself reports (loaded
   * plugins, current job, memory), asked with get_state. A worker that does not answer within
   * `timeoutMs` (default timeouts.requestMs) — a plugin blocking its event loop — is reported
   * with `unanswered` instead; this never rejects.
   */
  async getWorkerStates(options: { timeoutMs?: number } = {}): Promise<WorkerState[]> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeouts.requestMs;
    return Promise.all(
      this.#slots.map(async (slot): Promise<WorkerState> => {
        const base: WorkerState = {
          workerId: slot.id,
          pid: slot.pid,
          state: slot.state,
          loadedPlugins: [...slot.loaded],
          currentJobId: slot.job?.id,
          restarts: slot.restarts,
          recentCrashes: slot.recentCrashes,
          failure: slot.failure,
          memory: undefined,
          unanswered: undefined,
        };
        const handle = slot.handle;
        if (handle === undefined || !handle.alive || slot.state === 'starting') {
          return { ...base, unanswered: `the worker is ${slot.state}` };
        }
        try {
          const state = await handle.request<StateResponse>({ type: 'get_state' }, timeoutMs);
          return {
            ...base,
            loadedPlugins: state.loaded_plugins,
            currentJobId: state.current_job_id ?? undefined,
            memory:
              state.memory === undefined
                ? undefined
                : { rss: state.memory.rss, heapUsed: state.memory.heap_used },
          };
        } catch (error) {
          return { ...base, unanswered: describe(error) };
        }
      }),
    );
  }

  /** Queue length, running jobs, workers per state, and wait/run times per plugin. */
  stats(): ManagerStats {
    const workers: Record<WorkerLifecycleState, number> = {
      starting: 0,
      idle: 0,
      busy: 0,
      stopping: 0,
      restarting: 0,
      exited: 0,
      failed: 0,
    };
    let running = 0;
    for (const slot of this.#slots) {
      workers[slot.state]++;
      if (slot.job !== undefined && !slot.job.terminal) running++;
    }
    return { queued: this.#queue.size, running, workers, plugins: this.#stats.snapshot() };
  }

  /**
   * Stops every worker: `stop` (plugins dispose, process exits 0), SIGKILL after
   * timeouts.shutdownMs. Queued jobs are cancelled, running ones cancelled through the stop;
   * with `{ drain: true }` every accepted job runs to its end first. Safe to call twice.
   * Resolves once no worker process is left.
   */
  shutdown(options: { drain?: boolean } = {}): Promise<void> {
    this.#shutdown ??= this.#doShutdown(options.drain === true);
    return this.#shutdown;
  }

  async #doShutdown(drain: boolean): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'stopped';
      return;
    }
    if (this.#state === 'starting') {
      this.#state = 'stopping';
      await this.#starting;
    }
    if (this.#state === 'stopped') {
      // start() failed or was overtaken by this shutdown: wait until its workers are gone too.
      await Promise.all(this.#slots.map((slot) => slot.stop()));
      return;
    }
    this.#state = 'stopping';
    if (drain) {
      await Promise.all([...this.#jobs.values()].map((record) => record.done));
    }
    for (const record of this.#queue.drain()) {
      this.#endStopped(record, 'shutdown', { kind: 'queued' });
    }
    for (const slot of this.#slots) {
      const record = slot.job;
      if (record !== undefined && !record.terminal && record.stopping === undefined) {
        record.stopping = { reason: 'shutdown', graceTimer: undefined };
      }
    }
    await Promise.all(this.#slots.map((slot) => slot.stop()));
    for (const record of this.#jobs.values()) {
      if (!record.terminal) this.#endStopped(record, 'shutdown', { kind: 'cooperative' });
    }
    this.#state = 'stopped';
  }

  // ---- scheduling -------------------------------------------------------------------------

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    queueMicrotask(this.#pump);
  }

  /** Hands queued jobs, oldest first, to available workers. */
  readonly #pump = (): void => {
    this.#pumpScheduled = false;
    if (this.#state !== 'running' && this.#state !== 'stopping') return;
    while (this.#queue.size > 0) {
      const record = this.#queue.peek()!;
      const slot = this.#pickSlot(record.plugin);
      if (slot === undefined) return;
      this.#queue.shift();
      this.#run(record, slot);
    }
  };

  /** Affinity: a worker with the plugin loaded; else one with room, so nothing is unloaded. */
  #pickSlot(plugin: string): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    let bestScore = -1;
    for (const slot of this.#slots) {
      if (!slot.available) continue;
      if (slot.loaded.has(plugin)) return slot;
      const score =
        slot.loaded.size === 0 ? 2 : slot.loaded.size < this.#options.maxLoadedPlugins ? 1 : 0;
      if (score > bestScore) {
        best = slot;
        bestScore = score;
      }
    }
    return best;
  }

  #run(record: JobRecord, slot: WorkerSlot): void {
    slot.assign(record);
    record.markRunning(slot);
    this.#stats.started(record.plugin, record.startedAt! - record.submittedAt);
    if (record.timeoutMs !== undefined || record.stallMs !== undefined) {
      record.timers.start(
        record.timeoutMs,
        record.stallMs,
        () => this.#stop(record, 'timeout'),
        () => this.#stop(record, 'stall'),
      );
    }
    this.#emitJob('job:started', record);
    if (slot.loaded.has(record.plugin)) this.#execute(record, slot);
    else void this.#loadThenExecute(record, slot);
  }

  #execute(record: JobRecord, slot: WorkerSlot): void {
    record.executeSent = true;
    try {
      // A closed channel means the worker just died; its exit ends the job with the reason.
      slot.handle?.send(record.request);
    } catch (error) {
      // The channel is fine but this request cannot go: the job ends, the worker goes on.
      record.executeSent = false;
      this.#finish(
        record,
        'failed',
        JobFailures.sendFailed(record.id, record.plugin, 'execute request', describe(error)),
      );
      slot.release();
    }
  }

  /** The worker lacks the plugin: load it with its config (a `reload`), then execute. */
  async #loadThenExecute(record: JobRecord, slot: WorkerSlot): Promise<void> {
    const handle = slot.handle!;
    let config: JsonObject;
    try {
      config = await this.#configFor(record.plugin);
      if (!record.terminal) {
        const answer = await handle.request<ResponseResponse>(
          { type: 'reload', plugin_name: record.plugin, config },
          this.#options.timeouts.requestMs,
          ` plugin "${record.plugin}"`,
        );
        this.#updateLoaded(slot, loadedPluginsOf(answer));
      }
    } catch (error) {
      // The worker died meanwhile: its exit has already ended the job.
      if (slot.handle !== handle || !handle.alive) return;
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
                this.#options.timeouts.requestMs,
                true,
              ).message
            : (error.reason ?? error.message)
          : describe(error);
      if (error instanceof WorkerRequestError) this.#updateLoaded(slot, error.loadedPlugins);
      if (!record.terminal) {
        this.#finish(record, 'failed', JobFailures.loadFailed(record.id, record.plugin, reason));
      }
      // A setup that hangs leaves the worker in an unknown state: replace it.
      if (timedOut) slot.kill('request-timeout');
      else slot.release();
      return;
    }
    if (slot.handle !== handle || !handle.alive) return;
    if (record.terminal) {
      slot.release();
      return;
    }
    this.#execute(record, slot);
  }

  // ---- stopping jobs ----------------------------------------------------------------------

  readonly #cancel = (record: JobRecord): Promise<boolean> => {
    if (record.terminal) return Promise.resolve(false);
    this.#stop(record, 'cancel');
    return record.done.then((job) => job.status === 'cancelled');
  };

  /** Cancel, timeout, stall: cooperative first (AbortSignal), kill after the grace period. */
  #stop(record: JobRecord, reason: StopReason): void {
    if (record.status === 'pending') {
      this.#queue.remove(record);
      this.#endStopped(record, reason, { kind: 'queued' });
      return;
    }
    if (record.status !== 'running' || record.stopping !== undefined) return;
    const slot = record.slot!;
    if (!record.executeSent) {
      // Still loading its plugin: end the job now; the worker is released when the load ends.
      record.stopping = { reason, graceTimer: undefined };
      this.#endStopped(record, reason, { kind: 'loading' });
      return;
    }
    record.stopping = {
      reason,
      graceTimer: setTimeout(() => {
        if (slot.job === record && !record.terminal) slot.kill(killReasonFor(reason));
      }, this.#options.timeouts.cancelGraceMs),
    };
    this.#sendQuietly(slot, { type: 'cancel', job_id: record.id });
  }

  /** A small control message (cancel, stream_ack); if even it cannot go, the channel is broken. */
  #sendQuietly(
    slot: WorkerSlot,
    message: { type: string; job_id: string } & Record<string, unknown>,
  ): void {
    try {
      slot.handle?.send(message);
    } catch (error) {
      this.#logger.warn(
        `A "${message.type}" for job ${message.job_id} could not be sent to worker ${slot.id}: ${describe(error)}; replacing the worker`,
      );
      slot.kill('protocol-error');
    }
  }

  #endStopped(record: JobRecord, reason: StopReason, how: StopHow): void {
    const tail =
      how.kind === 'queued'
        ? StopPhrases.queued
        : how.kind === 'loading'
          ? StopPhrases.loading
          : how.kind === 'cooperative'
            ? StopPhrases.cooperative
            : StopPhrases.killed(how.pid, this.#options.timeouts.cancelGraceMs, how.restarting);
    switch (reason) {
      case 'cancel':
        this.#finish(record, 'cancelled', JobFailures.cancelled(record.id, record.plugin, tail));
        return;
      case 'shutdown':
        this.#finish(
          record,
          'cancelled',
          JobFailures.cancelled(record.id, record.plugin, StopPhrases.shutdown),
        );
        return;
      case 'timeout':
        this.#finish(
          record,
          'failed',
          JobFailures.timedOut(record.id, record.plugin, record.timeoutMs ?? 0, tail),
        );
        return;
      case 'stall':
        this.#finish(
          record,
          'failed',
          JobFailures.stalled(record.id, record.plugin, record.stallMs ?? 0, tail),
        );
        return;
    }
  }

  #finish(record: JobRecord, status: 'completed', outcome: JsonObject): void;
  #finish(record: JobRecord, status: 'failed' | 'cancelled', outcome: JobFailure): void;
  #finish(
    record: JobRecord,
    status: 'completed' | 'failed' | 'cancelled',
    outcome: JsonObject | JobFailure,
  ): void {
    if (record.terminal) return;
    if (status === 'completed') record.finish(status, outcome as JsonObject);
    else record.finish(status, outcome as JobFailure);
    this.#stats.ended(
      record.plugin,
      status,
      record.startedAt === undefined ? undefined : record.endedAt! - record.startedAt,
    );
    this.#emitJob(
      status === 'completed'
        ? 'job:completed'
        : status === 'failed'
          ? 'job:failed'
          : 'job:cancelled',
      record,
    );
    this.#retire();
  }

  /**
   * Keeps about retainJobs finished jobs for getJob/listJobs, forgetting the oldest. Swept in
   * batches (10% over the bound) so that finishing a job costs no Map surgery of its own.
   */
  #retire(): void {
    this.#finishedHeld++;
    const keep = this.#options.retainJobs;
    if (this.#finishedHeld <= keep + Math.max(16, keep / 10)) return;
    for (const [id, record] of this.#jobs) {
      if (this.#finishedHeld <= keep) break;
      if (!record.terminal) continue;
      this.#jobs.delete(id);
      this.#finishedHeld--;
    }
  }

  // ---- messages from workers --------------------------------------------------------------

  #onMessage(slot: WorkerSlot, message: WorkerResponseMessage): void {
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
        this.#setCatalog({ plugins: message.plugins, diagnostics: message.diagnostics });
        if (message.changed_plugins !== undefined) this.#recycleFor(slot, message.changed_plugins);
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
    const record = slot.job;
    if (record === undefined || record.id !== message.job_id) return;
    if (!record.terminal) {
      if (message.status === 'success') {
        this.#finish(record, 'completed', message.data ?? {});
      } else if (
        record.stopping !== undefined &&
        message.error_code === ResultErrorCode.CANCELLED
      ) {
        this.#endStopped(record, record.stopping.reason, { kind: 'cooperative' });
      } else {
        this.#finish(record, 'failed', failureOf(record, message));
      }
    }
    slot.release();
  }

  #onChunk(slot: WorkerSlot, message: StreamChunkResponse): void {
    const record = slot.job;
    if (record === undefined || record.id !== message.job_id || record.terminal) return;
    record.touch();
    if (message.chunk.length === 0) return;
    record.stream?.push(message.chunk);
    if (this.listenerCount('job:chunk') > 0 || this.#options.broadcaster !== undefined) {
      this.#emit('job:chunk', {
        jobId: record.id,
        plugin: record.plugin,
        chunk: message.chunk,
        final: message.is_final,
      });
    }
  }

  #onProgress(slot: WorkerSlot, message: ProgressResponse): void {
    const record = slot.job;
    if (record === undefined || record.id !== message.job_id || record.terminal) return;
    record.touch();
    record.reportProgress(message.progress, message.message);
    this.#emit('job:progress', {
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
    const record = slot.job;
    if (
      message.job_id !== undefined &&
      record !== undefined &&
      record.id === message.job_id &&
      !record.terminal
    ) {
      this.#finish(
        record,
        'failed',
        JobFailures.protocolError(record.id, record.plugin, message.error),
      );
      slot.release();
      return;
    }
    this.#logger.warn(`Worker ${slot.id} (pid ${slot.pid}) reported: ${message.error}`);
  }

  /**
   * Plugin code wrote to the channel itself. Nothing it claims is believed (the job it names
   * goes on and ends with what the worker loop reports); the first few are logged per process.
   */
  #onForged(slot: WorkerSlot, raw: unknown, count: number): void {
    const claims = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const jobId = typeof claims.job_id === 'string' ? claims.job_id : undefined;
    const type =
      typeof claims.type === 'string' ? `a "${claims.type.slice(0, 40)}" message` : 'a message';
    const text = `Worker ${slot.id} (pid ${slot.pid}) sent ${type}${
      jobId === undefined ? '' : ` naming job ${jobId.slice(0, 80)}`
    } without the channel token: plugin code wrote it past the worker loop (process.send or the channel's file descriptor). It was dropped${
      count === FORGED_LOGGED ? '; further ones from this process are not logged' : ''
    }`;
    if (count <= FORGED_LOGGED) this.#logger.warn(text);
    this.#emit('worker:protocol-error', {
      workerId: slot.id,
      pid: slot.pid ?? 0,
      message: text,
      jobId,
    });
  }

  /**
   * Files of these plugins changed: every worker process that has run one of them (its module
   * cache holds the old code and imports), and the one that saw the change, is replaced once
   * its current job ends. Queued jobs
   * wait for the fresh processes; nothing is dropped.
   */
  #recycleFor(reporter: WorkerSlot, plugins: readonly string[]): void {
    for (const slot of this.#slots) {
      // The reporter names only plugins it has imported or tried to (a failed import is cached
      // as failed): it is replaced whether or not the import succeeded.
      const holds = slot === reporter || plugins.some((plugin) => slot.everLoaded.has(plugin));
      if (!slot.usable || !holds) continue;
      slot
        .recycle()
        .catch((error: Error) =>
          this.#logger.warn(
            `Replacing worker ${slot.id} after a plugin change failed: ${error.message}`,
          ),
        );
    }
  }

  /** Only a malformed *result* for the running job ends it; the worker is then replaced. */
  #onProtocolError(slot: WorkerSlot, error: WorkerProtocolError, raw: unknown): void {
    const claims = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    const jobId = typeof claims.job_id === 'string' ? claims.job_id : undefined;
    this.#logger.warn(error.message);
    this.#emit('worker:protocol-error', {
      workerId: slot.id,
      pid: error.pid,
      message: error.message,
      jobId,
    });
    const record = slot.job;
    if (
      claims.type === 'result' &&
      record !== undefined &&
      record.id === jobId &&
      !record.terminal &&
      record.executeSent
    ) {
      this.#finish(
        record,
        'failed',
        JobFailures.protocolError(record.id, record.plugin, error.message),
      );
      slot.kill('protocol-error');
    }
  }

  // ---- worker lifecycle -------------------------------------------------------------------

  readonly #hooks: SlotHooks = {
    initMessage: () => this.#initMessage(),
    onReady: (slot, ready, restarted) => this.#onReady(slot, ready, restarted),
    onMessage: (slot, message) => this.#onMessage(slot, message),
    onProtocolError: (slot, error, raw) => this.#onProtocolError(slot, error, raw),
    onForged: (slot, raw, count) => this.#onForged(slot, raw, count),
    onOutput: (slot, line, pid) => this.#onOutput(slot, line, pid),
    onExit: (slot, exit, decision, killReason) => this.#onExit(slot, exit, decision, killReason),
    onRestartFailed: (slot, error) =>
      this.#logger.warn(`Restarting worker ${slot.id} failed: ${error.message}`),
    onFailed: (slot, reason) => this.#onFailed(slot, reason),
    onStateChange: (slot, state, pid) => this.#onStateChange(slot, state, pid),
    onIdle: () => {
      if (this.#queue.size > 0) this.#schedulePump();
    },
  };

  #initMessage(): { type: 'init' } & Record<string, unknown> {
    // pluginConfigs name the plugins loaded at start; a later reload's config replaces theirs.
    // Other plugins are loaded on first use, with their config sent along (#configFor).
    const configs: Record<string, JsonObject> = {};
    for (const [plugin, config] of Object.entries(this.#options.pluginConfigs ?? {})) {
      if (this.#deferInitLoads) break;
      configs[plugin] = this.#configOverrides.get(plugin) ?? config;
    }
    return {
      type: 'init',
      adapter: {
        module: this.#adapterModule,
        export: this.#options.adapter.export,
        options: this.#options.adapter.options,
      },
      plugin_configs: configs,
      max_loaded_plugins: this.#options.maxLoadedPlugins,
      stream_window: this.#options.stream.windowChars,
      limits: {
        result_bytes: this.#options.limits.resultBytes,
        chunk_bytes: this.#options.limits.chunkBytes,
      },
    };
  }

  #onReady(slot: WorkerSlot, ready: ReadyResponse, restarted: boolean): void {
    this.#setCatalog({ plugins: ready.plugins ?? [], diagnostics: ready.diagnostics ?? [] });
    const pid = slot.pid!;
    const event = {
      workerId: slot.id,
      pid,
      restarts: slot.restarts,
      loadedPlugins: [...slot.loaded],
    };
    const resourceManager = this.#options.resourceManager;
    if (resourceManager !== undefined) {
      this.#registered.add(pid);
      this.#callHook('resourceManager.registerWorker', () =>
        resourceManager.registerWorker(pid, { workerId: slot.id, plugins: [...slot.loaded] }),
      );
      this.#callHook('resourceManager.updateWorkerState', () =>
        resourceManager.updateWorkerState(pid, 'idle'),
      );
    }
    if (restarted) {
      this.#emit('worker:restarted', { ...event, previousPid: this.#lastPid.get(slot.id) });
    } else {
      this.#emit('worker:started', event);
    }
    this.#lastPid.set(slot.id, pid);
  }

  #onExit(
    slot: WorkerSlot,
    exit: ExitInfo,
    decision: RestartDecision | undefined,
    killReason: KillReason | undefined,
  ): void {
    const record = slot.job;
    slot.job = undefined;
    slot.loaded = new Set();
    if (record !== undefined && !record.terminal) {
      if (record.stopping !== undefined) {
        this.#endStopped(record, record.stopping.reason, {
          kind: 'killed',
          pid: exit.pid,
          restarting: decision?.restart === true,
        });
      } else {
        this.#finish(
          record,
          'failed',
          JobFailures.workerCrashed(
            record.id,
            record.plugin,
            exit,
            nextStep(decision, this.#options),
          ),
        );
      }
    }
    if (killReason === undefined && decision !== undefined) {
      this.#logger.warn(
        `Worker ${slot.id} (pid ${exit.pid}) ${describeExit(exit)}. ${nextStep(decision, this.#options)}`,
      );
    }
    this.#emit('worker:exited', {
      workerId: slot.id,
      pid: exit.pid,
      code: exit.code,
      signal: exit.signal,
      description: describeExit(exit),
      killedFor: killReason,
      jobId: record?.id,
      willRestart: decision?.restart === true,
      restartInMs: decision?.restart === true ? decision.delayMs : undefined,
    });
    const resourceManager = this.#options.resourceManager;
    if (resourceManager !== undefined && this.#registered.delete(exit.pid)) {
      this.#callHook('resourceManager.updateWorkerState', () =>
        resourceManager.updateWorkerState(exit.pid, 'exited'),
      );
      this.#callHook('resourceManager.unregisterWorker', () =>
        resourceManager.unregisterWorker(exit.pid),
      );
    }
  }

  #onFailed(slot: WorkerSlot, reason: string): void {
    this.#logger.warn(`Worker ${slot.id} failed: ${reason}`);
    this.#emit('worker:failed', { workerId: slot.id, reason });
    if (this.#slots.some((other) => other.usable)) return;
    // Nothing will ever take the queued jobs: fail them now rather than let them wait forever.
    this.#noWorkers = reason;
    for (const record of this.#queue.drain()) {
      this.#finish(record, 'failed', JobFailures.noWorkers(record.id, record.plugin, reason));
    }
  }

  #onStateChange(slot: WorkerSlot, state: WorkerLifecycleState, pid: number | undefined): void {
    const resourceManager = this.#options.resourceManager;
    // A process is reported from registerWorker (at ready) to unregisterWorker (at exit).
    if (resourceManager === undefined || pid === undefined || !this.#registered.has(pid)) return;
    if (state === 'exited') return;
    const job = slot.job;
    this.#callHook('resourceManager.updateWorkerState', () =>
      resourceManager.updateWorkerState(
        pid,
        state,
        job === undefined || state !== 'busy'
          ? undefined
          : { jobId: job.id, pluginName: job.plugin },
      ),
    );
  }

  #onOutput(slot: WorkerSlot, line: ForwardedLine, pid: number): void {
    const plugin = slot.outputPlugin;
    this.#logger.output(`[worker ${pid} ${plugin ?? '-'}] ${line.text}`, {
      workerId: slot.id,
      pid,
      plugin,
      stream: line.stream,
      text: line.text,
    });
  }

  // ---- helpers ----------------------------------------------------------------------------

  #assertRunning(action: string): void {
    if (this.#state === 'new' || this.#state === 'starting') {
      throw ManagerStateError.notStarted(action);
    }
    if (this.#state !== 'running') throw ManagerStateError.shutDown(action);
  }

  #checkJson(plugin: string, value: unknown, what: 'params' | 'metadata'): JsonObject {
    let safe: unknown;
    try {
      safe = toJsonSafe(value, what);
    } catch (error) {
      throw new InvalidJobError(plugin, describe(error), { cause: error });
    }
    if (!isPlainObject(safe)) {
      throw new InvalidJobError(plugin, `${what} must be a plain object`);
    }
    return safe as JsonObject;
  }

  /** The config a worker loads `plugin` with: a reload's, pluginConfigs', or the registry's. */
  async #configFor(plugin: string): Promise<JsonObject> {
    const override = this.#configOverrides.get(plugin);
    if (override !== undefined) return override;
    const registry = this.#options.registry;
    if (registry === undefined) return this.#options.pluginConfigs?.[plugin] ?? {};
    let config: unknown;
    try {
      config = (await registry.loadPluginConfig(plugin)) ?? {};
    } catch (error) {
      throw new Error(`the registry could not provide its config: ${describe(error)}`);
    }
    const safe = toJsonSafe(config, 'config');
    if (!isPlainObject(safe))
      throw new Error('the registry returned a config that is not an object');
    return safe as JsonObject;
  }

  /** Runs `operation` on every usable worker between jobs; returns the failures. */
  async #onEveryWorker(
    operation: (slot: WorkerSlot, handle: WorkerHandle) => Promise<void>,
  ): Promise<PlugworkWorkerError[]> {
    const results = await Promise.allSettled(
      this.#slots
        .filter((slot) => slot.usable)
        .map((slot) => slot.runOperation((handle) => operation(slot, handle))),
    );
    return results
      .filter((result): result is PromiseRejectedResult => result.status === 'rejected')
      .map((result) => result.reason as PlugworkWorkerError);
  }

  /** A reload/unload request; a timeout replaces the worker (its plugin state is unknown). */
  async #request<T extends ResponseResponse>(
    slot: WorkerSlot,
    handle: WorkerHandle,
    subject: string,
    message: { type: string } & Record<string, unknown>,
  ): Promise<T> {
    try {
      return await handle.request<T>(message, this.#options.timeouts.requestMs, subject);
    } catch (error) {
      if (!(error instanceof WorkerRequestError)) throw error;
      this.#updateLoaded(slot, error.loadedPlugins);
      if (error.code !== WorkerErrorCode.REQUEST_TIMEOUT) throw error;
      slot.kill('request-timeout');
      throw WorkerRequestError.timeout(
        slot.id,
        handle.pid,
        message.type,
        subject,
        this.#options.timeouts.requestMs,
        true,
      );
    }
  }

  #updateLoaded(slot: WorkerSlot, loaded: string[] | undefined): void {
    if (loaded !== undefined) slot.loaded = new Set(loaded);
  }

  #ack(record: JobRecord, characters: number): void {
    const slot = record.slot;
    if (slot === undefined || slot.job !== record || record.terminal) return;
    this.#sendQuietly(slot, { type: 'stream_ack', job_id: record.id, consumed: characters });
  }

  /** Publishes a worker's catalog; under `permissions`, once the sandbox check has judged it. */
  #setCatalog(catalog: RawCatalog): void {
    const guard = this.#linkGuard;
    if (guard === undefined) {
      this.#publishCatalog(catalog);
      return;
    }
    const seq = ++this.#catalogSeq;
    this.#catalogCheck = guard.check(catalog).then(
      (checked) => {
        if (seq !== this.#catalogSeq) return;
        this.#onEscapingLinks(checked.elsewhere);
        this.#publishCatalog(checked.catalog);
      },
      (error: unknown) =>
        this.#logger.warn(`Checking the sandbox's links failed: ${describe(error)}`),
    );
  }

  /** Links under a grant but in no plugin's folder: fatal at start, a warning afterwards. */
  #onEscapingLinks(links: readonly EscapingLink[]): void {
    for (const link of links) {
      if (this.#state === 'starting') {
        this.#startFailure ??= new SandboxLinkError(link.link, link.target, link.grant);
        continue;
      }
      if (this.#reportedLinks.has(link.link)) continue;
      this.#reportedLinks.add(link.link);
      this.#logger.warn(new SandboxLinkError(link.link, link.target, link.grant).message);
    }
  }

  #publishCatalog(catalog: RawCatalog): void {
    const key = JSON.stringify(catalog);
    if (key === this.#catalogKey) return;
    const first = this.#catalogKey === '';
    this.#catalogKey = key;
    this.#catalog = Object.freeze({
      plugins: Object.freeze([...catalog.plugins]),
      diagnostics: Object.freeze([...catalog.diagnostics]),
    });
    this.#pluginNames = new Set(catalog.plugins.map((plugin) => plugin.name));
    if (!first) this.#emit('catalog:changed', this.#catalog);
  }

  #emitJob(
    event: 'job:queued' | 'job:started' | 'job:completed' | 'job:failed' | 'job:cancelled',
    record: JobRecord,
  ): void {
    if (this.listenerCount(event) === 0 && this.#options.broadcaster === undefined) return;
    this.#emit(event, record.snapshot());
  }

  /** Emits to listeners and the broadcaster; a listener that throws cannot break the manager. */
  #emit<K extends keyof JobManagerEvents>(event: K, payload: JobManagerEvents[K][0]): void {
    try {
      (this.emit as (event: string, payload: unknown) => boolean)(event, payload);
    } catch (error) {
      this.#logger.warn(`A "${event}" listener threw: ${describe(error)}`);
    }
    const broadcaster = this.#options.broadcaster;
    if (broadcaster !== undefined) {
      this.#callHook('broadcaster.broadcast', () => broadcaster.broadcast(event, payload));
    }
  }

  /** Calls a host hook; a throw or a rejection is logged, never propagated. */
  #callHook(name: string, call: () => unknown): void {
    try {
      const result = call();
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        (result as Promise<unknown>).then(undefined, (error: unknown) =>
          this.#logger.warn(`${name} failed: ${describe(error)}`),
        );
      }
    } catch (error) {
      this.#logger.warn(`${name} threw: ${describe(error)}`);
    }
  }
}

/** Forged messages logged per worker process; later ones are only reported as events. */
const FORGED_LOGGED = 5;

function killReasonFor(reason: StopReason): KillReason {
  return reason === 'timeout' ? 'timeout' : reason === 'stall' ? 'stall' : 'cancel';
}

/** What happens after a crash, for the job's message and the log. */
function nextStep(decision: RestartDecision | undefined, options: ResolvedOptions): string {
  if (decision === undefined) return RestartPhrases.shuttingDown;
  if (decision.restart) return RestartPhrases.restarting(decision.delayMs);
  if (decision.reason === 'crash-loop') {
    return RestartPhrases.crashLoop(decision.crashesInWindow, options.restart.crashWindowMs);
  }
  return RestartPhrases.policy(options.restart.policy);
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
