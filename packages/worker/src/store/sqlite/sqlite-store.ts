import { describe, JobStoreError, WorkerErrorCode } from '../../errors.ts';
import { RenewingSet } from '../../renewing-map.ts';
import { JobLedger } from '../job-ledger.ts';
import type { JobState } from '../job-state.ts';
import {
  FINISHED_STATUSES,
  type JobPage,
  type ListJobsFilter,
  type PruneReport,
  type Retention,
  type WriteErrorHook,
} from '../job-store.ts';
import { encodeCursor, matchesQuery, toListQuery } from '../list-filter.ts';
import type { StoredJob } from '../stored-job.ts';
import { type Batch, takeBatch } from './dirty-batch.ts';
import { type SqliteDriver, type SqliteStatement, sqliteErrorKind } from './driver.ts';
import { HistoryQuery } from './history-query.ts';
import { inTransaction } from './open-database.ts';
import { pruneRows } from './pruner.ts';
import type { BatchOutcome } from './row-batch.ts';
import { COLUMNS, INSERT_SQL, insertParams, rowToState } from './rows.ts';
import type { ThreadDatabase } from './thread-database.ts';

/** Rows one write transaction takes at most; a larger backlog is written over several ticks. */
const BATCH_ROWS = 2_000;
/** After a failed write, the first retry waits this long, doubling up to RETRY_MAX_MS. */
const RETRY_MS = 250;
const RETRY_MAX_MS = 10_000;

export interface SqliteStoreSettings {
  /** Changes are committed at most this long after they happen. */
  readonly flushMs: number;
  readonly onWriteError: WriteErrorHook | undefined;
}

/**
 * Jobs in a SQLite file. Live jobs (pending and running) are also held in memory, so claiming
 * and every transition cost no query; each change marks the job dirty, and dirty jobs are
 * written together, one transaction per `flushMs` (one row per job however often it changed),
 * which is what keeps the store off the critical path of a job. The file is held by the
 * store's own thread (ThreadDatabase): those writes run there while the host goes on, one batch
 * at a time; everything else (reads, flush, close) waits for the batch on its way and then
 * for its own answer. History (get, list) is read from the file after a flush.
 *
 * A failed write (disk full, the size cap) loses nothing committed before: the transaction is
 * rolled back, changes to stored jobs stay dirty and are retried, and new jobs that cannot be
 * stored are dropped and reported (onWriteError) so their submitter learns they will not run.
 * Until a write succeeds again, insert writes each new job at once and throws if it cannot.
 */
export class SqliteJobStore extends JobLedger {
  readonly kind = 'sqlite';
  readonly file: string;
  readonly driver: SqliteDriver['name'];
  readonly #db: ThreadDatabase;
  readonly #settings: SqliteStoreSettings;
  readonly #insert: SqliteStatement;
  readonly #saveNextSeq: SqliteStatement;
  /** meta.next_seq as committed: a write that adds no job leaves the meta page alone. */
  #savedNextSeq: number;
  /** meta.live_from as committed (see schema.ts, version 2). */
  #savedLiveFrom: number;
  readonly #byId: SqliteStatement;
  readonly #history: HistoryQuery;
  /** Jobs changed since their last write, in the order of their first change. */
  readonly #dirty = new RenewingSet<JobState>();
  /** The batch the store's thread is writing. */
  #inFlight: Batch | undefined;
  /** A write came due while a batch was in flight: the next goes as soon as it is in. */
  #tickWaiting = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  /** Set while writes fail: the delay before the next retry. */
  #retryMs: number | undefined;
  #pruning: Promise<PruneReport> | undefined;

