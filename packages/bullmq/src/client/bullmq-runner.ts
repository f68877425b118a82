import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { JobParams, JsonObject } from '@plugwork/protocol';
import {
  type Job,
  type JobFilter,
  type JobRunner,
  type JobRunnerEvents,
  type JobStatus,
  WorkerErrorCode,
} from '@plugwork/worker';
import { type Job as BullJob, type JobState, Queue } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import {
  commandConnection,
  describeTarget,
  patientConnection,
  toRedisOptions,
} from '../connection.ts';
import {
  BullmqStateError,
  describe,
  InvalidBullmqOptionsError,
  InvalidSubmitError,
} from '../errors.ts';
import { decodeFailure, type RemoteJobData, statesOf, toJob } from '../job-data.ts';
import { Keys, queueName } from '../keys.ts';
import type { NodeInfo } from '../node-info.ts';
import {
  type RemoteSubmitOptions,
  remoteSubmitOptionsSchema,
  toJobsOptions,
} from '../submit-options.ts';
import { ChunkReader } from './chunk-reader.ts';
import { buildJobData } from './job-data-check.ts';
import { NodeDirectory } from './node-directory.ts';
import { OpenJobs } from './open-jobs.ts';
import { QueueWatch } from './queue-watch.ts';
import { RedisGate } from './redis-gate.ts';
import type { RemoteJobHandle } from './remote-job-handle.ts';
import {
  type BullmqRunnerOptions,
  type ResolvedRunnerOptions,
  resolveRunnerOptions,
} from './runner-options.ts';

/**
 * Submits plugwork jobs to BullMQ queues that BullmqNodes consume, from any process: a web app,
 * a CLI, another node. The same surface as the local JobManager (it is a JobRunner), plus the
 * job options BullMQ adds (attempts, backoff, priority, delay, retention).
 *
 * @example
 * ```ts
 * const runner = new BullmqRunner({ connection: 'redis://127.0.0.1:6379' });
 * const job = await runner.submit('text-stats', { text: 'hello' });
 * console.log(await job.result);
 * await runner.close();
 * ```
 */
export class BullmqRunner extends EventEmitter<JobRunnerEvents> implements JobRunner {
  readonly #options: ResolvedRunnerOptions;
  readonly #redisOptions: RedisOptions;
  readonly #keys: Keys;
  readonly #redis: Redis;
  readonly #gate: RedisGate;
  readonly #directory: NodeDirectory;
  readonly #watch: QueueWatch;
  readonly #queues = new Map<string, Queue<RemoteJobData, JsonObject>>();
  readonly #open: OpenJobs;
  readonly #idPrefix = randomBytes(6).toString('hex');
  #idCounter = 0;
  #closed = false;
  #lastWarning = '';

