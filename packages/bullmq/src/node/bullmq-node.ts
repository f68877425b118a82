import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonObject } from '@plugwork/protocol';
import { type Catalog, JobManager } from '@plugwork/worker';
import { type Job as BullJob, Worker } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import {
  bullmqConnection,
  describeTarget,
  patientConnection,
  toRedisOptions,
} from '../connection.ts';
import { BullmqStateError, describe, InvalidBullmqOptionsError } from '../errors.ts';
import type { RemoteJobData } from '../job-data.ts';
import { Keys, queueName } from '../keys.ts';
import type { NodeInfo } from '../node-info.ts';
import { CancelListener } from './cancel-listener.ts';
import { CapacityGate } from './capacity-gate.ts';
import {
  type BullmqNodeOptions,
  type ResolvedNodeOptions,
  resolveNodeOptions,
} from './node-options.ts';
import { NodeRegistry } from './node-registry.ts';
import type { ProgressRelay } from './progress-relay.ts';
import {
  type RemoteJobContext,
  type RunningRemoteJob,
  runningKey,
  runRemoteJob,
} from './run-remote-job.ts';

export interface BullmqNodeEvents {
  /** The node began consuming a plugin's queue (at start, or when its catalog gained the plugin). */
  'queue:started': [plugin: string];
  /** The node stopped consuming a plugin's queue (the plugin left its catalog, or shutdown). */
  'queue:stopped': [plugin: string];
}

type NodeState = 'new' | 'starting' | 'running' | 'closing' | 'closed';

/** Largest stall count BullMQ may reach before failing a job itself: plugwork counts instead. */
const UNBOUNDED_STALLS = 1_000_000;
const RUN_RETRY_DELAY_MS = 500;
/** close(): how long each step that needs Redis may wait for it. */
const CLOSE_REDIS_MS = 5_000;

/**
 * One machine's share of a plugwork deployment: a local JobManager (its pool of worker
 * processes) consuming, through BullMQ, the queue of every plugin its catalog offers.
 *
 * @example
 * ```ts
 * const node = new BullmqNode({
 *   connection: 'redis://127.0.0.1:6379',
 *   manager: { adapter: fsAdapter({ directories: ['./plugins'], watch: true }), poolSize: 2 },
 * });
 * await node.start();
 * // … later
 * await node.close();
 * ```
 */
export class BullmqNode extends EventEmitter<BullmqNodeEvents> {
  readonly id = randomBytes(8).toString('hex');
  readonly name: string;
  /** The local pool. Read its stats and workers; jobs reach it through BullMQ. */
  readonly manager: JobManager;
  readonly #options: ResolvedNodeOptions;
  readonly #redisOptions: RedisOptions;
  readonly #keys: Keys;
  readonly #workers = new Map<string, Worker<RemoteJobData, JsonObject>>();
  readonly #running = new Map<string, RunningRemoteJob>();
  readonly #progress = new Map<string, ProgressRelay>();
  readonly #startedAt = Date.now();
  #state: NodeState = 'new';
  #redis: Redis | undefined;
  #subscriber: Redis | undefined;
  #cancels: CancelListener | undefined;
  #registry: NodeRegistry | undefined;
  readonly #gate: CapacityGate;
  #context: RemoteJobContext | undefined;
  #closing: Promise<void> | undefined;
  #lastWarning = '';

  /** Validates the options (InvalidBullmqOptionsError names the option); connects nothing. */
  constructor(options: BullmqNodeOptions) {
    super();
    this.#options = resolveNodeOptions(options);
    try {
      this.#redisOptions = toRedisOptions(this.#options.connection);
    } catch (error) {
      throw new InvalidBullmqOptionsError('BullmqNode', 'connection', describe(error));
    }
    this.#keys = new Keys(this.#options.prefix);
    this.name = this.#options.name ?? `${hostname()}:${process.pid}`;
    this.manager = new JobManager(this.#options.manager);
    this.#gate = new CapacityGate(this.#poolSize(), (error) =>
      this.#warn(`pausing or resuming a queue failed: ${describe(error)}`),
    );
  }

