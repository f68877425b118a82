import {
  type CatalogChange,
  type InitRequest,
  type PluginDiagnostic,
  type PluginManagerAdapter,
  type ReloadRequest,
  safeParseWireRequest,
  type UnloadRequest,
} from '@plugwork/protocol/wire';
import { ChildMessages, describe, ResultErrorCode, WorkerMessageErrorCode } from '../errors.ts';
import { Outbox } from '../transport/outbox.ts';
import type { Transport } from '../transport/transport.ts';
import { describePluginError, JobExecutor } from './job-executor.ts';
import { loadAdapter } from './load-adapter.ts';
import { LoadedPlugins } from './loaded-plugins.ts';

export interface WorkerLoopOptions {
  transport: Transport;
  pid: number;
  /** Ends the process. */
  exit: (code: number) => void;
  /** How long a stop may take when the host has gone (or sent SIGTERM) before exiting anyway. */
  graceMs: number;
  /** Runs right before plugin code first runs (the host watchdog starts there). */
  beforePluginCode?: () => void;
  /** Where the worker's own notes go (forwarded to the host's log, labelled). */
  log?: (text: string) => void;
  /** What `ready` reports as the runtime. Default 'node'. */
  runtime?: string;
}

/**
 * The long-lived worker: serves one adapter over a transport, one job at a time.
 *
 * Requests that touch plugins (init, execute, reload, unload) run one after another; cancel,
 * stream_ack and get_state are answered at once, even while a job runs. Nothing polls: every
 * action is a reaction to a message, a signal or the channel closing.
 */
export class WorkerLoop {
  readonly #transport: Transport;
  readonly #outbox: Outbox;
  readonly #options: WorkerLoopOptions;
  #state: 'new' | 'initialising' | 'ready' | 'stopping' = 'new';
  #adapter: PluginManagerAdapter | undefined;
  /** The catalog, the configs and which plugins are loaded (see loaded-plugins.ts). */
  readonly #plugins: LoadedPlugins;
  #diagnostics: PluginDiagnostic[] = [];
  #streamWindow: number | undefined;
  /** Runs the jobs, several at once where plugins allow it (see job-executor.ts). */
  readonly #executor: JobExecutor;
  #tail: Promise<void> = Promise.resolve();
  /** Exclusive tasks queued or running. */
  #exclusiveCount = 0;
  #unwatch: (() => void) | undefined;
  #rediscovering: Promise<void> | undefined;
  #rediscoverAgain = false;
  #pluginCodeStarted = false;
  /** The channel's secret from init: on every message sent, so the host knows it is ours. */
  #token: string | undefined;
  #resultBytes: number | undefined;
  #chunkBytes: number | undefined;
  /** Loaded plugins whose files changed, reported with the next plugins_changed. */
  readonly #changedPlugins = new Set<string>();

