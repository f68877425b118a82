import type {
  ReadyResponse,
  WorkerLifecycleState,
  WorkerResponseMessage,
} from '@plugwork/protocol';
import {
  describeExit,
  WorkerErrorCode,
  WorkerFailurePhrases,
  type WorkerProtocolError,
  WorkerRequestError,
  WorkerStartError,
  WorkerUnavailableError,
} from '../errors.ts';
import { RenewingMap } from '../renewing-map.ts';
import type { JobRecord } from './job.ts';
import type { LaunchPlan } from './launch-plan.ts';
import type { ForwardedLine } from './output-forwarder.ts';
import { OutputLabel } from './output-label.ts';
import { type RestartDecision, RestartPolicy, type RestartSettings } from './restart-policy.ts';
import { StartRule, WatchedMap } from './start-rule.ts';
import { type ExitInfo, WorkerHandle } from './worker-handle.ts';
import { lowerWorkerPriority } from './worker-priority.ts';

/** Why the manager killed a worker on purpose (these never count as crashes). */
export type KillReason =
  | 'cancel'
  | 'timeout'
  | 'stall'
  | 'request-timeout'
  | 'protocol-error'
  /** Replaced by a fresh process so that changed plugin code runs (watch mode, reloadPlugin). */
  | 'recycle';

export interface SlotSettings {
  launch: LaunchPlan;
  env: Record<string, string | undefined> | undefined;
  cwd: string | undefined;
  startMs: number;
  shutdownMs: number;
  restart: RestartSettings;
  /** worker.niceIncrement: how much lower than the host's the worker's CPU priority is. */
  niceIncrement: number;
}

/** What the slot tells its manager. Every hook is called synchronously. */
export interface SlotHooks {
  initMessage(): { type: 'init' } & Record<string, unknown>;
  onReady(slot: WorkerSlot, ready: ReadyResponse, restarted: boolean): void;
  onMessage(slot: WorkerSlot, message: WorkerResponseMessage): void;
  onProtocolError(slot: WorkerSlot, error: WorkerProtocolError, raw: unknown): void;
  /** A message without the channel token (plugin code, not the worker loop): dropped. */
  onForged(slot: WorkerSlot, raw: unknown, count: number): void;
  onOutput(slot: WorkerSlot, line: ForwardedLine, pid: number): void;
  /** The process is gone. `decision` is undefined when the manager is shutting down. */
  onExit(
    slot: WorkerSlot,
    exit: ExitInfo,
    decision: RestartDecision | undefined,
    killReason: KillReason | undefined,
  ): void;
  /** A restart attempt failed to produce a ready worker. */
  onRestartFailed(slot: WorkerSlot, error: Error): void;
  /** The worker will not be restarted any more. */
  onFailed(slot: WorkerSlot, reason: string): void;
  onStateChange(slot: WorkerSlot, state: WorkerLifecycleState, pid: number | undefined): void;
  /** The slot can take a job. */
  onIdle(slot: WorkerSlot): void;
}

interface QueuedOperation {
  run: (handle: WorkerHandle) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * One place in the pool: a worker process and its successors. Spawns, restarts under the
 * restart policy (with timers: nothing blocks), and runs control operations (reload, unload)
 * between jobs, never during one.
 */
export class WorkerSlot {
  readonly id: string;
  state: WorkerLifecycleState = 'starting';
  handle: WorkerHandle | undefined;
  #loaded = new Set<string>();
  /**
   * Plugins the current process has loaded at any time, unloaded ones included: its module
   * cache still holds their code, so a change to their files needs a new process.
   */
  readonly everLoaded = new Set<string>();
  /** A recycle was asked for and waits for the current job or operation to end. */
  #recycleWanted = false;
  /** The current restart replaces a process on purpose: it is not counted in `restarts`. */
  #recycling = false;
  #recycleWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  /** The current replacement was asked for by restartNow(): it counts in `restarts`. */
  #restartAsked = false;
  /**
   * The jobs handed to the worker and not yet answered, in the order they were sent: running,
   * prefetched, or (ended for their users already) waiting for the worker's answer.
   */
  readonly jobs = new RenewingMap<string, JobRecord>();
  /** Each loaded plugin's jobs at once in this process, as the worker reported it. */
  readonly concurrency = new WatchedMap<string, number>(() => {
    this.#rule = undefined;
  });
  /** The start rule over the jobs held (start-rule.ts); undefined until asked, or when stale. */
  #rule: StartRule | undefined;
  /** A job is loading its plugin here: nothing else is sent until it is loaded. */
  loading = false;
  /** Takes no new job: it is about to be killed (a job ignored its cancel). */
  draining: { jobId: string; reason: KillReason; timer: NodeJS.Timeout | undefined } | undefined;
  /** What the worker's output lines are labelled with (output-label.ts). */
  readonly output = new OutputLabel(this.jobs);
  restarts = 0;
  /** Why the slot failed, once it has. */
  failure: string | undefined;
  readonly #settings: SlotSettings;
  readonly #hooks: SlotHooks;
  readonly #policy: RestartPolicy;
  #killReason: KillReason | undefined;
  #restartTimer: NodeJS.Timeout | undefined;
  readonly #operations: QueuedOperation[] = [];
  #operationRunning = false;
  #stopping = false;

