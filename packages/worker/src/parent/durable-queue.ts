import type { JobFailure } from '../errors.ts';
import type { JobStore } from '../store/job-store.ts';
import { nextAttemptAt } from '../store/retry-policy.ts';
import type { JobState } from '../store/job-state.ts';
import type { StoredJob } from '../store/stored-job.ts';
import type { JobRecord, RecordJournal } from './job.ts';

/** What the dispatcher, a job's life and shutdown do with the queue (JobQueue has it too). */
export interface RecordQueue {
  readonly maxSize: number;
  readonly size: number;
  push(record: JobRecord): boolean;
  peek(): JobRecord | undefined;
  shift(): JobRecord | undefined;
  unshiftAll(records: readonly JobRecord[]): void;
  remove(record: JobRecord): boolean;
  drain(): JobRecord[];
}

/**
 * The manager's queue, kept by the job store: jobs run by priority, then submission order, not
 * before their runAt (a delay, a retry's backoff). The store holds the order; this holds the
 * records of queued jobs, and makes one from the stored job when the store has a job this
 * process never saw (queued by a previous host). A job this process submitted hangs its record
 * on the store's entry (`holder`) while queued, so the hot path looks nothing up by id; the map
 * holds the rest (records restored from the store, whose entry this process was never given).
 */
export class DurableQueue implements RecordQueue {
  readonly maxSize: number;
  readonly #records = new Map<string, JobRecord>();
  readonly #restore: (job: StoredJob) => JobRecord;
  readonly #wake: () => void;
  #store: JobStore | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(maxSize: number, restore: (job: StoredJob) => JobRecord, wake: () => void) {
    this.maxSize = maxSize;
    this.#restore = restore;
    this.#wake = wake;
  }

  attach(store: JobStore): void {
    this.#store = store;
  }

  get size(): number {
    return this.#store?.queuedCount ?? 0;
  }

  /** The record of a job the store has just taken in (submit). */
  push(record: JobRecord): boolean {
    this.#hold(record);
    return true;
  }

  peek(): JobRecord | undefined {
    const store = this.#store;
    if (store === undefined) return undefined;
    const next = store.peekNextEntry();
    if (next === undefined) {
      this.#wakeAt(store.nextRunAt());
      return undefined;
    }
    return this.#recordOf(next);
  }

  shift(): JobRecord | undefined {
    const next = this.#store?.claimNextEntry();
    if (next === undefined) return undefined;
    const record = this.#recordOf(next);
    this.#release(record, next);
    return record;
  }

  /** Jobs a worker held without starting them go back to their places. */
  unshiftAll(records: readonly JobRecord[]): void {
    const now = Date.now();
    for (const record of records) {
      this.#hold(record);
      this.#store?.requeue(record.id, { runAt: now }, now);
    }
  }

  /** A queued job is leaving (cancelled): the store drops it when it is finished. */
  remove(record: JobRecord): boolean {
    const entry = record.entry;
    if (entry !== undefined && entry.holder === record) {
      entry.holder = undefined;
      return true;
    }
    return this.#records.delete(record.id);
  }

  /**
   * Takes every queued job out (shutdown, or no worker left). A durable store keeps them queued
   * for the next host: their records here are cut loose from it before they end.
   */
  drain(): JobRecord[] {
    const store = this.#store;
    clearTimeout(this.#timer);
    if (store === undefined) return [];
    const records: JobRecord[] = [];
    if (store.kind === 'memory') {
      for (let next = store.claimNextEntry(Number.POSITIVE_INFINITY); next !== undefined; ) {
        const record = this.#recordOf(next);
        this.#release(record, next);
        records.push(record);
        next = store.claimNextEntry(Number.POSITIVE_INFINITY);
      }
    } else {
      // They stay queued in the file; only this process's handles on them end (found without
      // a claim, which would be a change the store writes).
      for (const record of this.#held()) {
        record.journal = undefined;
        records.push(record);
      }
    }
    this.#records.clear();
    return records;
  }

  /**
   * After a failed attempt: queue the job again when its options allow it (attempts left, a
   * failure it retries, not a stream a consumer has begun to read). True when it was.
   */
  retry(record: JobRecord, failure: JobFailure): boolean {
    const store = this.#store;
    if (store === undefined || record.streamRequested || record.journal === undefined) return false;
    const now = Date.now();
    const runAt = nextAttemptAt(record, failure, record.retryOn, now);
    if (runAt === undefined) return false;
    record.retry(failure, runAt);
    this.#hold(record);
    store.requeue(record.id, { runAt, error: failure }, now);
    if (runAt > now) this.#wakeAt(runAt);
    else this.#wake();
    return true;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Keeps `record` while its job is queued: on the store's entry, or by id without one. */
  #hold(record: JobRecord): void {
    const entry = record.entry;
    if (entry !== undefined && !entry.forgotten) entry.holder = record;
    else this.#records.set(record.id, record);
  }

  /** The job was claimed: the queue lets go of its record. */
  #release(record: JobRecord, entry: JobState): void {
    if (entry.holder === record) entry.holder = undefined;
    else this.#records.delete(record.id);
  }

  /** The records of the queued jobs this process holds. */
  *#held(): Iterable<JobRecord> {
    yield* this.#records.values();
    for (const entry of this.#store?.queuedEntries() ?? []) {
      if (entry.holder !== undefined) yield entry.holder as JobRecord;
    }
  }

  /** The record of a queued job; one made from the store for a job a previous host queued. */
  #recordOf(entry: JobState): JobRecord {
    const held = entry.holder;
    if (held !== undefined) return held as JobRecord;
    let record = this.#records.get(entry.id);
    if (record === undefined) {
      record = this.#restore(entry.snapshot());
      this.#records.set(entry.id, record);
    }
    return record;
  }

  /** Dispatch again when the next delayed job is due. */
  #wakeAt(at: number | undefined): void {
    if (at === undefined || at >= this.#timerAt) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.#wake();
      },
      Math.max(0, at - Date.now()),
    );
    // Workers keep a running host alive; a timer for a delayed job need not.
    this.#timer.unref?.();
  }
}

/** Keeps the store in step with a record's transitions; one object serves every record. */
export function storeJournal(store: JobStore): RecordJournal {
  return {
    started: (record) =>
      store.markRunning(
        record.entry ?? record.id,
        { workerId: record.workerId ?? 'unknown', workerPid: record.workerPid },
        record.startedAt,
      ),
    progressed: (record) =>
      store.recordProgress(record.id, record.progress ?? 0, record.progressMessage),
    finished: (record) =>
      store.finish(
        record.entry ?? record.id,
        record.status === 'completed'
          ? { status: 'completed', result: record.result ?? {} }
          : { status: record.status as 'failed' | 'cancelled', error: record.error! },
        record.endedAt,
      ),
  };
}