  constructor(options: WorkerLoopOptions) {
    this.#options = options;
    this.#transport = options.transport;
    this.#outbox = new Outbox(options.transport, 'immediate');
    this.#plugins = new LoadedPlugins({
      adapter: () => this.#adapter,
      pluginCode: () => this.#pluginCode(),
      log: (text) => this.#log(text),
    });
    this.#executor = new JobExecutor({
      adapter: () => this.#adapter,
      state: () =>
        this.#state === 'ready' ? 'ready' : this.#state === 'stopping' ? 'stopping' : 'other',
      mostRecent: () => this.#plugins.mostRecent,
      isLoaded: (plugin) => this.#plugins.has(plugin),
      ensureLoaded: (plugin) => this.#plugins.ensureLoaded(plugin),
      concurrencyOf: (plugin) => this.#plugins.concurrencyOf(plugin),
      exclusiveBusy: () => this.#exclusiveCount > 0,
      pluginCode: () => this.#pluginCode(),
      send: (message, onSent) => this.#send(message, onSent),
      post: (message, onFailed) => this.#post(message, onFailed),
      flush: () => this.#outbox.flush(),
      sendOrLog: (message) => this.#sendOrLog(message),
      streamWindow: () => this.#streamWindow,
      resultBytes: () => this.#resultBytes,
      chunkBytes: () => this.#chunkBytes,
    });
    this.#transport.onMessage((raw) => this.#receive(raw));
  }

  #receive(raw: unknown): void {
    // Taken before init is even validated, so that the answer to a bad init carries it too.
    if (this.#token === undefined && (raw as { type?: unknown } | null)?.type === 'init') {
      const token = (raw as { token?: unknown }).token;
      if (typeof token === 'string' && token !== '') this.#token = token;
    }
    const parsed = safeParseWireRequest(raw);
    if (!parsed.ok) {
      this.#sendOrLog({
        type: 'error',
        error: parsed.error.message,
        code: WorkerMessageErrorCode.INVALID_REQUEST,
        ...correlation(raw),
      });
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'execute':
        this.#executor.enqueue(message);
        return;
      case 'cancel':
        this.#executor.cancel(message.job_id, message.withdraw === true);
        return;
      case 'stream_ack':
        this.#executor.ack(message.job_id, message.consumed);
        return;
      case 'get_state':
        this.#sendState(message.request_id);
        return;
      case 'init':
        this.#exclusive(() => this.#init(message));
        return;
      case 'reload':
        this.#exclusive(() => this.#reload(message));
        return;
      case 'unload':
        this.#exclusive(() => this.#unload(message));
        return;
      case 'stop':
        void this.stop(message.request_id);
        return;
    }
  }

  /**
   * Runs `task` after every earlier plugin-touching request has finished; at once when none is
   * pending. A task that finishes synchronously (returns undefined) leaves no promise behind.
   */
  #exclusive(task: () => Promise<void> | undefined): void {
    if (this.#exclusiveCount === 0) {
      const running = this.#guard(task);
      if (running !== undefined) {
        this.#exclusiveCount++;
        this.#tail = running.then(this.#exclusiveDone, this.#exclusiveFailed);
      }
      return;
    }
    this.#exclusiveCount++;
    this.#tail = this.#tail
      .then(() => this.#guard(task))
      .then(this.#exclusiveDone, this.#exclusiveFailed);
  }

  // Tasks answer their own errors; these only keep the chain alive and the count right.
  #guard(task: () => Promise<void> | undefined): Promise<void> | undefined {
    try {
      return task();
    } catch (error) {
      this.#log(describe(error));
      return undefined;
    }
  }

  readonly #exclusiveDone = (): void => {
    this.#exclusiveCount--;
    // Jobs that arrived during init, a reload or an unload start now.
    if (this.#exclusiveCount === 0) this.#executor.pump();
  };

  readonly #exclusiveFailed = (error: unknown): void => {
    this.#exclusiveDone();
    this.#log(describe(error));
  };

  /** Throws ChannelSendError when the channel is open but refuses the message. */
  #send(message: { type: string } & Record<string, unknown>, onSent?: () => void): boolean {
    if (this.#token !== undefined) message.token = this.#token;
    return this.#outbox.sendNow(message, onSent);
  }

  /** Sends with the other messages of this turn, in one write (outbox.ts): job results. */
  #post(message: { type: string } & Record<string, unknown>, onFailed: (error: unknown) => void) {
    if (this.#token !== undefined) message.token = this.#token;
    this.#outbox.post(message, onFailed);
  }

  /** For messages whose failure to go has nobody to tell (answers, notes): log it. */
  #sendOrLog(message: { type: string } & Record<string, unknown>, onSent?: () => void): boolean {
    try {
      return this.#send(message, onSent);
    } catch (error) {
      this.#log(`a "${message.type}" message could not be sent: ${describe(error)}`);
      return false;
    }
  }

  #respond(
    requestType: string,
    requestId: string | undefined,
    pluginName: string | undefined,
    error: unknown,
  ): void {
    const message: Record<string, unknown> & { type: string } = {
      type: 'response',
      request_type: requestType,
      status: error === undefined ? 'success' : 'error',
      data: { loaded_plugins: this.#plugins.names, concurrency: this.#plugins.concurrency() },
    };
    if (requestId !== undefined) message.request_id = requestId;
    if (pluginName !== undefined) message.plugin_name = pluginName;
    if (error !== undefined) message.error = describe(error);
    this.#sendOrLog(message);
  }

  #pluginCode(): void {
    if (this.#pluginCodeStarted) return;
    this.#pluginCodeStarted = true;
    this.#options.beforePluginCode?.();
  }

  async #init(message: InitRequest): Promise<void> {
    const requestId = message.request_id;
    if (this.#state !== 'new') {
      this.#sendOrLog({
        type: 'error',
        error: ChildMessages.alreadyInitialised,
        code: WorkerMessageErrorCode.NOT_READY,
        ...(requestId === undefined ? {} : { request_id: requestId }),
      });
      return;
    }
    this.#state = 'initialising';
    const fail = (reason: string) => {
      this.#state = 'new';
      this.#adapter = undefined;
      this.#sendOrLog({
        type: 'error',
        error: reason,
        code: WorkerMessageErrorCode.INIT_FAILED,
        ...(requestId === undefined ? {} : { request_id: requestId }),
      });
    };
    if (message.adapter === undefined) {
      fail('init carries no adapter spec (adapter.module is required)');
      return;
    }
    this.#plugins.maxLoaded = message.max_loaded_plugins ?? 1;
    this.#plugins.maxConcurrency = message.max_concurrency ?? Number.POSITIVE_INFINITY;
    this.#streamWindow = message.stream_window;
    this.#resultBytes = message.limits?.result_bytes;
    this.#chunkBytes = message.limits?.chunk_bytes;
    let adapter: PluginManagerAdapter;
    try {
      adapter = await loadAdapter(message.adapter);
    } catch (error) {
      fail(describe(error));
      return;
    }
    this.#adapter = adapter;
    try {
      this.#plugins.setCatalog(await adapter.discoverPlugins());
    } catch (error) {
      fail(ChildMessages.discoveryFailed(describe(error)));
      return;
    }
    for (const [name, config] of Object.entries(message.plugin_configs ?? {})) {
      this.#plugins.configs.set(name, config);
    }
    const loadFailures: PluginDiagnostic[] = [];
    for (const name of this.#plugins.configs.keys()) {
      if (this.#plugins.count >= this.#plugins.maxLoaded) break;
      const descriptor = this.#plugins.descriptors.get(name);
      if (descriptor === undefined) {
        loadFailures.push({
          location: name,
          plugin_name: name,
          code: ResultErrorCode.UNKNOWN_PLUGIN,
          message: ChildMessages.unknownPluginInConfigs(name),
        });
        continue;
      }
      try {
        await this.#plugins.ensureLoaded(name);
      } catch (error) {
        loadFailures.push({
          location: descriptor.location ?? name,
          plugin_name: name,
          code: 'LOAD_FAILED',
          message: describe(error),
        });
      }
    }
    // An adapter that reports its own load failures (adapter-kit does) already named these
    // plugins; the worker's entry is for adapters that say nothing about them.
    const reported = await this.#adapterDiagnostics();
    const named = new Set(reported.map((diagnostic) => diagnostic.plugin_name));
    this.#diagnostics = [
      ...reported,
      ...loadFailures.filter((failure) => !named.has(failure.plugin_name)),
    ];
    this.#state = 'ready';
    if (typeof adapter.watch === 'function') {
      try {
        this.#unwatch = adapter.watch((change) => this.#catalogChanged(change));
      } catch (error) {
        this.#log(`watching for plugin changes failed: ${describe(error)}`);
      }
    }
    this.#sendOrLog({
      type: 'ready',
      ...(requestId === undefined ? {} : { request_id: requestId }),
      pid: this.#options.pid,
      runtime: this.#options.runtime ?? 'node',
      plugins: [...this.#plugins.descriptors.values()],
      loaded_plugins: this.#plugins.names,
      diagnostics: this.#diagnostics,
    });
  }

  async #adapterDiagnostics(): Promise<PluginDiagnostic[]> {
    try {
      return (await this.#adapter?.getDiagnostics?.()) ?? [];
    } catch (error) {
      this.#log(`getDiagnostics() threw: ${describe(error)}`);
      return [];
    }
  }

  /** Watch mode: rediscover and tell the host; changes during a rediscovery run it once more. */
  #catalogChanged(change?: CatalogChange): void {
    for (const name of change?.changedPlugins ?? []) {
      if (typeof name === 'string') this.#changedPlugins.add(name);
    }
    if (this.#rediscovering !== undefined) {
      this.#rediscoverAgain = true;
      return;
    }
    this.#rediscovering = (async () => {
      do {
        this.#rediscoverAgain = false;
        try {
          const descriptors = await this.#adapter!.discoverPlugins();
          this.#plugins.setCatalog(descriptors);
          const message: Record<string, unknown> & { type: string } = {
            type: 'plugins_changed',
            plugins: descriptors,
            diagnostics: await this.#adapterDiagnostics(),
          };
          if (this.#changedPlugins.size > 0) {
            message.changed_plugins = [...this.#changedPlugins];
            this.#changedPlugins.clear();
          }
          this.#sendOrLog(message);
        } catch (error) {
          this.#log(ChildMessages.discoveryFailed(describe(error)));
        }
      } while (this.#rediscoverAgain && this.#state === 'ready');
      this.#rediscovering = undefined;
    })();
  }

  async #reload(message: ReloadRequest): Promise<void> {
    const name = message.plugin_name;
    if (this.#adapter === undefined || this.#state !== 'ready') {
      this.#respond('reload', message.request_id, name, ChildMessages.notInitialised('reload'));
      return;
    }
    if (message.config === null) {
      await this.#unloadPlugin(name, 'reload', message.request_id);
      return;
    }
    try {
      await this.#plugins.reload(name, message.config);
      this.#respond('reload', message.request_id, name, undefined);
    } catch (error) {
      this.#respond('reload', message.request_id, name, error);
    }
  }

  async #unload(message: UnloadRequest): Promise<void> {
    if (this.#adapter === undefined || this.#state !== 'ready') {
      this.#respond(
        'unload',
        message.request_id,
        message.plugin_name,
        ChildMessages.notInitialised('unload'),
      );
      return;
    }
    await this.#unloadPlugin(message.plugin_name, 'unload', message.request_id);
  }

  async #unloadPlugin(name: string, requestType: string, requestId: string | undefined) {
    try {
      await this.#plugins.unload(name);
      this.#respond(requestType, requestId, name, undefined);
    } catch (error) {
      this.#respond(requestType, requestId, name, error);
    }
  }

  #sendState(requestId: string | undefined): void {
    const memory = process.memoryUsage();
    this.#sendOrLog({
      type: 'state',
      ...(requestId === undefined ? {} : { request_id: requestId }),
      pid: this.#options.pid,
      loaded_plugins: this.#plugins.names,
      current_job_id: this.#executor.runningIds[0] ?? null,
      running_job_ids: this.#executor.runningIds,
      plugins: [...this.#plugins.descriptors.values()],
      diagnostics: this.#diagnostics,
      memory: { rss: memory.rss, heap_used: memory.heapUsed },
    });
  }

  /**
   * Stop: cancel running jobs, dispose every plugin and the adapter, answer, exit 0. The host
   * kills the process if this takes longer than its shutdown timeout.
   */
  async stop(requestId?: string): Promise<void> {
    if (this.#state === 'stopping') return;
    this.#state = 'stopping';
    const jobsEnded = this.#executor.stopAll();
    this.#unwatch?.();
    await this.#tail;
    await jobsEnded;
    const problems: string[] = [];
    if (this.#adapter !== undefined) {
      problems.push(...(await this.#plugins.unloadAll()));
      try {
        await this.#adapter.dispose?.();
      } catch (error) {
        problems.push(`adapter.dispose(): ${describe(error)}`);
      }
    }
    for (const problem of problems) this.#log(problem);
    const exit = () => this.#options.exit(0);
    const sent = this.#sendOrLog(
      {
        type: 'response',
        ...(requestId === undefined ? {} : { request_id: requestId }),
        request_type: 'stop',
        status: problems.length === 0 ? 'success' : 'error',
        ...(problems.length === 0 ? {} : { error: problems.join('; ') }),
      },
      exit,
    );
    if (!sent) exit();
  }

  /** The host went away (channel closed) or asked the process to terminate: stop, bounded. */
  hostGone(): void {
    const timer = setTimeout(() => this.#options.exit(0), this.#options.graceMs);
    timer.unref?.();
    void this.stop().finally(() => this.#options.exit(0));
  }

  /** Something threw outside any job's promise chain: report it, then exit 1. */
  fatal(error: unknown): void {
    const text = describePluginError(error);
    const stack = error instanceof Error && error.stack ? error.stack : text;
    this.#log(`uncaught exception, exiting: ${stack}`);
    const exit = () => this.#options.exit(1);
    const message: Record<string, unknown> & { type: string } = {
      type: 'error',
      error: text,
      code: WorkerMessageErrorCode.UNCAUGHT_EXCEPTION,
    };
    const running = this.#executor.runningIds;
    if (running.length > 0) message.job_id = running[0];
    if (!this.#sendOrLog(message, exit)) exit();
  }

  #log(text: string): void {
    (this.#options.log ?? ((line: string) => process.stderr.write(`plugwork worker: ${line}\n`)))(
      text,
    );
  }
}

/** request_id / job_id of a request that failed to parse, so the host can still match it. */
function correlation(raw: unknown): { request_id?: string; job_id?: string } {
  if (typeof raw !== 'object' || raw === null) return {};
  const result: { request_id?: string; job_id?: string } = {};
  const { request_id: requestId, job_id: jobId } = raw as Record<string, unknown>;
  if (typeof requestId === 'string' && requestId.length > 0) result.request_id = requestId;
  if (typeof jobId === 'string' && jobId.length > 0) result.job_id = jobId;
  return result;
}
