import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { JsonObject, PluginConfig, PluginDescriptor } from '@plugwork/protocol';
import type {
  Job,
  JobHandleLike,
  JobStatus,
  ListJobsFilter,
  Logger,
  WorkerState,
} from '@plugwork/worker';
import type { DemoSettings } from '../config/settings.ts';
import { DemoError } from '../errors.ts';
import { API_HINTS, type Hints, inUsersTerms } from './hints.ts';
import { type HistoryQuery, historyPage } from './job-history.ts';
import { JobLogs } from './job-logs.ts';
import { JobOutputs } from './job-outputs.ts';
import { withoutOfferedElsewhere } from './python-source.ts';
import { nodesOf, RemoteSource } from './remote-source.ts';
import type { SourceRunner } from './source-runner.ts';
import { createRunner, sourcesOf } from './sources.ts';
import type {
  CatalogView,
  DiagnosticView,
  JobLog,
  JobLogLine,
  JobOutput,
  JobView,
  PluginView,
  PoolView,
  SourceName,
} from './views.ts';

/** What a DemoHost tells its listeners (the server's event streams, the CLI). */
export interface DemoHostEvents {
  /** The plugins or diagnostics changed (a folder dropped in, edited or removed). */
  catalog: [catalog: CatalogView];
  /** A job was queued, started, ended, or reported progress (at most every 100 ms). */
  job: [job: JobView];
  /** A streaming job produced text; `offset` is the number of characters before it. */
  chunk: [event: { jobId: string; chunk: string; offset: number }];
  /** A job's plugin printed a line (console.log, console.error). */
  log: [event: { jobId: string; line: JobLogLine }];
  /** Something about the workers changed: ask pools() for the new picture. */
  workers: [];
}

export interface DemoHostOptions {
  settings: DemoSettings;
  /** Where worker output and warnings go. Default: stderr. */
  logger?: Logger;
  /** Characters of streamed output kept per job for late listeners. Default 1 000 000. */
  maxOutputChars?: number;
  /** Finished jobs each source keeps. Default 200. */
  retainJobs?: number;
  /** Advice in failed jobs, in the words of this host's users. Default: the page's and API's. */
  hints?: Hints;
}

export interface SubmitOptions {
  stream?: boolean;
  timeoutMs?: number;
  /** The job this one re-runs (kept in its metadata as `rerunOf`). */
  rerunOf?: string;
}

export interface PluginOperation {
  plugin: PluginView;
  /** The workers the operation ran on (those that had the plugin loaded). */
  workers: string[];
}

interface Source {
  name: SourceName;
  manager: SourceRunner;
}

const PROGRESS_INTERVAL_MS = 100;

/**
 * The demo's host: one job runner per source (the plugins folders, npm packages, or both side by
 * side; a local JobManager each, see SourceRunner), seen as one catalog, one job list and one
 * event stream. The server and the CLI are both thin layers over this class.
 */
export class DemoHost extends EventEmitter<DemoHostEvents> {
  readonly settings: DemoSettings;
  readonly #sources: Source[];
  readonly #jobSources = new Map<string, Source>();
  readonly #outputs: JobOutputs;
  readonly #logs = new JobLogs(500, 500);
  readonly #hints: Hints;
  readonly #logger: Logger;
  readonly #retainJobs: number;
  /** Configs by `source:name`, as given in the settings or by a reload. */
  readonly #configs = new Map<string, JsonObject>();
  readonly #progressTimers = new Map<string, { last: number; timer: NodeJS.Timeout | undefined }>();
  #shutdown: Promise<void> | undefined;
  /** The catalog last announced, as JSON. */
  #lastCatalog: string | undefined;

