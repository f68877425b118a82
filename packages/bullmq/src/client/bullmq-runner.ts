import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createExecuteRequest, type JobParams, type JsonObject } from '@plugwork/protocol';
import {
  type Job,
  JobError,
  type JobFailure,
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
  ParamsTooLargeError,
  RedisUnavailableError,
} from '../errors.ts';
import {
  decodeFailure,
  type RemoteJobData,
  type RemoteProgress,
  statesOf,
  toJob,
} from '../job-data.ts';
import { findNonJson, isPlainObject } from '../json-check.ts';
import { Keys, queueName } from '../keys.ts';
import type { NodeInfo } from '../node-info.ts';
import {
  type RemoteSubmitOptions,
  remoteSubmitOptionsSchema,
  toJobsOptions,
} from '../submit-options.ts';
import { ChunkReader } from './chunk-reader.ts';
import { NodeDirectory } from './node-directory.ts';
import { QueueWatch } from './queue-watch.ts';
import { RemoteChunkStream } from './remote-chunk-stream.ts';
import { RemoteJobHandle } from './remote-job-handle.ts';
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
  readonly #directory: NodeDirectory;
  readonly #watch: QueueWatch;
  readonly #queues = new Map<string, Queue<RemoteJobData, JsonObject>>();
  /** `<plugin>\0<id>` -> handle, for jobs this runner submitted or attached to. */
  readonly #handles = new Map<string, RemoteJobHandle>();
  /** Handles whose queued job cancel() is removing. */
  readonly #removing = new Set<string>();
  #reader: ChunkReader | undefined;
  readonly #idPrefix = randomBytes(6).toString('hex');
  #idCounter = 0;
  #closed = false;
  #connecting: Promise<boolean> | undefined;
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
    this.#directory = new NodeDirectory(this.#redis, this.#keys, this.#options.catalogCacheMs);
    this.#watch = new QueueWatch(
      this.#redisOptions,
      this.#redis,
      this.#keys.prefix,
      {
        active: (plugin, id) => this.#onActive(plugin, id),
        progress: (plugin, id, progress) => this.#onProgress(plugin, id, progress),
        completed: (plugin, id, result) => this.#onCompleted(plugin, id, result),
        failed: (plugin, id, reason) =>
          this.#settleFailed(plugin, id, decodeFailure(id, plugin, reason)),
        removed: (plugin, id) => this.#onRemoved(plugin, id),
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
    const checked = remoteSubmitOptionsSchema.safeParse(merged);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const key = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.');
      throw new InvalidSubmitError(plugin, `option "${key}": ${issue.message}`);
    }
    const data = this.#jobData(plugin, params, merged);
    await this.#ready('submit a job');
    await this.#directory.assertOffered(plugin);
    await this.#guard('submit a job', this.#watch.watch(plugin));

    const id = merged.id ?? `${this.#idPrefix}-${++this.#idCounter}`;
    const handle = this.#track(
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
      }),
    );
    try {
      await this.#guard(
        'submit a job',
        this.#queue(plugin).add(plugin, data, toJobsOptions(merged, id)),
      );
    } catch (error) {
      this.#untrack(plugin, id);
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
   * outcome, cancel(). Undefined when no queue holds the job. Its chunks are not available
   * (they go to the handle that submitted it).
   */
  async attach(jobId: string, plugin?: string): Promise<RemoteJobHandle | undefined> {
    const found = await this.#find(jobId, plugin);
    if (found === undefined) return undefined;
    const name = found.job.name;
    const known = this.#handles.get(handleKey(name, jobId));
    if (known !== undefined) return known;
    await this.#guard('watch a job', this.#watch.watch(name));
    const handle = this.#track(name, { ...toJob(found.job, found.state), stream: false });
    await this.#refresh(handle);
    return handle;
  }

  /**
   * Jobs in the plugins' queues, newest first within each status: at most `limit` (default
   * 100) per plugin and status.
   */
  async listJobs(filter: JobFilter & { limit?: number } = {}): Promise<Job[]> {
    await this.#ready('list jobs');
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
    const jobs = await this.#guard(
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
    await this.#ready('list nodes');
    return this.#guard('list nodes', this.#directory.list());
  }

  /** Closes every connection; open handles stop receiving news. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#watch.close();
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    await this.#reader?.close();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  // ---- submitting ---------------------------------------------------------------------------

  #jobData(plugin: string, params: unknown, options: RemoteSubmitOptions): RemoteJobData {
    if (!isPlainObject(params))
      throw new InvalidSubmitError(plugin, 'params must be a plain object');
    const problem =
      findNonJson(params, 'params') ??
      (options.metadata === undefined ? undefined : findNonJson(options.metadata, 'metadata'));
    if (problem !== undefined) throw new InvalidSubmitError(plugin, `${problem}`);
    try {
      createExecuteRequest({ jobId: 'check', pluginName: plugin, params });
    } catch (error) {
      throw new InvalidSubmitError(plugin, describe(error), { cause: error });
    }
    const data: RemoteJobData = {
      params: params as JsonObject,
      stream: options.stream === true,
      metadata: (options.metadata ?? {}) as JsonObject,
    };
    if (options.timeoutMs !== undefined) data.timeoutMs = options.timeoutMs;
    if (options.stallMs !== undefined) data.stallMs = options.stallMs;
    const bytes = Buffer.byteLength(JSON.stringify(data));
    if (bytes > this.#options.maxParamsBytes) {
      throw new ParamsTooLargeError(plugin, bytes, this.#options.maxParamsBytes);
    }
    return data;
  }

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

  #track(plugin: string, job: Job): RemoteJobHandle {
    const key = handleKey(plugin, job.id);
    let stream: RemoteChunkStream | undefined;
    if (job.stream) {
      const streamKey = this.#keys.chunks(plugin, job.id);
      const reader = this.#chunkReader();
      stream = new RemoteChunkStream(
        job.id,
        plugin,
        (chunk) => {
          if (this.listenerCount('job:chunk') > 0) {
            this.emit('job:chunk', { jobId: job.id, plugin, chunk, final: false });
          }
        },
        (entryId) => reader.consumed(streamKey, entryId),
      );
      reader.add(streamKey, stream);
    }
    const handle = new RemoteJobHandle(
      job,
      stream,
      (target) => this.#cancelHandle(target),
      (target) => this.#loadFinal(target),
    );
    this.#handles.set(key, handle);
    return handle;
  }

  #untrack(plugin: string, id: string): void {
    this.#handles.delete(handleKey(plugin, id));
  }

  #chunkReader(): ChunkReader {
    this.#reader ??= new ChunkReader(
      patientConnection(this.#redisOptions, 'plugwork-runner-chunks'),
      this.#redis,
      (error) => this.#warn(`reading chunks: ${describe(error)}`),
    );
    return this.#reader;
  }

  // ---- cancelling -----------------------------------------------------------------------------

  async #cancelHandle(handle: RemoteJobHandle): Promise<boolean> {
    if (handle.settled) return false;
    await this.#ready('cancel a job');
    const { plugin, id } = handle;
    const queue = this.#queue(plugin);
    // The mark stays for a node that takes the job later (a race with the removal, a retry).
    await this.#guard(
      'cancel a job',
      this.#redis.set(this.#keys.cancelled(plugin, id), '1', 'PX', 86_400_000),
    );
    const state = await this.#guard('cancel a job', queue.getJobState(id));
    if (state !== 'active' && state !== 'completed' && state !== 'failed') {
      // The 'removed' event may arrive before remove() answers: it reads this mark.
      this.#removing.add(handleKey(plugin, id));
      try {
        if ((await this.#guard('cancel a job', queue.remove(id))) === 1) {
          this.#onRemoved(plugin, id);
          return true;
        }
      } finally {
        this.#removing.delete(handleKey(plugin, id));
      }
    }
    if (state !== 'completed' && state !== 'failed') {
      await this.#guard(
        'cancel a job',
        this.#redis.publish(this.#keys.cancel, JSON.stringify({ plugin, id })),
      );
    }
    const job = await handle.done;
    return job.status === 'cancelled';
  }

  // ---- events -------------------------------------------------------------------------------

  #onActive(plugin: string, id: string): void {
    const handle = this.#handles.get(handleKey(plugin, id));
    if (handle === undefined || handle.settled) return;
    handle.update({ status: 'running', startedAt: Date.now() });
    this.emit('job:started', handle.snapshot());
  }

  #onProgress(plugin: string, id: string, data: RemoteProgress | number): void {
    const handle = this.#handles.get(handleKey(plugin, id));
    if (handle === undefined || handle.settled) return;
    const progress = typeof data === 'number' ? data : data.progress;
    const message = typeof data === 'number' ? undefined : data.message;
    handle.update({ progress, progressMessage: message });
    this.emit('job:progress', { jobId: id, plugin, progress, message });
  }

  #onCompleted(plugin: string, id: string, result: JsonObject): void {
    const handle = this.#handles.get(handleKey(plugin, id));
    if (handle === undefined || !handle.settle('completed', result)) return;
    this.#afterSettle(handle, undefined);
    this.emit('job:completed', handle.snapshot());
  }

  #settleFailed(plugin: string, id: string, failure: JobFailure): void {
    const handle = this.#handles.get(handleKey(plugin, id));
    if (handle === undefined) return;
    const status = failure.code === WorkerErrorCode.JOB_CANCELLED ? 'cancelled' : 'failed';
    if (!handle.settle(status, failure)) return;
    this.#afterSettle(handle, failure);
    this.emit(status === 'cancelled' ? 'job:cancelled' : 'job:failed', handle.snapshot());
  }

  #onRemoved(plugin: string, id: string): void {
    this.#settleFailed(plugin, id, {
      code: WorkerErrorCode.JOB_CANCELLED,
      message: this.#removing.has(handleKey(plugin, id))
        ? `Job ${id} (plugin "${plugin}") was cancelled while it was queued`
        : `Job ${id} (plugin "${plugin}") was removed from its queue before it finished`,
    });
  }

  /** Ends the stream after its last entries (the node writes them before the job ends). */
  #afterSettle(handle: RemoteJobHandle, failure: JobFailure | undefined): void {
    const { plugin, id } = handle;
    this.#untrack(plugin, id);
    if (this.#reader === undefined || !handle.snapshot().stream) return;
    const status = handle.status as 'completed' | 'failed' | 'cancelled';
    void this.#reader.settle(
      this.#keys.chunks(plugin, id),
      { status, error: failure },
      failure === undefined ? undefined : new JobError(id, plugin, failure),
    );
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
      this.#settleFailed(handle.plugin, handle.id, {
        code: WorkerErrorCode.NODE_LOST,
        message: `Job ${handle.id} (plugin "${handle.plugin}") is gone from Redis (removed, expired, or Redis restarted without persistence) before this runner saw it end`,
      });
      return;
    }
    const snapshot = toJob(found.job, found.state);
    if (snapshot.status === 'completed')
      this.#onCompleted(handle.plugin, handle.id, snapshot.result ?? {});
    else if (snapshot.status === 'failed' || snapshot.status === 'cancelled') {
      this.#settleFailed(handle.plugin, handle.id, snapshot.error!);
    } else if (snapshot.status === 'running' && handle.status === 'pending') {
      this.#onActive(handle.plugin, handle.id);
    }
  }

  async #recheckOpenJobs(): Promise<void> {
    await Promise.all([...this.#handles.values()].map((handle) => this.#refresh(handle)));
  }

  // ---- helpers ------------------------------------------------------------------------------

  async #find(
    jobId: string,
    plugin: string | undefined,
  ): Promise<{ job: BullJob; state: JobState | 'unknown' } | undefined> {
    await this.#ready('read a job');
    const plugins = plugin === undefined ? await this.#directory.everOffered() : [plugin];
    const found = await this.#guard(
      'read a job',
      Promise.all(plugins.map((name) => this.#queue(name).getJob(jobId))),
    );
    const job = found.find((candidate) => candidate !== undefined);
    if (job === undefined) return undefined;
    const state = await this.#guard('read a job', job.getState());
    if (state !== 'completed' && state !== 'failed') return { job, state };
    // It may have finished between the two reads: read the (now final) record again.
    const final = await this.#guard('read a job', this.#queue(job.name).getJob(jobId));
    return final === undefined ? undefined : { job: final, state };
  }

  /** Waits up to redisTimeoutMs for the connection; RedisUnavailableError after that. */
  async #ready(action: string): Promise<void> {
    if (this.#closed) throw BullmqStateError.closed('BullmqRunner', action);
    if (this.#redis.status === 'ready') return;
    // One wait shared by every caller: a burst of submits while connecting adds one listener.
    this.#connecting ??= new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#redis.off('ready', onReady);
        resolve(false);
      }, this.#options.redisTimeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#redis.once('ready', onReady);
    }).finally(() => {
      this.#connecting = undefined;
    });
    if (!(await this.#connecting)) {
      throw new RedisUnavailableError(
        action,
        describeTarget(this.#redisOptions),
        `no connection within ${this.#options.redisTimeoutMs} ms (redisTimeoutMs)`,
      );
    }
  }

  /** Bounds a Redis call by redisTimeoutMs; connection failures become RedisUnavailableError. */
  async #guard<T>(action: string, call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RedisUnavailableError(
              action,
              describeTarget(this.#redisOptions),
              `no answer within ${this.#options.redisTimeoutMs} ms (redisTimeoutMs)`,
            ),
          ),
        this.#options.redisTimeoutMs,
      );
    });
    try {
      return await Promise.race([call, timeout]);
    } catch (error) {
      if (isConnectionError(error)) {
        throw new RedisUnavailableError(
          action,
          describeTarget(this.#redisOptions),
          describe(error),
          {
            cause: error,
          },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
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

function handleKey(plugin: string, id: string): string {
  return `${plugin}\0${id}`;
}

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    /Stream isn't writeable|Connection is closed|enableOfflineQueue|MaxRetriesPerRequest/i.test(
      error.message,
    )
  );
}
