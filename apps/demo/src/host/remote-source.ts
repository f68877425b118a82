import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  BullmqNode,
  BullmqRunner,
  isPlugworkBullmqError,
  type NodeInfo,
  type RemoteJobHandle,
} from '@plugwork/bullmq';
import type { JobParams, JsonObject, PluginDescriptor } from '@plugwork/protocol';
import {
  type Catalog,
  type Job,
  type JobFailure,
  type JobList,
  type JobManagerEvents,
  type JobManagerOptions,
  type JobStatus,
  JobStoreError,
  type ListJobsFilter,
  type Logger,
  WorkerErrorCode,
  type WorkerState,
} from '@plugwork/worker';
import { DemoError } from '../errors.ts';
import { RemoteSubmission } from './remote-submission.ts';
import type { SourceRunner } from './source-runner.ts';

/** A node as the workers panel shows it. */
export interface NodeView extends Omit<NodeInfo, 'catalog'> {
  /** The node this demo process runs itself (see `--no-local-node`). */
  local: boolean;
}

export interface RemoteSourceOptions {
  /** `redis://host:port` of the deployment. */
  url: string;
  prefix: string;
  /** The options of the node to run in this process, or undefined to only submit. */
  localNode: JobManagerOptions | undefined;
  /** Finished jobs kept in the job list. */
  retainJobs: number;
  logger: Logger;
}

/** How often the nodes' records are read: the catalog and the workers panel follow them. */
const NODES_POLL_MS = 1_000;

/**
 * The `--redis` mode's source: jobs go through a BullmqRunner to whichever node offers the
 * plugin; the catalog is the union of what the live nodes offer; "the workers" are the nodes.
 * It keeps what the host asks for synchronously (the jobs it submitted, the catalog, the nodes)
 * from the runner's events and a poll of the node records.
 */
export class RemoteSource extends EventEmitter<JobManagerEvents> implements SourceRunner {
  readonly #options: RemoteSourceOptions;
  readonly #runner: BullmqRunner;
  readonly #node: BullmqNode | undefined;
  /** The jobs this host submitted, oldest first (a Map keeps insertion order). */
  readonly #jobs = new Map<string, Job>();
  /** Each job's submission number, for paging. */
  readonly #seqs = new Map<string, number>();
  readonly #idPrefix = `demo-${randomBytes(4).toString('hex')}`;
  #idCounter = 0;
  #catalog: Catalog = { plugins: [], diagnostics: [] };
  #nodes: NodeView[] = [];
  #nodesText = '';
  #poll: NodeJS.Timeout | undefined;
  #nodesListeners: Array<() => void> = [];
  #closing: Promise<void> | undefined;