  constructor(id: string, settings: SlotSettings, hooks: SlotHooks) {
    this.id = id;
    this.#settings = settings;
    this.#hooks = hooks;
    this.#policy = new RestartPolicy(settings.restart);
  }

  get pid(): number | undefined {
    return this.handle?.pid;
  }

  /** Plugins loaded in the current process, as the worker last reported. */
  get loaded(): Set<string> {
    return this.#loaded;
  }

  set loaded(plugins: Set<string>) {
    this.#loaded = plugins;
    for (const plugin of plugins) this.everLoaded.add(plugin);
  }

  /** Can be sent jobs now: up, not about to be replaced, no control operation due. */
  get accepting(): boolean {
    return (
      (this.state === 'idle' || this.state === 'busy') &&
      !this.loading &&
      this.draining === undefined &&
      !this.#recycleWanted &&
      !this.#operationRunning &&
      this.#operations.length === 0 &&
      this.handle?.alive === true
    );
  }

  /** Can take a job that first loads its plugin: accepting, and nothing in flight. */
  get available(): boolean {
    return this.accepting && this.jobs.size === 0;
  }

  /** Will run jobs now or after a restart; false once failed or stopped. */
  get usable(): boolean {
    return this.state !== 'failed' && this.state !== 'exited' && !this.#stopping;
  }

  /** Crashes counted toward the crash-loop cap right now. */
  get recentCrashes(): number {
    return this.#policy.crashesInWindow(Date.now());
  }

  /** First start. Rejects with WorkerStartError; the slot is then down (no restart). */
  async start(): Promise<ReadyResponse> {
    try {
      const ready = await this.#launch();
      this.#hooks.onReady(this, ready, false);
      this.#drainOperations();
      return ready;
    } catch (error) {
      this.#setState('exited');
      throw error;
    }
  }

  /** Which of the jobs held the worker has started, by its start rule (see dispatch.ts). */
  get startRule(): StartRule {
    this.#rule ??= StartRule.of(this);
    return this.#rule;
  }

  assign(job: JobRecord): void {
    this.jobs.set(job.id, job);
    this.#rule?.admit(this, job);
    if (this.state === 'idle') this.#setState('busy');
  }