  /** The plugins whose queues this node consumes now. */
  get plugins(): string[] {
    return [...this.#workers.keys()];
  }

  /** What the node publishes about itself. */
  info(): NodeInfo {
    return {
      id: this.id,
      name: this.name,
      host: hostname(),
      pid: process.pid,
      plugins: this.plugins,
      // Only what the node consumes: a plugin whose queue stopped is not offered any more.
      catalog: this.manager.catalog.plugins.filter((plugin) => this.#workers.has(plugin.name)),
      poolSize: this.#poolSize(),
      running: [...this.#running.values()].map(({ id, plugin }) => ({ id, plugin })),
      startedAt: this.#startedAt,
      seenAt: Date.now(),
    };
  }

  /**
   * Starts the local pool, then consumes the queues of its catalog and registers the node.
   * Resolves with the catalog. Rejects (and leaves nothing running) if the pool cannot start.
   */
  async start(): Promise<Catalog> {
    if (this.#state !== 'new') throw BullmqStateError.alreadyStarted('BullmqNode');
    this.#state = 'starting';
    const catalog = await this.manager.start();
    const redis = patientConnection(this.#redisOptions, `plugwork-node:${this.name}`);
    redis.on('error', (error) => this.#warn(`Redis: ${describe(error)}`));
    this.#redis = redis;
    this.#context = {
      manager: this.manager,
      redis,
      keys: this.#keys,
      stream: this.#options.stream,
      gate: this.#gate,
      progress: this.#progress,
      running: this.#running,
      cancelRequested: (plugin, id) => this.#cancels?.requested(plugin, id) === true,
      onError: (error) => this.#warn(describe(error)),
    };
    this.manager.on('job:progress', (event) => {
      this.#progress.get(event.jobId)?.report(event.progress, event.message);
    });
    this.manager.on('catalog:changed', (changed) => this.#syncQueues(changed));
    this.#syncQueues(catalog);
    const subscriber = patientConnection(this.#redisOptions, `plugwork-node-cancel:${this.name}`);
    this.#subscriber = subscriber;
    this.#cancels = new CancelListener(
      subscriber,
      redis,
      this.#keys,
      {
        cancelTracked: (plugin, id) => {
          const job = this.#running.get(runningKey(plugin, id));
          if (job === undefined) return false;
          void job.local.cancel();
          return true;
        },
        running: () =>
          [...this.#running.values()].map((job) => ({
            plugin: job.plugin,
            id: job.id,
            cancel: () => {
              if (this.#running.get(runningKey(job.plugin, job.id)) === job)
                void job.local.cancel();
            },
          })),
      },
      (message) => this.#warn(message),
    );
    await this.#cancels.start();
    this.#registry = new NodeRegistry(
      redis,
      this.#keys,
      this.#options.heartbeatMs,
      () => this.info(),
      (error) => this.#warn(`could not refresh this node's record: ${describe(error)}`),
    );
    await this.#registry.start();
    this.#state = 'running';
    return catalog;
  }

  /**
   * Stops taking jobs, lets running ones finish for `drainMs` (default shutdown.drainMs), hands
   * the rest back to their queues (their plugins are cancelled; another node runs them, attempts
   * unchanged), unregisters and shuts the pool down. Safe to call twice.
   */
  close(options: { drainMs?: number } = {}): Promise<void> {
    this.#closing ??= this.#close(options.drainMs ?? this.#options.shutdown.drainMs);
    return this.#closing;
  }

  async #close(drainMs: number): Promise<void> {
    if (this.#state === 'new') {
      this.#state = 'closed';
      await this.manager.shutdown();
      return;
    }
    this.#state = 'closing';
    this.#gate.closeAll();
    const running = () => [...this.#running.values()];
    if (running().length > 0 && drainMs > 0) {
      await Promise.race([Promise.all(running().map((job) => job.local.done)), sleep(drainMs)]);
    }
    for (const job of running()) {
      job.handBack = true;
      void job.local.cancel();
    }
    // Each step that needs Redis is bounded: a node told to stop while Redis is away must
    // still stop. Jobs it could not hand back are then, to BullMQ, those of a lost node.
    const workers = [...this.#workers.values()];
    const stopped = await within(
      Promise.all([...this.#workers.keys()].map((plugin) => this.#stopQueue(plugin))),
      CLOSE_REDIS_MS,
    );
    if (!stopped) {
      this.#warn(
        `Redis did not answer within ${CLOSE_REDIS_MS} ms while stopping: jobs not handed back will be retried once their locks expire`,
      );
      await within(Promise.all(workers.map((worker) => worker.disconnect())), 1_000);
    }
    // Without Redis the record cannot be removed; it expires by itself within three beats.
    if (this.#redis?.status === 'ready') {
      await within(this.#registry?.stop(this.id) ?? Promise.resolve(), CLOSE_REDIS_MS);
    } else {
      this.#registry?.stopBeating();
    }
    await this.manager.shutdown();
    await Promise.all([quit(this.#subscriber), quit(this.#redis)]);
    this.#state = 'closed';
  }

  #poolSize(): number {
    return this.#options.manager.poolSize ?? 1;
  }

  /** Consume exactly the catalog's plugins. */
  #syncQueues(catalog: Catalog): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const wanted = new Map(
      catalog.plugins.map((plugin) => [plugin.name, this.#concurrencyOf(plugin.concurrency)]),
    );
    let changed = false;
    for (const [plugin, concurrency] of wanted) {
      if (!this.#workers.has(plugin)) {
        this.#startQueue(plugin, concurrency);
        changed = true;
      } else {
        this.#gate.setConcurrency(plugin, concurrency);
      }
    }
    for (const plugin of [...this.#workers.keys()]) {
      if (!wanted.has(plugin)) {
        void this.#stopQueue(plugin);
        changed = true;
      }
    }
    if (changed && this.#registry !== undefined) void this.#registry.publish(true);
  }

  /** Jobs of a plugin one local worker runs at once: its own number, within maxConcurrency. */
  #concurrencyOf(declared: number | undefined): number {
    return Math.max(1, Math.min(declared ?? 1, this.#options.manager.maxConcurrency ?? 1_000));
  }

  #startQueue(plugin: string, concurrency: number): void {
    const context = this.#context!;
    const worker = new Worker<RemoteJobData, JsonObject>(
      queueName(plugin),
      // Two parameters, no AbortSignal: BullMQ then makes no AbortController per job, and a
      // cancel reaches the job through #running (cancelTracked) instead; an EventTarget
      // listener per job was a measurable part of a no-op job's cost.
      (job: BullJob<RemoteJobData>, token: string | undefined) =>
        runRemoteJob(context, plugin, job, token),
      {
        connection: bullmqConnection(this.#redisOptions),
        prefix: this.#keys.prefix,
        name: this.name,
        concurrency: this.#poolSize() * concurrency,
        lockDuration: this.#options.lock.durationMs,
        stalledInterval: this.#options.lock.stalledIntervalMs,
        maxStalledCount: UNBOUNDED_STALLS,
        // Finishing a job while Redis is away is retried this often (BullMQ's default is 15 s).
        runRetryDelay: RUN_RETRY_DELAY_MS,
        autorun: true,
      },
    );
    worker.on('error', (error) => this.#warn(`queue of plugin "${plugin}": ${describe(error)}`));
    this.#workers.set(plugin, worker);
    this.#gate.add(plugin, worker, concurrency);
    this.emit('queue:started', plugin);
  }

  async #stopQueue(plugin: string): Promise<void> {
    const worker = this.#workers.get(plugin);
    if (worker === undefined) return;
    this.#workers.delete(plugin);
    this.#gate.delete(plugin);
    try {
      await worker.close();
    } catch (error) {
      this.#warn(`closing the queue of plugin "${plugin}" failed: ${describe(error)}`);
    }
    this.emit('queue:stopped', plugin);
  }

  /** Warnings repeat while Redis is away: say each once until something else happens. */
  #warn(message: string): void {
    if (message === this.#lastWarning) return;
    this.#lastWarning = message;
    const warn = this.#options.logger?.warn;
    const line = `[plugwork-node ${this.name} → ${describeTarget(this.#redisOptions)}] ${message}`;
    if (warn !== undefined) warn(line);
    else process.stderr.write(`${line}\n`);
  }
}

async function quit(redis: Redis | undefined): Promise<void> {
  if (redis === undefined) return;
  if (redis.status !== 'ready' || !(await within(redis.quit(), CLOSE_REDIS_MS))) {
    redis.disconnect();
  }
}

/** Whether `work` settled within `ms` (a rejection counts as settled). */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