  constructor(options: RemoteSourceOptions) {
    super();
    this.#options = options;
    const warn = (message: string) => options.logger.warn?.(message);
    this.#runner = new BullmqRunner({
      connection: options.url,
      prefix: options.prefix,
      logger: { warn },
    });
    this.#node =
      options.localNode === undefined
        ? undefined
        : new BullmqNode({
            connection: options.url,
            prefix: options.prefix,
            manager: options.localNode,
            logger: { warn },
          });
    for (const event of ['job:queued', 'job:started', 'job:completed'] as const) {
      this.#runner.on(event, (job) => this.#update(job, event));
    }
    for (const event of ['job:failed', 'job:cancelled'] as const) {
      this.#runner.on(event, (job) => this.#update(job, event));
    }
    this.#runner.on('job:progress', (event) => {
      const job = this.#jobs.get(event.jobId);
      if (job === undefined || job.status !== 'running') return;
      this.#jobs.set(event.jobId, {
        ...job,
        progress: event.progress,
        progressMessage: event.message,
      });
      this.emit('job:progress', event);
    });
    this.#runner.on('job:chunk', (event) => this.emit('job:chunk', event));
  }

  get catalog(): Catalog {
    return this.#catalog;
  }

  /** The live nodes, as of the last poll (every second). */
  nodes(): NodeView[] {
    return this.#nodes;
  }

  /** Calls `listener` whenever a node came, went, or changed its plugins or running jobs. */
  onNodesChanged(listener: () => void): void {
    this.#nodesListeners.push(listener);
  }

  /** Starts the local node (if any) and reads the nodes once; resolves with the catalog. */
  async start(): Promise<Catalog> {
    // First, through the runner, whose calls give up after redisTimeoutMs: a node's start
    // would wait for an unreachable Redis for ever.
    await this.#readNodes(true);
    if (this.#node !== undefined) {
      const node = this.#node;
      await node.start();
      node.on('queue:started', () => void this.#readNodes());
      node.on('queue:stopped', () => void this.#readNodes());
    }
    await this.#readNodes(true);
    this.#poll = setInterval(() => void this.#readNodes(), NODES_POLL_MS);
    this.#poll.unref();
    return this.#catalog;
  }

  submit(
    plugin: string,
    params: JobParams = {},
    options: { stream?: boolean; timeoutMs?: number; metadata?: JsonObject } = {},
  ): RemoteSubmission {
    const id = `${this.#idPrefix}-${++this.#idCounter}`;
    this.#seqs.set(id, this.#idCounter);
    const now = Date.now();
    this.#jobs.set(id, {
      id,
      plugin,
      params,
      stream: options.stream === true,
      status: 'pending',
      metadata: options.metadata ?? {},
      submittedAt: now,
      startedAt: undefined,
      endedAt: undefined,
      progress: undefined,
      progressMessage: undefined,
      result: undefined,
      error: undefined,
      workerId: undefined,
      workerPid: undefined,
      priority: 0,
      runAt: now,
      maxAttempts: 1,
      attempts: [],
    });
    this.#forgetOldJobs();
    const remote = this.#runner.submit(plugin, params, { ...options, id });
    const submission = new RemoteSubmission(
      id,
      plugin,
      remote,
      () => this.#jobs.get(id) ?? failedSnapshot(id, plugin, now),
      (error) => this.#failedAtSubmit(id, error),
      (final) => this.#finalRecord(final),
    );
    remote.then(
      (handle: RemoteJobHandle) => submission.settleMode(handle),
      () => {},
    );
    return submission;
  }

  getJob(jobId: string): Job | undefined {
    return this.#jobs.get(jobId);
  }

  /**
   * The jobs this host submitted (the runner's events keep them up to date), paged as a store
   * pages: `nextCursor` names the last job of the page by its submission number, which jobs
   * submitted later never move.
   */
  listJobs(filter: ListJobsFilter = {}): JobList {
    const statuses =
      filter.status === undefined
        ? undefined
        : new Set<JobStatus>(typeof filter.status === 'string' ? [filter.status] : filter.status);
    const newest = filter.order !== 'oldest';
    const after = filter.cursor === undefined ? undefined : this.#cursorSeq(filter.cursor);
    let jobs = [...this.#jobs.values()].filter((job) => {
      const seq = this.#seqs.get(job.id) ?? 0;
      return (
        (after === undefined || (newest ? seq < after : seq > after)) &&
        (statuses === undefined || statuses.has(job.status)) &&
        (filter.plugin === undefined || job.plugin === filter.plugin) &&
        (filter.since === undefined || job.submittedAt >= filter.since) &&
        (filter.until === undefined || job.submittedAt < filter.until)
      );
    });
    if (newest) jobs = jobs.reverse();
    const page = jobs.slice(0, filter.limit ?? 50);
    const last = page[page.length - 1];
    const nextCursor =
      page.length < jobs.length && last !== undefined
        ? String(this.#seqs.get(last.id) ?? 0)
        : undefined;
    return Object.assign(page, { nextCursor });
  }

  #cursorSeq(cursor: string): number {
    if (!/^\d+$/.test(cursor)) {
      // The code the history turns into a 400, as a store's refusal.
      throw JobStoreError.badCursor(cursor);
    }
    return Number(cursor);
  }

  async cancel(jobId: string): Promise<boolean> {
    return this.#runner.cancel(jobId, this.#jobs.get(jobId)?.plugin);
  }

  reloadPlugin(): Promise<void> {
    return Promise.reject(DemoError.notInRedisMode('reloading a plugin'));
  }

  unloadPlugin(): Promise<void> {
    return Promise.reject(DemoError.notInRedisMode('unloading a plugin'));
  }

  restartWorker(): Promise<WorkerState> {
    return Promise.reject(DemoError.notInRedisMode('restarting a worker'));
  }

  /** The nodes are the workers here: see nodes(). */
  async getWorkerStates(): Promise<WorkerState[]> {
    return [];
  }

  stats(): { queued: number; running: number } {
    let queued = 0;
    let running = 0;
    for (const job of this.#jobs.values()) {
      if (job.status === 'pending') queued++;
      else if (job.status === 'running') running++;
    }
    return { queued, running };
  }

  /** Closes the runner; the local node hands its running jobs back to their queues. */
  shutdown(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#poll !== undefined) clearInterval(this.#poll);
      await this.#runner.close();
      await this.#node?.close({ drainMs: 0 });
    })();
    return this.#closing;
  }

  // ---- internals --------------------------------------------------------------------------

  #update(job: Job, event: keyof JobManagerEvents & `job:${string}`): void {
    const known = this.#jobs.get(job.id);
    if (known === undefined) return;
    // The runner's snapshot knows nothing of the job's progress between its events.
    this.#jobs.set(job.id, { ...job, progress: job.progress ?? known.progress });
    this.emit(event as 'job:queued', this.#jobs.get(job.id)!);
  }

  /** The node that ran the job (BullMQ's processedBy) and its timings, from the final record. */
  #finalRecord(final: Job): void {
    const known = this.#jobs.get(final.id);
    if (known === undefined) return;
    this.#jobs.set(final.id, {
      ...known,
      workerId: final.workerId,
      startedAt: final.startedAt ?? known.startedAt,
      endedAt: final.endedAt ?? known.endedAt,
    });
  }

  #failedAtSubmit(id: string, error: unknown): JobFailure {
    const failure: JobFailure = {
      code: codeOf(error),
      message: error instanceof Error ? error.message : String(error),
    };
    const known = this.#jobs.get(id);
    if (known !== undefined && known.status === 'pending') {
      const failed: Job = { ...known, status: 'failed', endedAt: Date.now(), error: failure };
      this.#jobs.set(id, failed);
      this.emit('job:failed', failed);
    }
    return failure;
  }

  async #readNodes(initial = false): Promise<void> {
    let infos: NodeInfo[];
    try {
      infos = await this.#runner.listNodes();
    } catch (error) {
      // Redis is away: the runner warns; the last picture stays until it answers again.
      if (initial) throw error;
      return;
    }
    const localId = this.#node?.id;
    const nodes = infos.map(
      ({ catalog: _catalog, ...info }): NodeView => ({ ...info, local: info.id === localId }),
    );
    // seenAt changes at every heartbeat; only a real change is news.
    const text = JSON.stringify(nodes.map(({ seenAt: _seenAt, ...node }) => node));
    if (text !== this.#nodesText) {
      this.#nodesText = text;
      this.#nodes = nodes;
      for (const listener of this.#nodesListeners) listener();
    } else {
      this.#nodes = nodes;
    }
    const plugins = new Map<string, PluginDescriptor>();
    for (const info of infos) {
      for (const descriptor of info.catalog) {
        if (!plugins.has(descriptor.name)) plugins.set(descriptor.name, descriptor);
      }
    }
    const catalog: Catalog = {
      plugins: [...plugins.values()].sort((a, b) => a.name.localeCompare(b.name)),
      diagnostics: [],
    };
    if (JSON.stringify(catalog) !== JSON.stringify(this.#catalog)) {
      this.#catalog = catalog;
      if (!initial) this.emit('catalog:changed', catalog);
    }
  }

  #forgetOldJobs(): void {
    let finished = 0;
    for (const job of this.#jobs.values()) if (isFinished(job.status)) finished++;
    for (const [id, job] of this.#jobs) {
      if (finished <= this.#options.retainJobs) break;
      if (isFinished(job.status)) {
        this.#jobs.delete(id);
        this.#seqs.delete(id);
        finished--;
      }
    }
  }
}

/** What a source adds to its PoolView: its nodes, in `--redis` mode. */
export function nodesOf(runner: SourceRunner): { nodes?: NodeView[] } {
  return runner instanceof RemoteSource ? { nodes: runner.nodes() } : {};
}

function isFinished(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

function codeOf(error: unknown): JobFailure['code'] {
  if (!isPlugworkBullmqError(error)) return WorkerErrorCode.SEND_FAILED;
  switch (error.code) {
    case 'UNKNOWN_PLUGIN':
    case 'INVALID_PARAMS':
    case 'PARAMS_TOO_LARGE':
      return error.code;
    default:
      // Redis away, a runner closing: the job could not be sent.
      return WorkerErrorCode.SEND_FAILED;
  }
}

function failedSnapshot(id: string, plugin: string, at: number): Job {
  return {
    id,
    plugin,
    params: {},
    stream: false,
    status: 'failed',
    metadata: {},
    submittedAt: at,
    startedAt: undefined,
    endedAt: at,
    progress: undefined,
    progressMessage: undefined,
    result: undefined,
    error: { code: WorkerErrorCode.SEND_FAILED, message: `Job ${id} is no longer known here` },
    workerId: undefined,
    workerPid: undefined,
    priority: 0,
    runAt: at,
    maxAttempts: 1,
    attempts: [],
  };
}
