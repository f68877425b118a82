import { describe, type JobFailure, JobFailures, type JobStoreError } from '../errors.ts';
import type { ResolvedOptions } from '../options.ts';
import { FINISHED_STATUSES, type JobStore, type ListJobsFilter } from '../store/job-store.ts';
import { MAX_PAGE_SIZE } from '../store/list-filter.ts';
import { openJobStore } from '../store/open-store.ts';
import { type RetentionSchedule, scheduleRetention } from '../store/retention-schedule.ts';
import { RETENTION_INTERVAL_MS, retentionRules } from '../store/store-options.ts';
import type { StoredJob } from '../store/stored-job.ts';
import { AfterTurn } from './after-turn.ts';
import { DurableQueue, storeJournal } from './durable-queue.ts';
import { type Job, JobRecord, type RecordJournal } from './job.ts';
import type { JobStream } from './job-stream.ts';
import type { ManagerContext } from './manager-context.ts';

/** A page of listJobs: the jobs, and the cursor of the next page (undefined on the last). */
export type JobList = Job[] & { readonly nextCursor: string | undefined };

/** What the bridge needs from the manager's other parts. */
export interface BridgeHooks {
  /** A stream for a record that asked for one. */
  makeStream(record: JobRecord): JobStream;
  /** Ends a job the store could not keep. */
  fail(record: JobRecord, failure: JobFailure): void;
  /** Hand queued jobs to workers. */
  pump(): void;
}

/**
 * The JobManager's side of its job store: opening it (with recovery) at start, the queue it
 * keeps, the records of jobs this process did not submit, history for getJob/listJobs, the
 * retention timer, and what to do when a write fails.
 */
export class JobStoreBridge {
  readonly queue: DurableQueue;
  readonly #context: ManagerContext;
  readonly #options: ResolvedOptions;
  readonly #hooks: BridgeHooks;
  #store: JobStore | undefined;
  #journal: RecordJournal | undefined;
  #retention: RetentionSchedule | undefined;
  /** Memory store: prune when this many jobs finished since the last prune. */
  #finishedSincePrune = 0;

  constructor(context: ManagerContext, hooks: BridgeHooks) {
    this.#context = context;
    this.#options = context.options;
    this.#hooks = hooks;
    this.queue = new DurableQueue(
      context.options.queue.maxSize,
      (job) => this.#restore(job),
      () => hooks.pump(),
    );
  }

  get store(): JobStore | undefined {
    return this.#store;
  }

  get durable(): boolean {
    return this.#store !== undefined && this.#store.kind !== 'memory';
  }