  constructor(
    db: ThreadDatabase,
    file: string,
    driver: SqliteDriver['name'],
    settings: SqliteStoreSettings,
  ) {
    super();
    this.#db = db;
    this.file = file;
    this.driver = driver;
    this.#settings = settings;
    db.onOutcome = (outcome) => this.#onOutcome(outcome);
    this.#insert = db.prepare(INSERT_SQL);
    this.#saveNextSeq = db.prepare("UPDATE meta SET value = ? WHERE key = 'next_seq'");
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`);
    this.#history = new HistoryQuery(db);
    const saved = db.prepare("SELECT value FROM meta WHERE key = 'next_seq'").get()?.value;
    const newest = db.prepare('SELECT seq, submitted_at FROM jobs ORDER BY seq DESC LIMIT 1').get();
    this.#savedNextSeq = Number(saved ?? 1);
    this.nextSeq = Math.max(this.#savedNextSeq, Number(newest?.seq ?? 0) + 1);
    this.lastSubmittedAt = Number(newest?.submitted_at ?? 0);
    this.#savedLiveFrom = Number(
      db.prepare("SELECT value FROM meta WHERE key = 'live_from'").get()?.value ?? 1,
    );
    // Every row with no ended_at is at or after live_from: the rows from there on, by seq.
    const live = db.prepare(
      `SELECT ${COLUMNS} FROM jobs WHERE seq >= ? AND ended_at IS NULL ORDER BY seq`,
    );
    for (const row of live.all(this.#savedLiveFrom)) this.adopt(rowToState(row));
  }

  protected persistNew(job: JobState): void {
    if (this.#retryMs !== undefined) {
      // Writes are failing: find out now, so that this submit fails rather than a later one.
      this.#transaction(() => {
        this.#insert.run(...insertParams(job));
        this.#saveNextSeq.run(job.seq + 1);
      });
      this.#savedNextSeq = job.seq + 1;
      this.#recovered();
      return;
    }
    job.rowless = true;
    this.#dirty.add(job);
    this.#schedule();
  }

  protected changed(job: JobState): void {
    this.#dirty.add(job);
    this.#schedule();
  }

  protected findStored(id: string): StoredJob | undefined {
    const row = this.#byId.get(id);
    return row === undefined ? undefined : rowToState(row).snapshot();
  }

  list(filter: ListJobsFilter = {}): JobPage {
    this.assertOpen();
    const query = toListQuery(filter);
    this.#writeSafely(Number.POSITIVE_INFINITY);
    const range = this.#history.seqRange(query);
    const take = query.limit + 1;
    const page = new Map<number, StoredJob>();
    if (query.statuses === undefined && query.plugin === undefined) {
      for (const row of this.#history.allRows(query, range, take)) {
        // A live job's memory is newer than its row when a write failed.
        const live = this.live.get(String(row.id));
        page.set(Number(row.seq), (live ?? rowToState(row)).snapshot());
      }
    } else {
      for (const status of FINISHED_STATUSES) {
        if (query.statuses !== undefined && !query.statuses.includes(status)) continue;
        for (const row of this.#history.finishedRows(query, status, range, take)) {
          page.set(Number(row.seq), rowToState(row).snapshot());
        }
      }
      // Live jobs (and finished ones whose row a failed write left behind) from memory; the
      // map iterates in seq order, since jobs enter it in that order.
      const [low, high] = range;
      const live: StoredJob[] = [];
      for (const job of this.live.values()) {
        if (job.seq >= low && job.seq < high && matchesQuery(job, query)) live.push(job.snapshot());
      }
      for (const job of query.newestFirst ? live.slice(-take) : live.slice(0, take)) {
        page.set(job.seq, job);
      }
    }
    const jobs = [...page.values()].sort((a, b) =>
      query.newestFirst ? b.seq - a.seq : a.seq - b.seq,
    );
    const more = jobs.length > query.limit;
    if (more) jobs.length = query.limit;
    const last = jobs[jobs.length - 1];
    return {
      jobs,
      nextCursor:
        more && last !== undefined ? encodeCursor(last.seq, query.newestFirst) : undefined,
    };
  }

  prune(retention: Retention, now = Date.now()): Promise<PruneReport> {
    this.assertOpen();
    this.#pruning ??= (async () => {
      this.#writeSafely(Number.POSITIVE_INFINITY);
      return pruneRows(this.#db, retention, now, () => this.closed);
    })().finally(() => {
      this.#pruning = undefined;
    });
    return this.#pruning;
  }

  clearFinished(): number {
    this.assertOpen();
    this.#writeSafely(Number.POSITIVE_INFINITY);
    let cleared = Number(
      this.#db.prepare('DELETE FROM jobs WHERE ended_at IS NOT NULL').run().changes,
    );
    // Finished jobs whose row a failed write left behind.
    for (const job of this.live.values()) {
      if (!job.terminal) continue;
      this.live.delete(job.id);
      this.#dirty.delete(job);
      job.rowless = false;
      cleared++;
    }
    return cleared;
  }

  flush(): void {
    this.assertOpen();
    this.#write(Number.POSITIVE_INFINITY);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.#pruning?.catch(() => {});
    clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    try {
      this.#write(Number.POSITIVE_INFINITY);
    } finally {
      this.#db.close();
      this.queue.clear();
    }
  }

  // ---- writing ------------------------------------------------------------------------------

  #schedule(): void {
    // While writes fail, the retry timer is the only one.
    if (this.#retryMs !== undefined || this.#immediate !== undefined) return;
    if (this.#dirty.size >= BATCH_ROWS) {
      // A burst: write it on the next tick rather than let it grow for flushMs.
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#immediate = setImmediate(this.#onTick);
    } else {
      this.#timer ??= setTimeout(this.#onTick, this.#settings.flushMs);
    }
  }

  readonly #onTick = (): void => {
    this.#timer = undefined;
    this.#immediate = undefined;
    if (this.closed) return;
    if (this.#db.writing) {
      // One batch at a time: the next goes when this one's outcome is in.
      this.#tickWaiting = true;
      return;
    }
    const batch = this.#takeBatch(BATCH_ROWS);
    if (batch === undefined) return;
    this.#inFlight = batch;
    this.#db.post(batch.rows);
  };

  /** A posted batch's outcome, back from the store's thread. */
  #onOutcome(outcome: BatchOutcome): void {
    const batch = this.#inFlight!;
    this.#inFlight = undefined;
    if (this.#apply(batch, outcome) === undefined) this.#recovered();
    if (this.closed || this.#retryMs !== undefined || this.#dirty.size === 0) return;
    if (this.#tickWaiting || this.#dirty.size >= BATCH_ROWS) {
      this.#tickWaiting = false;
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#immediate ??= setImmediate(this.#onTick);
    } else {
      this.#schedule();
    }
  }

  /** #write for callers that must not throw (reads): failures go to onWriteError. */
  #writeSafely(maxRows: number): void {
    try {
      this.#write(maxRows);
    } catch {
      // #apply reported it and scheduled the retry.
    }
  }

  /** Writes up to `maxRows` dirty jobs now, after any batch on its way. Throws the failure. */
  #write(maxRows: number): void {
    this.#db.settle();
    const batch = this.#takeBatch(maxRows);
    if (batch === undefined) return;
    const failure = this.#apply(batch, this.#db.write(batch.rows));
    if (failure !== undefined) throw failure;
    this.#recovered();
  }

  #takeBatch(maxRows: number): Batch | undefined {
    return takeBatch(
      {
        dirty: this.#dirty,
        live: this.live,
        nextSeq: this.nextSeq,
        savedNextSeq: this.#savedNextSeq,
        savedLiveFrom: this.#savedLiveFrom,
      },
      maxRows,
    );
  }

  /**
   * Takes in a batch's outcome; returns the failure, if it failed, after reporting it. When
   * the disk (or the size cap) was full, the thread wrote the batch's updates alone, and the
   * new jobs of the batch are dropped and reported (onWriteError): a job that cannot be
   * stored must not run as if it were. Any other failure keeps every change for the retry.
   */
  #apply(batch: Batch, outcome: BatchOutcome): JobStoreError | undefined {
    if (outcome.ok) {
      this.#savedNextSeq = batch.nextSeq;
      this.#savedLiveFrom = batch.liveFrom;
      this.#written(batch.jobs);
      return undefined;
    }
    const { kind, reason } = outcome.failure;
    const failure =
      kind === 'SQLITE_FULL'
        ? JobStoreError.full(this.file, reason)
        : JobStoreError.writeFailed(this.file, reason);
    const rejected: StoredJob[] = [];
    if (failure.code === WorkerErrorCode.STORE_FULL) {
      const updates = batch.jobs.filter((job) => !job.rowless);
      if (outcome.updatesWritten) this.#written(updates);
      else this.#redirty(updates);
      for (const job of batch.jobs) {
        if (!job.rowless) continue;
        this.#dirty.delete(job);
        job.rowless = false;
        this.forget(job);
        rejected.push(job.snapshot());
      }
    } else {
      this.#redirty(batch.jobs);
    }
    this.#retryLater();
    this.#settings.onWriteError?.(failure, rejected);
    return failure;
  }

  /** Jobs of a failed batch: dirty again, ahead of those that changed since. */
  #redirty(jobs: readonly JobState[]): void {
    const since = [...this.#dirty];
    this.#dirty.clear();
    for (const job of jobs) this.#dirty.add(job);
    for (const job of since) this.#dirty.add(job);
  }

  #written(jobs: readonly JobState[]): void {
    for (const job of jobs) {
      job.rowless = false;
      // A finished job lives on in the file only (unless it finished after its batch left,
      // and so is dirty again).
      if (job.terminal && !this.#dirty.has(job)) this.live.delete(job.id);
    }
  }

  /** A write failed: retry with a doubling delay, on an unref'd timer (a disk that stays full must not keep a finished host alive). */
  #retryLater(): void {
    this.#retryMs = Math.min((this.#retryMs ?? RETRY_MS / 2) * 2, RETRY_MAX_MS);
    clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    this.#timer = undefined;
    if (this.#dirty.size === 0) return;
    this.#timer = setTimeout(this.#onTick, this.#retryMs);
    this.#timer.unref?.();
  }

  /** A write succeeded: back to batching. */
  #recovered(): void {
    if (this.#retryMs === undefined) return;
    this.#retryMs = undefined;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#dirty.size > 0) this.#schedule();
  }

  #transaction(body: () => void): void {
    try {
      inTransaction(this.#db, body);
    } catch (error) {
      throw this.#toStoreError(error);
    }
  }

  #toStoreError(error: unknown): JobStoreError {
    if (error instanceof JobStoreError) return error;
    const reason = describe(error);
    return sqliteErrorKind(error) === 'SQLITE_FULL'
      ? JobStoreError.full(this.file, reason, error)
      : JobStoreError.writeFailed(this.file, reason, error);
  }
}