  /** The worker is done with this job (or it never needed the worker): take what comes next. */
  release(job: JobRecord): void {
    if (this.jobs.get(job.id) === job) {
      this.jobs.delete(job.id);
      if (this.#rule !== undefined && !this.#rule.remove(this, job)) this.#rule = undefined;
    }
    if (this.jobs.size > 0) return;
    if (this.state === 'busy') this.#setState('idle');
    this.#drainOperations();
  }

  /** Forgets every job (the process is gone); returns them in the order they were sent. */
  takeJobs(): JobRecord[] {
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    this.#rule = undefined;
    this.loading = false;
    return jobs;
  }

  /**
   * Replace the worker process with a fresh one once its current job or operation has ended
   * (never during one): the stop is graceful (plugins dispose), the new process starts at once
   * and does not count as a crash. Resolves when the new process is ready; rejects with
   * WorkerUnavailableError if the slot fails or stops first.
   */
  recycle(): Promise<void> {
    if (!this.usable) {
      return Promise.reject(new WorkerUnavailableError(this.id, this.failure ?? 'it has stopped'));
    }
    return new Promise<void>((resolve, reject) => {
      this.#recycleWaiters.push({ resolve, reject });
      this.#recycleWanted = true;
      this.#drainOperations();
    });
  }

  /**
   * Replace the process now, whatever the restart policy says, and count it in `restarts`: a
   * running process is recycled (a graceful stop once its jobs end — the manager cancels them
   * first), a failed or exited slot comes back, a pending restart happens at once. Resolves when
   * the fresh worker is ready; rejects with WorkerUnavailableError when the slot is stopping.
   */
  restartNow(): Promise<void> {
    if (this.#stopping) {
      return Promise.reject(new WorkerUnavailableError(this.id, 'the JobManager is shutting down'));
    }
    this.#restartAsked = true;
    const down = this.state === 'failed' || this.state === 'exited';
    if (!down && this.#restartTimer === undefined) {
      const ready = new Promise<void>((resolve, reject) => {
        this.#recycleWaiters.push({ resolve, reject });
      });
      this.#recycleWanted = true;
      this.#drainOperations();
      return ready;
    }
    const ready = new Promise<void>((resolve, reject) => {
      this.#recycleWaiters.push({ resolve, reject });
    });
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    this.failure = undefined;
    void this.#restart();
    return ready;
  }

  /** Kill the worker on purpose; the restart policy decides about a replacement. */
  kill(reason: KillReason): void {
    if (this.handle === undefined || !this.handle.alive) return;
    this.#killReason = reason;
    this.handle.kill('SIGKILL');
  }

  /**
   * Runs `operation` with the worker once it is between jobs (after a restart, if one is
   * under way). Rejects with WorkerUnavailableError if the slot fails or stops first.
   */
  runOperation<T>(operation: (handle: WorkerHandle) => Promise<T>): Promise<T> {
    if (!this.usable) {
      return Promise.reject(new WorkerUnavailableError(this.id, this.failure ?? 'it has stopped'));
    }
    return new Promise<T>((resolve, reject) => {
      this.#operations.push({
        run: operation,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.#drainOperations();
    });
  }

  /** Graceful stop: `stop` to the worker, SIGKILL after shutdownMs. No restart afterwards. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    this.#rejectOperations('the JobManager is shutting down');
    this.#settleRecycle(new WorkerUnavailableError(this.id, 'the JobManager is shutting down'));
    const handle = this.handle;
    if (handle?.alive) {
      if (this.state !== 'starting') this.#setState('stopping');
      await handle.stop(this.#settings.shutdownMs);
    } else if (this.state !== 'failed') {
      this.#setState('exited');
    }
  }

  async #launch(): Promise<ReadyResponse> {
    this.#setState('starting');
    let handle: WorkerHandle | undefined;
    this.output.reset();
    handle = await WorkerHandle.spawn({
      workerId: this.id,
      launch: this.#settings.launch,
      env: this.#settings.env,
      cwd: this.#settings.cwd,
      graceMs: this.#settings.shutdownMs,
      onMessage: (message) => this.#hooks.onMessage(this, message),
      onProtocolError: (error, raw) => this.#hooks.onProtocolError(this, error, raw),
      onForged: (raw, count) => this.#hooks.onForged(this, raw, count),
      onOutput: (line, pid) => this.#hooks.onOutput(this, line, pid),
      onExit: (exit) => this.#onExit(handle!, exit),
    });
    this.handle = handle;
    lowerWorkerPriority(handle.pid, this.#settings.niceIncrement);
    this.#hooks.onStateChange(this, 'starting', handle.pid);
    this.everLoaded.clear();
    try {
      const ready = await handle.request<ReadyResponse>(
        { ...this.#hooks.initMessage(), token: handle.token },
        this.#settings.startMs,
      );
      this.loaded = new Set(ready.loaded_plugins ?? []);
      // Threads the runtime started since the spawn, for runtimes that start them early.
      lowerWorkerPriority(handle.pid, this.#settings.niceIncrement);
      this.#setState('idle');
      return ready;
    } catch (error) {
      handle.kill('SIGKILL');
      const exit = await handle.exited;
      if (this.handle === handle) this.handle = undefined;
      throw this.#startError(error, handle.pid, exit);
    }
  }

  #startError(error: unknown, pid: number, exit: ExitInfo): Error {
    if (!(error instanceof WorkerRequestError)) return error as Error;
    if (error.code === WorkerErrorCode.REQUEST_TIMEOUT) {
      return WorkerStartError.timeout(this.id, pid, this.#settings.startMs);
    }
    if (error.code === WorkerErrorCode.REQUEST_FAILED) {
      return WorkerStartError.initFailed(this.id, pid, error.reason ?? error.message);
    }
    return WorkerStartError.exited(this.id, pid, describeExit(exit));
  }

  #onExit(handle: WorkerHandle, exit: ExitInfo): void {
    // During a launch the init request fails with the exit, and the launch reports it.
    if (handle !== this.handle || this.state === 'starting') return;
    this.handle = undefined;
    this.concurrency.clear();
    const killReason = this.#killReason;
    this.#killReason = undefined;
    if (this.#stopping) {
      this.#hooks.onExit(this, exit, undefined, killReason);
      this.#setState('exited');
      return;
    }
    const now = Date.now();
    // A recycle is no crash and no kill: its replacement starts at once, whatever the policy.
    const decision: RestartDecision =
      killReason === 'recycle'
        ? { restart: true, delayMs: 0, crashesInWindow: this.#policy.crashesInWindow(now) }
        : killReason !== undefined
          ? this.#policy.afterKill(now)
          : this.#policy.afterCrash(now);
    this.#setState(decision.restart ? 'restarting' : 'failed', exit.pid);
    this.#hooks.onExit(this, exit, decision, killReason);
    this.#follow(decision, `${describeExit(exit)}`);
  }

  /** Carries out a restart decision: a timer for the restart, or failure. */
  #follow(decision: RestartDecision, lastExit: string): void {
    if (decision.restart) {
      this.#setState('restarting');
      this.#restartTimer = setTimeout(() => void this.#restart(), decision.delayMs);
      return;
    }
    const reason =
      decision.reason === 'crash-loop'
        ? WorkerFailurePhrases.crashLoop(
            this.id,
            decision.crashesInWindow,
            this.#settings.restart.crashWindowMs,
            lastExit,
          )
        : WorkerFailurePhrases.policy(this.id, this.#settings.restart.policy, lastExit);
    this.failure = reason;
    this.#setState('failed');
    this.#rejectOperations(reason);
    this.#settleRecycle(new WorkerUnavailableError(this.id, reason));
    this.#hooks.onFailed(this, reason);
  }

  async #restart(): Promise<void> {
    this.#restartTimer = undefined;
    if (this.#stopping) return;
    try {
      const ready = await this.#launch();
      if (!this.#recycling || this.#restartAsked) this.restarts++;
      this.#recycling = false;
      this.#restartAsked = false;
      // Any fresh process is what a recycle waits for, whether it followed a recycle or a crash.
      this.#recycleWanted = false;
      this.#settleRecycle(undefined);
      this.#hooks.onReady(this, ready, true);
      this.#drainOperations();
    } catch (error) {
      if (this.#stopping) {
        this.#setState('exited');
        return;
      }
      this.#hooks.onRestartFailed(this, error as Error);
      // A worker that cannot even start again counts as crashing again.
      this.#follow(this.#policy.afterCrash(Date.now()), (error as Error).message);
    }
  }

  #drainOperations(): void {
    if (
      this.#operationRunning ||
      this.jobs.size > 0 ||
      this.state !== 'idle' ||
      this.handle === undefined ||
      !this.handle.alive
    ) {
      return;
    }
    if (this.#recycleWanted) {
      const handle = this.handle;
      // A question the old process was asked (get_state) is answered before it goes.
      if (handle.pendingRequests > 0) {
        void handle.whenAnswered().then(() => this.#drainOperations());
        return;
      }
      this.#recycling = true;
      this.#killReason = 'recycle';
      this.#setState('restarting');
      void this.handle.stop(this.#settings.shutdownMs);
      return;
    }
    const next = this.#operations.shift();
    if (next === undefined) {
      this.#hooks.onIdle(this);
      return;
    }
    this.#operationRunning = true;
    next
      .run(this.handle)
      .then(next.resolve, next.reject)
      .finally(() => {
        this.#operationRunning = false;
        this.#drainOperations();
      });
  }

  #settleRecycle(error: Error | undefined): void {
    for (const waiter of this.#recycleWaiters.splice(0)) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  #rejectOperations(why: string): void {
    for (const operation of this.#operations.splice(0)) {
      operation.reject(new WorkerUnavailableError(this.id, why));
    }
  }

  #setState(state: WorkerLifecycleState, pid: number | undefined = this.handle?.pid): void {
    if (this.state === state) return;
    this.state = state;
    this.#hooks.onStateChange(this, state, pid);
  }
}
