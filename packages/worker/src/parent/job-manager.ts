import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  createExecuteRequest,
  type JobParams,
  type JsonObject,
  type PluginConfig,
  type WorkerLifecycleState,
} from '@plugwork/protocol';
import {
  describe,
  InvalidJobError,
  ManagerStateError,
  PayloadTooLargeError,
  QueueFullError,
  UnknownWorkerError,
} from '../errors.ts';
import type { JobRunner } from '../job-runner.ts';
import { jsonBytesOver } from '../json-size.ts';
import { type JobManagerOptions, type ResolvedOptions, resolveOptions } from '../options.ts';
import { resolveQueueOptions } from '../store/job-options.ts';
import type { ListJobsFilter } from '../store/job-store.ts';
import { CatalogState } from './catalog-state.ts';
import { Dispatcher } from './dispatch.ts';
import type { Catalog, JobManagerEvents, ManagerStats, WorkerState } from './events.ts';
import { type Job, JobRecord } from './job.ts';
import { JobHandle } from './job-handle.ts';
import { JobLifecycle } from './job-lifecycle.ts';
import { type JobList, JobStoreBridge } from './job-store-bridge.ts';
import { JobStream } from './job-stream.ts';
import { type LaunchPlan, planLaunch } from './launch-plan.ts';
import { completeLogger } from './logger.ts';
import { ManagerContext } from './manager-context.ts';
import { PluginConfigs } from './plugin-configs.ts';
import { PluginOperations } from './plugin-operations.ts';
import { resolvePythonAdapter } from './python-launch.ts';
import { resolveAdapterModule } from './resolve-adapter.ts';
import { checkJson, checkSubmitOptions, type SubmitOptions } from './submit-checks.ts';
import { unknownPlugin } from './unknown-plugin.ts';
import { workerEnvironment } from './worker-env.ts';
import { nextStep, setConcurrency, workerLifecycle } from './worker-lifecycle.ts';
import { WorkerMessages } from './worker-messages.ts';
import { type SlotHooks, WorkerSlot } from './worker-slot.ts';
import { readWorkerStates } from './worker-states.ts';

export type { SubmitOptions } from './submit-checks.ts';

const EMPTY_OPTIONS: SubmitOptions = Object.freeze({});
const NO_PARAMS: JobParams = Object.freeze({});
const NO_METADATA: JsonObject = Object.freeze({});