  private constructor(options: DemoHostOptions) {
    super();
    this.settings = options.settings;
    this.#outputs = new JobOutputs(options.maxOutputChars ?? 1_000_000, 500);
    this.#retainJobs = options.retainJobs ?? 200;
    this.#hints = options.hints ?? API_HINTS;
    this.#logger = options.logger ?? {};
    // What plugins print still goes to the log (stderr by default), and is kept with its job.
    const logger: Logger = {
      output: (line, source) => {
        if (source.jobId !== undefined) {
          const kept = { stream: source.stream, text: source.text };
          if (this.#logs.append(source.jobId, kept)) {
            this.emit('log', { jobId: source.jobId, line: kept });
          }
        }
        if (this.#logger.output !== undefined) this.#logger.output(line, source);
        else process.stderr.write(`${line}\n`);
      },
      warn: (message) => {
        if (this.#logger.warn !== undefined) this.#logger.warn(message);
        else process.stderr.write(`[plugwork] ${message}\n`);
      },
    };
    this.#sources = sourcesOf(options.settings).map((name) => ({
      name,
      manager: createRunner(name, options.settings, {
        retainJobs: this.#retainJobs,
        registry: {
          loadPluginConfig: (plugin) => this.#configFor(name, plugin),
          getPlugin: (plugin) => this.#descriptors(name).find((each) => each.name === plugin),
          getPluginsByCategory: (category) =>
            this.#descriptors(name).filter((each) => each.category === category),
        },
        logger,
      }),
    }));
    for (const source of this.#sources) this.#listen(source);
    for (const source of this.#sources) this.#listenToNodes(source);
  }

  /**
   * Starts every source's workers and resolves once all are ready. If one cannot start, the
   * others are stopped again and the error says which source failed.
   */
  static async start(options: DemoHostOptions): Promise<DemoHost> {
    const host = new DemoHost(options);
    if (options.settings.store !== undefined) {
      mkdirSync(options.settings.store.directory, { recursive: true });
    }
    const results = await Promise.allSettled(host.#sources.map((source) => source.manager.start()));
    const failed = results.findIndex((result) => result.status === 'rejected');
    if (failed !== -1) {
      await host.shutdown();
      const reason = (results[failed] as PromiseRejectedResult).reason;
      throw DemoError.startFailed(host.#sources[failed]!.name, reason);
    }
    host.#lastCatalog = JSON.stringify(host.catalog());
    return host;
  }

  get sources(): SourceName[] {
    return this.#sources.map((source) => source.name);
  }

  /** Every plugin and diagnostic of every source. */
  catalog(): CatalogView {
    const counts = new Map<string, number>();
    for (const source of this.#sources) {
      for (const plugin of source.manager.catalog.plugins) {
        counts.set(plugin.name, (counts.get(plugin.name) ?? 0) + 1);
      }
    }
    const plugins: PluginView[] = [];
    const diagnostics: DiagnosticView[] = [];
    for (const source of this.#sources) {
      for (const descriptor of source.manager.catalog.plugins) {
        const id =
          (counts.get(descriptor.name) ?? 0) > 1
            ? `${source.name}:${descriptor.name}`
            : descriptor.name;
        plugins.push(this.#view(source, descriptor, id));
      }
      for (const diagnostic of source.manager.catalog.diagnostics) {
        diagnostics.push({ ...diagnostic, source: source.name });
      }
    }
    const offered = this.#sources.map((source) => ({
      source: source.name,
      plugins: source.manager.catalog.plugins,
    }));
    return {
      sources: this.sources,
      plugins,
      diagnostics: withoutOfferedElsewhere(diagnostics, offered),
    };
  }

  /** One plugin, by name or `source:name`. Throws DemoError (unknown, ambiguous). */
  plugin(reference: string): PluginView {
    const { source, descriptor } = this.#resolve(reference);
    const id = this.catalog().plugins.find(
      (plugin) => plugin.source === source.name && plugin.name === descriptor.name,
    )!.id;
    return this.#view(source, descriptor, id);
  }

  /**
   * Queues a job. Throws DemoError for an unknown or ambiguous plugin, and the worker package's
   * errors (InvalidJobError, QueueFullError, ManagerStateError) when the job cannot be queued.
   */
  submit(
    reference: string,
    params: JsonObject,
    options: SubmitOptions = {},
  ): { job: JobView; handle: JobHandleLike } {
    const { source, descriptor } = this.#resolve(reference);
    const handle = source.manager.submit(descriptor.name, params, {
      ...(options.stream === true ? { stream: true } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      // The snapshot does not carry the time limit: a re-run reads it from here.
      metadata: submitMetadata(options),
    });
    this.#jobSources.set(handle.id, source);
    this.#forgetOldJobs();
    return { job: this.#jobView(source, handle.snapshot()), handle };
  }

  /** One job. Throws DemoError UNKNOWN_JOB. */
  job(jobId: string): JobView {
    // A job of an earlier run lives in its source's store only.
    const source =
      this.#jobSources.get(jobId) ??
      this.#sources.find((each) => each.manager.getJob(jobId) !== undefined);
    const job = source?.manager.getJob(jobId);
    if (source === undefined || job === undefined) throw DemoError.unknownJob(jobId);
    return this.#jobView(source, job);
  }

  /** Jobs of every source, newest first: the first page of jobPage (up to 1000). */
  jobs(filter: Omit<HistoryQuery, 'limit' | 'cursor'> & { limit?: number } = {}): JobView[] {
    return this.jobPage({ ...filter, limit: filter.limit ?? 1_000 }).jobs;
  }

  /**
   * A page of the jobs of every source, newest first, filtered by status, plugin (`name` or
   * `source:name`) and submission time, from each source's store. Pass `nextCursor` back as
   * `cursor` (with the same filter) for the next page: see job-history.ts for why paging across
   * sources neither skips nor repeats a job. Throws DemoError INVALID_QUERY for a bad cursor.
   */
  jobPage(query: HistoryQuery): { jobs: JobView[]; nextCursor: string | undefined } {
    const sources = this.#sources.map((source) => ({
      name: source.name,
      listJobs: (filter: ListJobsFilter) => source.manager.listJobs(filter),
    }));
    const page = historyPage(sources, query);
    return {
      jobs: page.jobs.map(({ source, job }) =>
        this.#jobView(this.#sources.find((each) => each.name === source)!, job),
      ),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * Submits a finished job again: the same plugin of the same source, the same params, stream
   * and time limit, as a new job (the old one stays as it is). Throws DemoError UNKNOWN_JOB,
   * JOB_NOT_FINISHED, and what submit throws (the plugin is gone, the queue is full).
   */
  rerun(jobId: string): { job: JobView; handle: JobHandleLike } {
    const original = this.job(jobId);
    if (!isTerminalStatus(original.status)) {
      throw DemoError.jobNotFinished(jobId, original.status);
    }
    const timeoutMs = original.metadata.timeoutMs;
    return this.submit(`${original.source}:${original.plugin}`, original.params as JsonObject, {
      stream: original.stream,
      ...(typeof timeoutMs === 'number' ? { timeoutMs } : {}),
      rerunOf: original.id,
    });
  }

  /** The text a job streamed so far (as much as is kept). Throws DemoError UNKNOWN_JOB. */
  output(jobId: string): JobOutput {
    this.job(jobId);
    return this.#outputs.get(jobId);
  }

  /** What a job's plugin printed (as much as is kept). Throws DemoError UNKNOWN_JOB. */
  logs(jobId: string): JobLog {
    this.job(jobId);
    return this.#logs.get(jobId);
  }

  /**
   * Cancels a job and resolves once it has ended: `cancelled` is false when it had already ended
   * (or finished before the cancellation reached it). Throws DemoError UNKNOWN_JOB.
   */
  async cancel(jobId: string): Promise<{ job: JobView; cancelled: boolean }> {
    const source = this.#jobSources.get(jobId);
    if (source === undefined || source.manager.getJob(jobId) === undefined) {
      throw DemoError.unknownJob(jobId);
    }
    const cancelled = await source.manager.cancel(jobId);
    return { job: this.job(jobId), cancelled };
  }

  /**
   * Reloads a plugin on the workers that have it loaded, with `config` when given (it then also
   * applies to every later load). Rejects with the worker's PluginOperationError when a worker
   * refuses (an invalid config: its message lists every failing field).
   */
  async reload(reference: string, config?: PluginConfig): Promise<PluginOperation> {
    const { source, descriptor } = this.#resolve(reference);
    await source.manager.reloadPlugin(descriptor.name, config);
    if (config !== undefined) {
      this.#configs.set(`${source.name}:${descriptor.name}`, config as JsonObject);
    }
    const workers = await this.#workersWith(source, descriptor.name);
    this.emit('workers');
    return { plugin: this.plugin(reference), workers };
  }

  /** Unloads a plugin from every worker that has it loaded; a later job loads it again. */
  async unload(reference: string): Promise<PluginOperation> {
    const { source, descriptor } = this.#resolve(reference);
    const workers = await this.#workersWith(source, descriptor.name);
    await source.manager.unloadPlugin(descriptor.name);
    this.emit('workers');
    return { plugin: this.plugin(reference), workers };
  }

  /**
   * Replaces one worker process of a source with a fresh one (a job it runs is cancelled first);
   * resolves with its new state. Throws DemoError UNKNOWN_WORKER for a source this host does not
   * run, and the worker package's UnknownWorkerError for a worker id its pool does not have.
   */
  async restartWorker(sourceName: string, workerId: string): Promise<WorkerState> {
    const source = this.#sources.find((each) => each.name === sourceName);
    if (source === undefined) throw DemoError.unknownWorker(sourceName, workerId, this.sources);
    const state = await source.manager.restartWorker(workerId);
    this.emit('workers');
    return state;
  }

  /** Each source's workers (pid, state, loaded plugins, restarts, memory) and queue. */
  async pools(): Promise<PoolView[]> {
    return Promise.all(
      this.#sources.map(async (source) => {
        const workers = await source.manager.getWorkerStates({ timeoutMs: 1_000 });
        const stats = source.manager.stats();
        return {
          source: source.name,
          queued: stats.queued,
          running: stats.running,
          workers,
          ...nodesOf(source.manager),
        };
      }),
    );
  }