  /** Validates the options and starts connecting (reconnecting by itself whenever Redis is away). */
  constructor(options: BullmqRunnerOptions) {
    super();
    this.#options = resolveRunnerOptions(options);
    try {
      this.#redisOptions = toRedisOptions(this.#options.connection);
    } catch (error) {
      throw new InvalidBullmqOptionsError('BullmqRunner', 'connection', describe(error));
    }
    this.#keys = new Keys(this.#options.prefix);
    this.#redis = commandConnection(this.#redisOptions, 'plugwork-runner');
    this.#redis.on('error', (error) => this.#warn(`Redis: ${describe(error)}`));
    let connectedOnce = false;
    this.#redis.on('ready', () => {
      // After an outage: events may have been missed; ask for the state of every open job.
      if (connectedOnce) void this.#recheckOpenJobs();
      connectedOnce = true;
    });
    this.#gate = new RedisGate(
      this.#redis,
      describeTarget(this.#redisOptions),
      this.#options.redisTimeoutMs,
      () => this.#closed,
    );
    this.#open = new OpenJobs({
      emitter: this,
      keys: this.#keys,
      makeReader: () =>
        new ChunkReader(
          patientConnection(this.#redisOptions, 'plugwork-runner-chunks'),
          this.#redis,
          (error) => this.#warn(`reading chunks: ${describe(error)}`),
        ),
      cancel: (handle) => this.#cancelHandle(handle),
      loadFinal: (handle) => this.#loadFinal(handle),
    });
    this.#directory = new NodeDirectory(this.#redis, this.#keys, this.#options.catalogCacheMs);
    this.#watch = new QueueWatch(
      this.#redisOptions,
      this.#redis,
      this.#keys.prefix,
      {
        active: (plugin, id) => this.#open.active(plugin, id),
        progress: (plugin, id, progress) => this.#open.progress(plugin, id, progress),
        completed: (plugin, id, result) => this.#open.completed(plugin, id, result),
        failed: (plugin, id, reason) =>
          this.#open.failed(plugin, id, decodeFailure(id, plugin, reason)),
        removed: (plugin, id) => this.#open.removed(plugin, id),
      },
      (message) => this.#warn(message),
    );
  }

  /**
   * Queues a job on the plugin's BullMQ queue and resolves with its handle. Rejects, with
   * nothing queued, with InvalidSubmitError (params or options that cannot travel),
   * ParamsTooLargeError, NoNodeForPluginError (no live node offers the plugin) or
   * RedisUnavailableError (Redis not reachable within redisTimeoutMs).
   */
  async submit(
    plugin: string,
    params: JobParams = {},
    options: RemoteSubmitOptions = {},
  ): Promise<RemoteJobHandle> {
    if (this.#closed) throw BullmqStateError.closed('BullmqRunner', 'submit a job');
    const merged = { ...this.#options.defaultJobOptions, ...options };
    // No options at all (the common case) has nothing to check: zod's parse was a noticeable
    // part of a no-op job's round trip.
    const checked = hasKeys(merged) ? remoteSubmitOptionsSchema.safeParse(merged) : undefined;
    if (checked !== undefined && !checked.success) {
      const issue = checked.error.issues[0]!;
      const key = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.');
      throw new InvalidSubmitError(plugin, `option "${key}": ${issue.message}`);
    }
    const data = buildJobData(plugin, params, merged, this.#options.maxParamsBytes);
    await this.#gate.ready('submit a job');
    await this.#directory.assertOffered(plugin);
    if (!this.#watch.watching(plugin)) {
      await this.#gate.guard('submit a job', this.#watch.watch(plugin));
    }

    const id = merged.id ?? `${this.#idPrefix}-${++this.#idCounter}`;
    // The same id again while this runner still waits for it: the same job, the same handle.
    const open = this.#open.get(plugin, id);
    if (open !== undefined) return open;
    const handle = this.#open.track(
      plugin,
      Object.freeze({
        id,
        plugin,
        params: data.params,
        stream: data.stream,
        status: 'pending' as const,
        metadata: data.metadata,
        submittedAt: Date.now(),
        startedAt: undefined,
        endedAt: undefined,
        progress: undefined,
        progressMessage: undefined,
        result: undefined,
        error: undefined,
        workerId: undefined,
        workerPid: undefined,
        priority: merged.priority ?? 0,
        runAt: Date.now() + (merged.delay ?? 0),
        maxAttempts: merged.attempts ?? 1,
        attempts: [],
      }),
    );
    try {
      await this.#gate.guard(
        'submit a job',
        this.#queue(plugin).add(plugin, data, toJobsOptions(merged, id)),
      );
    } catch (error) {
      this.#open.untrack(plugin, id);
      throw error;
    }
    this.emit('job:queued', handle.snapshot());
    // An id given by the caller may name a job that exists already (BullMQ then adds nothing):
    // catch up with its state.
    if (merged.id !== undefined) void this.#refresh(handle);
    return handle;
  }

  /** A snapshot of a job from its BullMQ record, whichever process submitted it. */
  async getJob(jobId: string, plugin?: string): Promise<Job | undefined> {
    const found = await this.#find(jobId, plugin);
    return found === undefined ? undefined : toJob(found.job, found.state);
  }

  /**
   * A handle on a job submitted anywhere (another process, before a restart): its result, its
   * outcome, cancel(), and for a streaming job its chunks from the first one, under the same
   * credit as the submitter's (what this handle consumes is deleted from Redis). Undefined
   * when no queue holds the job. A stream has one consumer: if another client consumed some
   * of it first, iterating throws StreamMisuseError rather than yield a partial output.
   */
  async attach(jobId: string, plugin?: string): Promise<RemoteJobHandle | undefined> {
    const found = await this.#find(jobId, plugin);
    if (found === undefined) return undefined;
    const name = found.job.name;
    const known = this.#open.get(name, jobId);
    if (known !== undefined) return known;
    await this.#gate.guard('watch a job', this.#watch.watch(name));
    const handle = this.#open.track(name, toJob(found.job, found.state));
    await this.#refresh(handle);
    return handle;
  }

  /**
   * Jobs in the plugins' queues, newest first within each status: at most `limit` (default
   * 100) per plugin and status.
   */
  async listJobs(filter: JobFilter & { limit?: number } = {}): Promise<Job[]> {
    await this.#gate.ready('list jobs');
    const statuses: JobStatus[] =
      filter.status === undefined
        ? ['pending', 'running', 'completed', 'failed']
        : Array.isArray(filter.status)
          ? filter.status
          : [filter.status];
    const plugins =
      filter.plugin === undefined ? await this.#directory.everOffered() : [filter.plugin];
    const limit = filter.limit ?? 100;
    const states = [...new Set(statuses.flatMap(statesOf))];
    const jobs = await this.#gate.guard(
      'list jobs',
      Promise.all(
        plugins.flatMap((plugin) =>
          states.map(async (state) =>
            (await this.#queue(plugin).getJobs([state], 0, limit - 1)).map((job) =>
              toJob(job, state),
            ),
          ),
        ),
      ),
    );
    const wanted = new Set(statuses);
    return jobs.flat().filter((job) => wanted.has(job.status));
  }

  /** Cancels a job by id; see RemoteJobHandle.cancel(). False for an unknown or finished job. */
  async cancel(jobId: string, plugin?: string): Promise<boolean> {
    const handle = await this.attach(jobId, plugin);
    return handle === undefined ? false : this.#cancelHandle(handle);
  }

  /** The live nodes: name, host, pid, plugins, pool size, running jobs. */
  async listNodes(): Promise<NodeInfo[]> {
    await this.#gate.ready('list nodes');
    return this.#gate.guard('list nodes', this.#directory.list());
  }

  /** Closes every connection; open handles stop receiving news. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#watch.close();
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    await this.#open.close();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  // ---- submitting ---------------------------------------------------------------------------

  #queue(plugin: string): Queue<RemoteJobData, JsonObject> {
    let queue = this.#queues.get(plugin);
    if (queue === undefined) {
      queue = new Queue(queueName(plugin), {
        connection: this.#redis,
        prefix: this.#keys.prefix,
        skipWaitingForReady: true,
      });
      queue.on('error', (error) => this.#warn(`queue of plugin "${plugin}": ${describe(error)}`));
      this.#queues.set(plugin, queue);
    }
    return queue;
  }

  // ---- cancelling -----------------------------------------------------------------------------

  async #cancelHandle(handle: RemoteJobHandle): Promise<boolean> {
    if (handle.settled) return false;
    await this.#gate.ready('cancel a job');
    const { plugin, id } = handle;
    const queue = this.#queue(plugin);
    // The mark stays for a node that takes the job later (a race with the removal, a retry).
    await this.#gate.guard(
      'cancel a job',
      this.#redis.set(this.#keys.cancelled(plugin, id), '1', 'PX', 86_400_000),
    );
    const state = await this.#gate.guard('cancel a job', queue.getJobState(id));
    if (state !== 'active' && state !== 'completed' && state !== 'failed') {
      // The 'removed' event may arrive before remove() answers: it reads this mark.
      this.#open.removing(plugin, id, true);
      try {
        if ((await this.#gate.guard('cancel a job', queue.remove(id))) === 1) {
          this.#open.removed(plugin, id);
          return true;
        }
      } finally {
        this.#open.removing(plugin, id, false);
      }
    }
    if (state !== 'completed' && state !== 'failed') {
      await this.#gate.guard(
        'cancel a job',
        this.#redis.publish(this.#keys.cancel, JSON.stringify({ plugin, id })),
      );
    }
    const job = await handle.done;
    return job.status === 'cancelled';
  }

  /** The final record of a settled job, for its handle's `done`. */
  async #loadFinal(handle: RemoteJobHandle): Promise<Job | undefined> {
    const found = await this.#find(handle.id, handle.plugin);
    return found === undefined ? undefined : toJob(found.job, found.state);
  }

  /** Brings a handle up to date from its record (after an outage, or when attaching). */
  async #refresh(handle: RemoteJobHandle): Promise<void> {
    let found: { job: BullJob; state: JobState | 'unknown' } | undefined;
    try {
      found = await this.#find(handle.id, handle.plugin);
    } catch {
      return; // Redis is away again; the next reconnect asks again.
    }
    if (found === undefined) {
      this.#open.failed(handle.plugin, handle.id, {
        code: WorkerErrorCode.NODE_LOST,
        message: `Job ${handle.id} (plugin "${handle.plugin}") is gone from Redis (removed, expired, or Redis restarted without persistence) before this runner saw it end`,
      });
      return;
    }
    const snapshot = toJob(found.job, found.state);
    if (snapshot.status === 'completed')
      this.#open.completed(handle.plugin, handle.id, snapshot.result ?? {});
    else if (snapshot.status === 'failed' || snapshot.status === 'cancelled') {
      this.#open.failed(handle.plugin, handle.id, snapshot.error!);
    } else if (snapshot.status === 'running' && handle.status === 'pending') {
      this.#open.active(handle.plugin, handle.id);
    }
  }

  async #recheckOpenJobs(): Promise<void> {
    await Promise.all(this.#open.all().map((handle) => this.#refresh(handle)));
  }

  // ---- helpers ------------------------------------------------------------------------------

  async #find(
    jobId: string,
    plugin: string | undefined,
  ): Promise<{ job: BullJob; state: JobState | 'unknown' } | undefined> {
    await this.#gate.ready('read a job');
    const plugins = plugin === undefined ? await this.#directory.everOffered() : [plugin];
    const found = await this.#gate.guard(
      'read a job',
      Promise.all(plugins.map((name) => this.#queue(name).getJob(jobId))),
    );
    const job = found.find((candidate) => candidate !== undefined);
    if (job === undefined) return undefined;
    const state = await this.#gate.guard('read a job', job.getState());
    if (state !== 'completed' && state !== 'failed') return { job, state };
    // It may have finished between the two reads: read the (now final) record again.
    const final = await this.#gate.guard('read a job', this.#queue(job.name).getJob(jobId));
    return final === undefined ? undefined : { job: final, state };
  }

  #warn(message: string): void {
    if (message === this.#lastWarning || this.#closed) return;
    this.#lastWarning = message;
    const line = `[plugwork runner → ${describeTarget(this.#redisOptions)}] ${message}`;
    const warn = this.#options.logger?.warn;
    if (warn !== undefined) warn(line);
    else process.stderr.write(`${line}\n`);
  }
}

function hasKeys(object: object): boolean {
  for (const _key in object) return true;
  return false;
}