  /**
   * Opens the store and deals with what a previous host left (the recovery policy). Rejects
   * with JobStoreError (naming the file and what to do) when the store cannot be used.
   */
  async open(): Promise<void> {
    const store = await openJobStore(this.#options.store, {
      onWriteError: (error, rejected) => this.#writeFailed(error, rejected),
    });
    this.#store = store;
    this.#journal = storeJournal(store);
    this.queue.attach(store);
    const report = store.recover(this.#options.recovery);
    if (report.requeued.length > 0 || report.failed.length > 0) {
      this.#context.logger.warn(
        `The job store ${store.file} had ${report.requeued.length + report.failed.length} job(s) running when its previous host stopped: ${report.requeued.length} queued again (attempts left), ${report.failed.length} failed with HOST_RESTARTED. ${report.pending} job(s) are queued.`,
      );
    }
    const option = this.#options.retention;
    const rules =
      option !== undefined
        ? retentionRules(option)
        : store.kind === 'memory'
          ? Object.fromEntries(
              FINISHED_STATUSES.map((status) => [status, { maxCount: this.#options.retainJobs }]),
            )
          : {};
    if (Object.keys(rules).length > 0) {
      this.#retention = scheduleRetention(
        store,
        rules,
        option?.intervalMs ?? RETENTION_INTERVAL_MS,
        (error) => this.#context.logger.warn(`Pruning the job store failed: ${describe(error)}`),
      );
    }
  }

  /**
   * Takes a new job into the store. Returns the record to hand out: `record` itself, or the
   * job that already has its id (an idempotent submit). `generatedId`: the manager made the
   * id (random per manager), so no earlier job can have it. Throws JobStoreError when the
   * store is full.
   */
  insert(record: JobRecord, generatedId = false): JobRecord {
    const store = this.#store!;
    const job = record.spec;
    // `created` first: the snapshot behind `job` is made only when read.
    const inserted = store.insert(job, { fresh: generatedId });
    if (!inserted.created) {
      const stored = inserted.job;
      return this.#context.jobs.get(stored.id) ?? this.#restore(stored);
    }
    record.journal = this.#journal;
    record.entry = inserted.entry;
    return record;
  }

  /**
   * After a job ended: the memory store is pruned to retainJobs as jobs finish, not by time;
   * after the turn (after-turn.ts), so that no job's result waits for the prune.
   */
  ended(): void {
    if (this.#store?.kind !== 'memory' || this.#retention === undefined) return;
    if (++this.#finishedSincePrune < Math.max(100, this.#options.retainJobs / 10)) return;
    this.#finishedSincePrune = 0;
    this.#prune.request();
  }

  readonly #prune = new AfterTurn(() => {
    this.#retention?.runNow().catch(() => {});
  });

  getJob(id: string): Job | undefined {
    const live = this.#context.jobs.get(id);
    if (live !== undefined) return live.snapshot();
    const stored = this.#store?.get(id);
    return stored === undefined ? undefined : toJob(stored);
  }

  /**
   * A page of jobs from the store, oldest first unless `order: 'newest'`, up to `limit`
   * (default and most: 1000); live jobs show this process's view of them.
   */
  listJobs(filter: ListJobsFilter): JobList {
    const store = this.#store;
    if (store === undefined) return Object.assign([], { nextCursor: undefined });
    const page = store.list({ order: 'oldest', limit: MAX_PAGE_SIZE, ...filter });
    const jobs = page.jobs.map(
      (stored) => this.#context.jobs.get(stored.id)?.snapshot() ?? toJob(stored),
    );
    return Object.assign(jobs, { nextCursor: page.nextCursor });
  }

  clearFinished(): number {
    return this.#store?.clearFinished() ?? 0;
  }

  /** Leaves a job that a worker held unstarted at shutdown queued in a durable store. */
  keepQueued(record: JobRecord): void {
    if (this.durable) record.journal = undefined;
  }

  async close(): Promise<void> {
    this.queue.close();
    await this.#retention?.stop();
    await this.#store?.close();
  }

  /** A record for a job this process did not submit (a previous host did), from the store. */
  #restore(stored: StoredJob): JobRecord {
    // One record per job: an idempotent submit and the queue may both ask for it.
    const known = this.#context.jobs.get(stored.id);
    if (known !== undefined) return known;
    const record = new JobRecord(
      {
        id: stored.id,
        plugin: stored.plugin,
        params: stored.params,
        stream: stored.stream,
        metadata: stored.metadata,
        timeoutMs: stored.timeoutMs,
        stallMs: stored.stallMs,
        priority: stored.priority,
        submittedAt: stored.submittedAt,
        runAt: stored.runAt,
        maxAttempts: stored.maxAttempts,
        backoff: stored.backoff,
        retryOn: stored.retryOn,
      },
      stored.stream ? (job) => this.#hooks.makeStream(job) : undefined,
    );
    record.attempts = [...stored.attempts];
    record.progress = stored.progress;
    record.progressMessage = stored.progressMessage;
    if (
      stored.status === 'completed' ||
      stored.status === 'failed' ||
      stored.status === 'cancelled'
    ) {
      // A finished job: its record only serves a handle (an idempotent submit).
      record.status = stored.status;
      record.startedAt = stored.startedAt;
      record.endedAt = stored.endedAt;
      record.result = stored.result;
      record.error = stored.error;
      record.workerId = stored.workerId;
      record.workerPid = stored.workerPid;
      return record;
    }
    record.journal = this.#journal;
    this.#context.jobs.set(record.id, record);
    return record;
  }

  /** A batched write failed. Jobs the store could not keep end now: they will not run. */
  #writeFailed(error: JobStoreError, rejected: readonly StoredJob[]): void {
    this.#context.logger.warn(error.message);
    for (const stored of rejected) {
      const record = this.#context.jobs.get(stored.id);
      if (record === undefined || record.terminal) continue;
      record.journal = undefined;
      this.queue.remove(record);
      this.#hooks.fail(record, JobFailures.notStored(record.id, record.plugin, error));
    }
  }
}

/** A stored job as the manager's Job snapshot. */
export function toJob(stored: StoredJob): Job {
  return Object.freeze({
    id: stored.id,
    plugin: stored.plugin,
    params: stored.params,
    stream: stored.stream,
    status: stored.status,
    metadata: stored.metadata,
    submittedAt: stored.submittedAt,
    startedAt: stored.startedAt,
    endedAt: stored.endedAt,
    progress: stored.progress,
    progressMessage: stored.progressMessage,
    result: stored.result,
    error: stored.error,
    workerId: stored.workerId,
    workerPid: stored.workerPid,
    priority: stored.priority,
    runAt: stored.runAt,
    maxAttempts: stored.maxAttempts,
    attempts: stored.attempts,
  });
}