/**
 * Runs plugin jobs in a pool of worker processes: a bounded FIFO queue, plugin affinity,
 * several jobs at once per worker for plugins that allow it, pipelining, streaming with
 * backpressure, cancellation that really stops the work, restarts with backoff and a crash-loop
 * cap, events and statistics.
 *
 * This class is the public face; the work is done by its parts: dispatch.ts (which job goes to
 * which worker), job-lifecycle.ts (a job's life), worker-messages.ts (what workers say),
 * worker-lifecycle.ts (what their starts and exits mean), catalog-state.ts (the plugins).
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
export class JobManager extends EventEmitter<JobManagerEvents> implements JobRunner {
  readonly #options: ResolvedOptions;
  readonly #launch: LaunchPlan;
  readonly #context: ManagerContext;
  readonly #catalog: CatalogState;
  readonly #configs: PluginConfigs;
  readonly #operations: PluginOperations;
  readonly #lifecycle: JobLifecycle;
  readonly #dispatcher: Dispatcher;
  readonly #bridge: JobStoreBridge;
  readonly #hooks: SlotHooks;
  readonly #ackThreshold: number;
  #starting: Promise<unknown> | undefined;
  #shutdown: Promise<void> | undefined;
  /** Job ids: random per manager, then a counter (cheaper than a UUID per job, as unique). */
  // With its dash: one concatenation per id, not two (each a string object a queued job keeps).
  readonly #idPrefix = `${randomBytes(6).toString('hex')}-`;
  #idCounter = 0;

  /** Validates the options (throws InvalidOptionsError naming the option); starts nothing. */
  constructor(options: JobManagerOptions) {
    super();
    const resolved = resolveOptions(options);
    // A Python worker imports Python modules: its adapter spec is read the Python way.
    if (resolved.runtime === 'python') {
      resolved.adapter = resolvePythonAdapter(resolved.adapter, process.cwd());
    }
    this.#options = resolved;
    const adapterModule =
      resolved.runtime === 'python'
        ? (resolved.adapter.module as string)
        : resolveAdapterModule(resolved.adapter.module, process.cwd());
    this.#launch = planLaunch(resolved, adapterModule, process.cwd());
    const context = new ManagerContext(resolved, completeLogger(resolved.logger), this);
    this.#context = context;
    this.#ackThreshold = Math.max(1, Math.floor(resolved.stream.windowChars / 4));
    this.#bridge = new JobStoreBridge(context, {
      makeStream: this.#makeStream,
      fail: (record, failure) => this.#lifecycle.finish(record, 'failed', failure),
      pump: () => this.#dispatcher.schedule(),
    });
    context.queue = this.#bridge.queue;
    this.#catalog = new CatalogState(context, this.#launch.readPaths);
    this.#configs = new PluginConfigs(resolved);
    this.#operations = new PluginOperations(context, this.#catalog, this.#configs);
    this.#lifecycle = new JobLifecycle(context, {
      configFor: (plugin) => this.#configs.configFor(plugin),
      pump: () => this.#dispatcher.pump(),
      updateLoaded: (slot, answer, loaded) => this.#operations.updateLoaded(slot, answer, loaded),
      nextStep: (decision) => nextStep(decision, resolved),
      retry: (record, failure) => this.#bridge.queue.retry(record, failure),
      ended: () => this.#bridge.ended(),
    });
    this.#dispatcher = new Dispatcher(context, (record, slot, how) =>
      this.#lifecycle.dispatch(record, slot, how),
    );
    const messages = new WorkerMessages(context, this.#lifecycle, {
      setCatalog: (slot, catalog) => {
        this.#catalog.set(catalog);
        setConcurrency(slot, catalog.plugins, resolved);
      },
      recycleFor: (reporter, plugins) => this.#operations.recycleFor(reporter, plugins),
    });
    this.#hooks = workerLifecycle({
      context,
      adapterModule,
      catalog: this.#catalog,
      configs: this.#configs,
      lifecycle: this.#lifecycle,
      messages,
      pump: () => this.#dispatcher.schedule(),
    });
  }

  /** Plugins the adapter offers and the diagnostics of those it could not; empty before start(). */
  get catalog(): Catalog {
    return this.#catalog.current;
  }

  /**
   * Starts `poolSize` workers and resolves with the catalog once every one is ready. Rejects
   * with WorkerStartError (and leaves no process behind) if any worker fails to start.
   */
  async start(): Promise<Catalog> {
    const context = this.#context;
    if (context.state !== 'new') throw ManagerStateError.alreadyStarted();
    context.state = 'starting';
    const { timeouts, restart, worker } = this.#options;
    // The store first: a file that cannot be used fails start() before any worker exists.
    try {
      await this.#bridge.open();
    } catch (error) {
      context.state = 'stopped';
      throw error;
    }
    // pluginConfigs' plugins load during init, before the catalog could be judged: with a
    // suspicious link anywhere under the sandbox, they load on first use instead.
    this.#configs.deferInitLoads = await this.#catalog.anyEscapingLink();
    const env = workerEnvironment(this.#options);
    for (let index = 1; index <= this.#options.poolSize; index++) {
      context.slots.push(
        new WorkerSlot(
          `worker-${index}`,
          {
            launch: this.#launch,
            env,
            cwd: worker.cwd,
            startMs: timeouts.startMs,
            niceIncrement: worker.niceIncrement,
            shutdownMs: timeouts.shutdownMs,
            restart,
          },
          this.#hooks,
        ),
      );
    }
    const starting = Promise.allSettled(context.slots.map((slot) => slot.start()));
    this.#starting = starting;
    const results = await starting;
    await this.#catalog.settled;
    const failed = results.find((result) => result.status === 'rejected');
    const startFailure = this.#catalog.startFailure;
    if (failed !== undefined || context.state !== 'starting' || startFailure !== undefined) {
      context.state = 'stopped';
      await Promise.all(context.slots.map((slot) => slot.stop()));
      await this.#bridge.close();
      throw failed !== undefined
        ? failed.reason
        : (startFailure ?? ManagerStateError.shutDown('start'));
    }
    context.state = 'running';
    this.#dispatcher.schedule();
    return this.#catalog.current;
  }

  /**
   * Queues a job and returns its handle at once. Throws (nothing is queued) when the manager
   * is not running (ManagerStateError), the plugin is unknown (UnknownPluginError), the params
   * or options cannot be sent (InvalidJobError, PayloadTooLargeError), or the queue is full
   * (QueueFullError).
   */
  submit(
    plugin: string,
    params: JobParams = NO_PARAMS,
    options: SubmitOptions = EMPTY_OPTIONS,
  ): JobHandle {
    const context = this.#context;
    if (context.state !== 'running') {
      throw context.state === 'new' || context.state === 'starting'
        ? ManagerStateError.notStarted('submit a job')
        : ManagerStateError.shutDown('submit a job');
    }
    if (context.noWorkers !== undefined) {
      throw ManagerStateError.noWorkers('submit a job', context.noWorkers);
    }
    if (!this.#catalog.has(plugin)) throw unknownPlugin(this.#catalog.current, plugin);
    if (options !== EMPTY_OPTIONS) checkSubmitOptions(plugin, options);
    if (context.queue.size >= context.queue.maxSize) {
      throw new QueueFullError(plugin, context.queue.maxSize);
    }
    let id: string;
    if (options.id === undefined) {
      id = this.#idPrefix + ++this.#idCounter;
    } else {
      id = options.id;
      const held = context.jobs.get(id);
      if (held !== undefined) return new JobHandle(held, this.#cancel);
    }
    const safeParams = params === NO_PARAMS ? params : checkJson(plugin, params, 'params');
    const paramsBytes = jsonBytesOver(safeParams, this.#options.limits.paramsBytes);
    if (paramsBytes !== undefined) {
      throw new PayloadTooLargeError(plugin, paramsBytes, this.#options.limits.paramsBytes);
    }
    const metadata =
      options.metadata === undefined
        ? NO_METADATA
        : checkJson(plugin, options.metadata, 'metadata');
    const stream = options.stream === true;
    if (safeParams !== NO_PARAMS) {
      // Only checked here (a reserved key throws); the message is built when the job is sent.
      try {
        createExecuteRequest({ jobId: id, pluginName: plugin, params: safeParams });
      } catch (error) {
        throw new InvalidJobError(plugin, describe(error), { cause: error });
      }
    }
    const submittedAt = Date.now();
    const queue = resolveQueueOptions(options, submittedAt);
    let record = new JobRecord(
      {
        id,
        plugin,
        params: safeParams,
        stream,
        metadata,
        timeoutMs: options.timeoutMs ?? this.#options.timeouts.jobMs,
        stallMs: options.stallMs ?? this.#options.timeouts.stallMs,
        priority: queue.priority,
        submittedAt,
        runAt: queue.runAt,
        maxAttempts: queue.maxAttempts,
        backoff: queue.backoff,
        retryOn: queue.retryOn,
      },
      stream ? this.#makeStream : undefined,
    );
    // The store may hold a job with this id from an earlier run: then that job is the answer.
    const kept = this.#bridge.insert(record, options.id === undefined);
    if (kept !== record) return new JobHandle(kept, this.#cancel);
    record = kept;
    context.queue.push(record);
    context.jobs.set(id, record);
    context.emitJob('job:queued', record);
    // Dispatch now rather than a microtask later: a no-op job's round trip is mostly this path.
    this.#dispatcher.pump();
    return new JobHandle(record, this.#cancel);
  }

  /** Cancels a job by id; see JobHandle.cancel(). False for an unknown or finished job. */
  cancel(jobId: string): Promise<boolean> {
    const record = this.#context.jobs.get(jobId);
    return record === undefined ? Promise.resolve(false) : this.#cancel(record);
  }

  readonly #cancel = (record: JobRecord): Promise<boolean> => {
    if (record.terminal) return Promise.resolve(false);
    this.#lifecycle.stop(record, 'cancel');
    return record.done.then((job) => job.status === 'cancelled');
  };

  /** A snapshot of one job, from memory or the store; undefined when unknown or pruned. */
  getJob(jobId: string): Job | undefined {
    return this.#bridge.getJob(jobId);
  }

  /**
   * Jobs from the store, oldest first (`order: 'newest'` for history), filtered by `status`,
   * `plugin` and submission time (`since`, `until`), up to `limit` (default and most 1000). The
   * array carries `nextCursor`: pass it as `cursor` with the same filter for the next page.
   */
  listJobs(filter: ListJobsFilter = {}): JobList {
    return this.#bridge.listJobs(filter);
  }

  /** Forgets every finished (completed, failed, cancelled) job; returns how many. */
  clearCompleted(): number {
    let cleared = 0;
    for (const [id, record] of this.#context.jobs) {
      if (record.terminal) {
        this.#context.jobs.delete(id);
        cleared++;
      }
    }
    this.#lifecycle.forgotten(cleared);
    return Math.max(cleared, this.#bridge.clearFinished());
  }

  /**
   * Reloads a plugin, code and config: every worker process that has run it is replaced by a
   * fresh one once its current jobs end (never during one), so the next job runs the plugin's
   * files as they are now, the modules it imports included; those that had it loaded load it
   * again with the config. Workers that do not have it loaded use the config when they next
   * load it, and so do restarted workers. Without `config`, the plugin's current config is
   * looked up again (pluginConfigs, an earlier reload, or the registry). Rejects with
   * PluginOperationError listing each worker that failed; the previous config then stays in
   * force for later loads.
   */
  reloadPlugin(plugin: string, config?: PluginConfig): Promise<void> {
    this.#assertRunning('reload a plugin');
    return this.#operations.reload(plugin, config);
  }

  /**
   * Unloads a plugin on every worker that has it loaded (between jobs), freeing what its setup
   * took. A later job for it loads it again. Rejects with PluginOperationError on failures.
   */
  unloadPlugin(plugin: string): Promise<void> {
    this.#assertRunning('unload a plugin');
    return this.#operations.unload(plugin);
  }

  /**
   * Every worker's state: the manager's view plus what the worker itself reports (loaded
   * plugins, current job, memory), asked with get_state. A worker that does not answer within
   * `timeoutMs` (default timeouts.requestMs) — a plugin blocking its event loop — is reported
   * with `unanswered` instead; this never rejects.
   */
  getWorkerStates(options: { timeoutMs?: number } = {}): Promise<WorkerState[]> {
    return readWorkerStates(
      this.#context.slots,
      options.timeoutMs ?? this.#options.timeouts.requestMs,
    );
  }

  /**
   * Replaces one worker's process with a fresh one, whatever the restart policy says: a stuck,
   * bloated or failed worker comes back clean. Jobs it runs (or was sent ahead) are cancelled
   * first, exactly as cancel() does. Resolves with the worker's new state once it is ready;
   * rejects with UnknownWorkerError for an id the pool does not have, or the WorkerStartError of
   * a worker that cannot start.
   */
  async restartWorker(workerId: string): Promise<WorkerState> {
    this.#assertRunning('restart a worker');
    const slot = this.#context.slots.find((each) => each.id === workerId);
    if (slot === undefined) {
      throw new UnknownWorkerError(
        workerId,
        this.#context.slots.map((each) => each.id),
      );
    }
    await Promise.all([...slot.jobs.values()].map((record) => this.#cancel(record)));
    await slot.restartNow();
    this.#context.noWorkers = undefined;
    const states = await this.getWorkerStates();
    return states.find((state) => state.workerId === workerId)!;
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
    // Jobs sent ahead to a worker and not started yet are still queued, as their status says.
    let queued = this.#context.queue.size;
    for (const slot of this.#context.slots) {
      workers[slot.state]++;
      for (const job of slot.jobs.values()) {
        if (job.status === 'running') running++;
        else if (job.status === 'pending') queued++;
      }
    }
    const context = this.#context;
    return { queued, running, workers, plugins: context.stats.snapshot() };
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
    const context = this.#context;
    if (context.state === 'new') {
      context.state = 'stopped';
      return;
    }
    if (context.state === 'starting') {
      context.state = 'stopping';
      await this.#starting;
    }
    if (context.state === 'stopped') {
      // start() failed or was overtaken by this shutdown: wait until its workers are gone too.
      await Promise.all(context.slots.map((slot) => slot.stop()));
      return;
    }
    context.state = 'stopping';
    if (drain) {
      await Promise.all([...context.jobs.values()].map((record) => record.done));
    }
    for (const record of context.queue.drain()) {
      this.#lifecycle.endStopped(record, 'shutdown', { kind: 'queued' });
    }
    for (const slot of context.slots) {
      for (const record of slot.jobs.values()) {
        if (record.terminal || record.stopping !== undefined) continue;
        if (!record.started) {
          // Sent ahead and not started: it never will be (here; a durable store keeps it queued).
          this.#bridge.keepQueued(record);
          this.#lifecycle.endStopped(record, 'shutdown', { kind: 'queued' });
        } else {
          record.stopping = { reason: 'shutdown', graceTimer: undefined };
        }
      }
    }
    await Promise.all(context.slots.map((slot) => slot.stop()));
    for (const record of context.jobs.values()) {
      if (!record.terminal) this.#lifecycle.endStopped(record, 'shutdown', { kind: 'cooperative' });
    }
    await this.#bridge.close();
    context.state = 'stopped';
  }

  // ---- helpers ----------------------------------------------------------------------------

  readonly #makeStream = (job: JobRecord): JobStream =>
    new JobStream(job.id, (characters) => this.#ack(job, characters), this.#ackThreshold);

  #assertRunning(action: string): void {
    const state = this.#context.state;
    if (state === 'new' || state === 'starting') throw ManagerStateError.notStarted(action);
    if (state !== 'running') throw ManagerStateError.shutDown(action);
  }

  #ack(record: JobRecord, characters: number): void {
    const slot = record.slot;
    if (slot === undefined || slot.jobs.get(record.id) !== record || record.terminal) return;
    try {
      slot.handle?.send({ type: 'stream_ack', job_id: record.id, consumed: characters });
    } catch (error) {
      this.#context.logger.warn(
        `A stream credit for job ${record.id} could not be sent to worker ${slot.id}: ${describe(error)}; replacing the worker`,
      );
      slot.kill('protocol-error');
    }
  }
}
