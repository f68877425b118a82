import type { JobFailure } from '../errors.ts';
import type { JobStore } from '../store/job-store.ts';
import { nextAttemptAt } from '../store/retry-policy.ts';
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
 * process never saw (queued by a previous host).
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
    this.#records.set(record.id, record);
    return true;
  }

  peek(): JobRecord | undefined {
    const store = this.#store;
    if (store === undefined) return undefined;
    const next = store.peekNextId();
    if (next === undefined) {
      this.#wakeAt(store.nextRunAt());
      return undefined;
    }
    return this.#recordOf(next);
  }

  shift(): JobRecord | undefined {
    const next = this.#store?.claimNextId();
    if (next === undefined) return undefined;
    const record = this.#recordOf(next);
    this.#records.delete(next);
    return record;
  }

  /** Jobs a worker held without starting them go back to their places. */
  unshiftAll(records: readonly JobRecord[]): void {
    const now = Date.now();
    for (const record of records) {
      this.#records.set(record.id, record);
      this.#store?.requeue(record.id, { runAt: now }, now);
    }
  }

  /** A queued job is leaving (cancelled): the store drops it when it is finished. */
  remove(record: JobRecord): boolean {
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
      for (let next = store.claimNextId(Number.POSITIVE_INFINITY); next !== undefined; ) {
        records.push(this.#recordOf(next));
        next = store.claimNextId(Number.POSITIVE_INFINITY);
      }
    } else {
      // They stay queued in the file; only this process's handles on them end.
      for (const record of this.#records.values()) {
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
    this.#records.set(record.id, record);
    store.requeue(record.id, { runAt, error: failure }, now);
    if (runAt > now) this.#wakeAt(runAt);
    else this.#wake();
    return true;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The record of a queued job; one made from the store for a job a previous host queued. */
  #recordOf(id: string): JobRecord {
    let record = this.#records.get(id);
    if (record === undefined) {
      record = this.#restore(this.#store!.get(id)!);
      this.#records.set(id, record);
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
        record.id,
        { workerId: record.workerId ?? 'unknown', workerPid: record.workerPid },
        record.startedAt,
      ),
    progressed: (record) =>
      store.recordProgress(record.id, record.progress ?? 0, record.progressMessage),
    finished: (record) =>
      store.finish(
        record.id,
        record.status === 'completed'
          ? { status: 'completed', result: record.result ?? {} }
          : { status: record.status as 'failed' | 'cancelled', error: record.error! },
        record.endedAt,
      ),
  };
}
