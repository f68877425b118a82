import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { JsonObject, PluginConfig } from '@plugwork/protocol';
import type { Job, JobHandleLike, ListJobsFilter, Logger, WorkerState } from '@plugwork/worker';
import type { DemoSettings } from '../config/settings.ts';
import { DemoError } from '../errors.ts';
import { API_HINTS, type Hints } from './hints.ts';
import { isTerminalStatus, JobBook } from './job-book.ts';
import { type HistoryQuery, historyPage } from './job-history.ts';
import { ProgressThrottle } from './progress-throttle.ts';
import { nodesOf, RemoteSource } from './remote-source.ts';
import { type Source, SourceCatalog } from './source-catalog.ts';
import { createRunner, sourcesOf } from './sources.ts';
import type {
  CatalogView,
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

const PROGRESS_INTERVAL_MS = 100;

/**
 * The demo's host: one job runner per source (the plugins folders, npm packages, or both side by
 * side; a local JobManager each, see SourceRunner), seen as one catalog, one job list and one
 * event stream. The server and the CLI are both thin layers over this class.
 */
export class DemoHost extends EventEmitter<DemoHostEvents> {
  readonly settings: DemoSettings;
  readonly #sources: Source[];
  readonly #catalog: SourceCatalog;
  readonly #jobs: JobBook;
  readonly #progress = new ProgressThrottle(PROGRESS_INTERVAL_MS);
  readonly #logger: Logger;
  #shutdown: Promise<void> | undefined;

  private constructor(options: DemoHostOptions) {
    super();
    this.settings = options.settings;
    const retainJobs = options.retainJobs ?? 200;
    this.#catalog = new SourceCatalog(options.settings);
    this.#jobs = new JobBook(() => this.#sources, {
      maxOutputChars: options.maxOutputChars ?? 1_000_000,
      retainJobs,
      hints: options.hints ?? API_HINTS,
    });
    this.#logger = options.logger ?? {};
    // What plugins print still goes to the log (stderr by default), and is kept with its job.
    const logger: Logger = {
      output: (line, source) => {
        if (source.jobId !== undefined) {
          const kept = { stream: source.stream, text: source.text };
          if (this.#jobs.appendLog(source.jobId, kept)) {
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
        retainJobs,
        registry: {
          loadPluginConfig: (plugin) => this.#catalog.configFor(name, plugin),
          getPlugin: (plugin) =>
            this.#catalog.descriptors(name).find((each) => each.name === plugin),
          getPluginsByCategory: (category) =>
            this.#catalog.descriptors(name).filter((each) => each.category === category),
        },
        logger,
      }),
    }));
    this.#catalog.sources = this.#sources;
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
    // The catalog as started is what listeners get first (catalog()); only a change is news.
    host.#catalog.changed();
    return host;
  }

  get sources(): SourceName[] {
    return this.#catalog.names;
  }

  /** Every plugin and diagnostic of every source. */
  catalog(): CatalogView {
    return this.#catalog.view();
  }

  /** One plugin, by name or `source:name`. Throws DemoError (unknown, ambiguous). */
  plugin(reference: string): PluginView {
    return this.#catalog.plugin(reference);
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
    const { source, descriptor } = this.#catalog.resolve(reference);
    const handle = source.manager.submit(descriptor.name, params, {
      ...(options.stream === true ? { stream: true } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      // The snapshot does not carry the time limit: a re-run reads it from here.
      metadata: submitMetadata(options),
    });
    this.#jobs.submitted(handle.id, source);
    return { job: this.#jobs.view(source, handle.snapshot()), handle };
  }

  /** One job. Throws DemoError UNKNOWN_JOB. */
  job(jobId: string): JobView {
    const { source, job } = this.#jobs.find(jobId);
    return this.#jobs.view(source, job);
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
      jobs: page.jobs.map(({ source, job }) => this.#jobs.view(this.#catalog.byName(source)!, job)),
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
    this.#jobs.find(jobId);
    return this.#jobs.output(jobId);
  }

  /** What a job's plugin printed (as much as is kept). Throws DemoError UNKNOWN_JOB. */
  logs(jobId: string): JobLog {
    this.#jobs.find(jobId);
    return this.#jobs.logs(jobId);
  }

  /**
   * Cancels a job and resolves once it has ended: `cancelled` is false when it had already ended
   * (or finished before the cancellation reached it). Throws DemoError UNKNOWN_JOB.
   */
  async cancel(jobId: string): Promise<{ job: JobView; cancelled: boolean }> {
    const source = this.#jobs.sourceOf(jobId);
    if (source === undefined) throw DemoError.unknownJob(jobId);
    const cancelled = await source.manager.cancel(jobId);
    return { job: this.job(jobId), cancelled };
  }

  /**
   * Reloads a plugin on the workers that have it loaded, with `config` when given (it then also
   * applies to every later load). Rejects with the worker's PluginOperationError when a worker
   * refuses (an invalid config: its message lists every failing field).
   */
  async reload(reference: string, config?: PluginConfig): Promise<PluginOperation> {
    const { source, descriptor } = this.#catalog.resolve(reference);
    await source.manager.reloadPlugin(descriptor.name, config);
    if (config !== undefined) {
      this.#catalog.setConfig(source.name, descriptor.name, config as JsonObject);
    }
    const workers = await this.#workersWith(source, descriptor.name);
    this.emit('workers');
    return { plugin: this.plugin(reference), workers };
  }

  /** Unloads a plugin from every worker that has it loaded; a later job loads it again. */
  async unload(reference: string): Promise<PluginOperation> {
    const { source, descriptor } = this.#catalog.resolve(reference);
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
    const source = this.#catalog.byName(sourceName);
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
      this.#progress.clear();
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
    const onJobMoved = (job: Job) => {
      if (isTerminalStatus(job.status)) this.#progress.ended(job.id);
      this.emit('job', this.#jobs.view(source, job));
      this.emit('workers');
    };
    manager.on('job:queued', onJobMoved);
    manager.on('job:started', onJobMoved);
    manager.on('job:completed', onJobMoved);
    manager.on('job:failed', onJobMoved);
    manager.on('job:cancelled', onJobMoved);
    manager.on('job:progress', (event) =>
      this.#progress.report(event.jobId, () => {
        const job = manager.getJob(event.jobId);
        if (job !== undefined && job.status === 'running') {
          this.emit('job', this.#jobs.view(source, job));
        }
      }),
    );
    manager.on('job:chunk', (event) => {
      const offset = this.#jobs.appendOutput(event.jobId, event.chunk);
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
    manager.on('catalog:changed', () => {
      const catalog = this.#catalog.changed();
      if (catalog !== undefined) this.emit('catalog', catalog);
    });
  }

  async #workersWith(source: Source, plugin: string): Promise<string[]> {
    const states = await source.manager.getWorkerStates({ timeoutMs: 1_000 });
    return states
      .filter((state) => state.loadedPlugins.includes(plugin))
      .map((state) => state.workerId);
  }
}

function submitMetadata(options: SubmitOptions): JsonObject {
  return {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.rerunOf === undefined ? {} : { rerunOf: options.rerunOf }),
  };
}