  /** Stops every worker of every source (running jobs are cancelled). Safe to call twice. */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      await Promise.all(this.#sources.map((source) => source.manager.shutdown()));
      for (const entry of this.#progressTimers.values()) clearTimeout(entry.timer);
      this.#progressTimers.clear();
    })();
    return this.#shutdown;
  }

  // ---- internals --------------------------------------------------------------------------

  /** `--redis` mode: a node that comes, goes or changes is news for the workers panel. */
  #listenToNodes(source: Source): void {
    if (source.manager instanceof RemoteSource) {
      source.manager.onNodesChanged(() => this.emit('workers'));
    }
  }

  #listen(source: Source): void {
    const { manager } = source;
    const onJob = (job: Job) => {
      const timer = this.#progressTimers.get(job.id);
      if (timer !== undefined && isTerminalStatus(job.status)) {
        clearTimeout(timer.timer);
        this.#progressTimers.delete(job.id);
      }
      this.emit('job', this.#jobView(source, job));
    };
    const onJobMoved = (job: Job) => {
      onJob(job);
      this.emit('workers');
    };
    manager.on('job:queued', onJobMoved);
    manager.on('job:started', onJobMoved);
    manager.on('job:completed', onJobMoved);
    manager.on('job:failed', onJobMoved);
    manager.on('job:cancelled', onJobMoved);
    manager.on('job:progress', (event) => this.#onProgress(source, event.jobId));
    manager.on('job:chunk', (event) => {
      const offset = this.#outputs.append(event.jobId, event.chunk);
      this.emit('chunk', { jobId: event.jobId, chunk: event.chunk, offset });
    });
    for (const event of [
      'worker:started',
      'worker:exited',
      'worker:restarted',
      'worker:failed',
    ] as const) {
      manager.on(event, () => this.emit('workers'));
    }
    // Two sources may watch the same folders (fs and python): a change only one of them sees
    // as a change of its own may leave what the host shows as it was; that is no news.
    manager.on('catalog:changed', () => {
      const catalog = this.catalog();
      const shown = JSON.stringify(catalog);
      if (shown === this.#lastCatalog) return;
      this.#lastCatalog = shown;
      this.emit('catalog', catalog);
    });
  }

  /** Progress events, at most one per job every PROGRESS_INTERVAL_MS, the last one always. */
  #onProgress(source: Source, jobId: string): void {
    const now = Date.now();
    let entry = this.#progressTimers.get(jobId);
    if (entry === undefined) {
      entry = { last: 0, timer: undefined };
      this.#progressTimers.set(jobId, entry);
    }
    if (entry.timer !== undefined) return;
    const send = () => {
      entry.last = Date.now();
      entry.timer = undefined;
      const job = source.manager.getJob(jobId);
      if (job !== undefined && job.status === 'running')
        this.emit('job', this.#jobView(source, job));
    };
    const wait = entry.last + PROGRESS_INTERVAL_MS - now;
    if (wait <= 0) send();
    else entry.timer = setTimeout(send, wait);
  }

  #resolve(reference: string): { source: Source; descriptor: PluginDescriptor } {
    const colon = reference.indexOf(':');
    if (colon !== -1) {
      const named = this.#sources.find((source) => source.name === reference.slice(0, colon));
      const name = reference.slice(colon + 1);
      const descriptor = named?.manager.catalog.plugins.find((plugin) => plugin.name === name);
      if (named !== undefined && descriptor !== undefined) return { source: named, descriptor };
    }
    const found = this.#sources.flatMap((source) => {
      const descriptor = source.manager.catalog.plugins.find((plugin) => plugin.name === reference);
      return descriptor === undefined ? [] : [{ source, descriptor }];
    });
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw DemoError.ambiguousPlugin(
        reference,
        found.map((each) => each.source.name),
      );
    }
    const problem = this.catalog().diagnostics.find(
      (diagnostic) =>
        diagnostic.plugin_name === reference ||
        `${diagnostic.source}:${diagnostic.plugin_name}` === reference,
    );
    if (problem !== undefined) throw DemoError.unavailablePlugin(reference, problem);
    throw DemoError.unknownPlugin(
      reference,
      this.catalog().plugins.map((plugin) => plugin.id),
    );
  }

  #view(source: Source, descriptor: PluginDescriptor, id: string): PluginView {
    return {
      ...descriptor,
      id,
      source: source.name,
      config: this.#configFor(source.name, descriptor.name),
    };
  }

  #jobView(source: Source, job: Job): JobView {
    const now = Date.now();
    return {
      ...job,
      error: job.error === undefined ? undefined : inUsersTerms(job.error, this.#hints),
      source: source.name,
      waitMs: job.startedAt === undefined ? undefined : job.startedAt - job.submittedAt,
      runMs: job.startedAt === undefined ? undefined : (job.endedAt ?? now) - job.startedAt,
      output: this.#outputs.summary(job.id),
    };
  }

  #configFor(source: SourceName, plugin: string): JsonObject {
    return (
      this.#configs.get(`${source}:${plugin}`) ??
      this.settings.pluginConfigs[`${source}:${plugin}`] ??
      this.settings.pluginConfigs[plugin] ??
      {}
    );
  }

  #descriptors(name: SourceName): readonly PluginDescriptor[] {
    return this.#sources.find((source) => source.name === name)?.manager.catalog.plugins ?? [];
  }

  async #workersWith(source: Source, plugin: string): Promise<string[]> {
    const states = await source.manager.getWorkerStates({ timeoutMs: 1_000 });
    return states
      .filter((state) => state.loadedPlugins.includes(plugin))
      .map((state) => state.workerId);
  }

  /** Drops the job → source entries of jobs the managers have forgotten. */
  #forgetOldJobs(): void {
    const limit = (this.#retainJobs + 100) * this.#sources.length;
    if (this.#jobSources.size <= limit) return;
    for (const [jobId, source] of this.#jobSources) {
      if (source.manager.getJob(jobId) === undefined) this.#jobSources.delete(jobId);
    }
  }
}

function isTerminalStatus(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

function submitMetadata(options: SubmitOptions): JsonObject {
  return {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.rerunOf === undefined ? {} : { rerunOf: options.rerunOf }),
  };
}
