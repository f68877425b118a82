import { RenewingSet } from '../renewing-map.ts';
import { JobLedger } from './job-ledger.ts';
import type { JobState } from './job-state.ts';
import {
  FINISHED_STATUSES,
  type FinishedStatus,
  type JobPage,
  type ListJobsFilter,
  type PruneReport,
  type Retention,
} from './job-store.ts';
import { encodeCursor, type ListQuery, matchesQuery, toListQuery } from './list-filter.ts';
import type { StoredJob } from './stored-job.ts';

/** Jobs a prune handles between two yields to the event loop. */
const PRUNE_SLICE = 5_000;

/**
 * Every job in this process's memory: nothing survives the process. The default store, and the
 * baseline the SQLite store is measured against. It keeps the same indexes the SQLite store
 * has, as arrays in seq order: every job, and the finished jobs of each status.
 */
export class MemoryJobStore extends JobLedger {
  readonly kind = 'memory';
  readonly file = undefined;
  /** Every job held, in seq order (so a time range or a cursor is a binary search away). */
  #order: JobState[] = [];
  /** Finished jobs per status, in seq order. */
  readonly #finished: Record<FinishedStatus, JobState[]> = {
    completed: [],
    failed: [],
    cancelled: [],
  };
  /** Pending and running jobs, in seq order (jobs enter in that order and never re-enter). */
  readonly #active = new RenewingSet<JobState>();
  #pruning: Promise<PruneReport> | undefined;
  /** Pruned jobs still in #order. */
  #droppedInOrder = 0;

  protected persistNew(job: JobState): void {
    this.#order.push(job);
    this.#active.add(job);
  }

  protected changed(job: JobState): void {
    if (!job.terminal || !this.#active.delete(job)) return;
    // Jobs end out of submission order: insert by seq, searching from the end (the usual place).
    const list = this.#finished[job.status as FinishedStatus];
    let index = list.length;
    while (index > 0 && list[index - 1]!.seq > job.seq) index--;
    if (index === list.length) list.push(job);
    else list.splice(index, 0, job);
  }

  protected findStored(): StoredJob | undefined {
    return undefined;
  }

  list(filter: ListJobsFilter = {}): JobPage {
    this.assertOpen();
    const query = toListQuery(filter);
    const take = query.limit + 1;
    let jobs: JobState[];
    if (query.statuses === undefined) {
      jobs = walk(this.#order, query, take);
    } else {
      jobs = [];
      for (const status of query.statuses) {
        if (status === 'pending' || status === 'running') continue;
        jobs.push(...walk(this.#finished[status], query, take));
      }
      if (query.statuses.includes('pending') || query.statuses.includes('running')) {
        jobs.push(...walk([...this.#active], query, take));
      }
      jobs.sort((a, b) => (query.newestFirst ? b.seq - a.seq : a.seq - b.seq));
    }
    const more = jobs.length > query.limit;
    const page = jobs.slice(0, query.limit).map((job) => job.snapshot());
    const last = page[page.length - 1];
    return {
      jobs: page,
      nextCursor:
        more && last !== undefined ? encodeCursor(last.seq, query.newestFirst) : undefined,
    };
  }

  clearFinished(): number {
    this.assertOpen();
    let cleared = 0;
    for (const status of FINISHED_STATUSES) {
      for (const job of this.#finished[status]) this.live.delete(job.id);
      cleared += this.#finished[status].length;
      this.#finished[status] = [];
    }
    this.#order = this.#order.filter((job) => !job.terminal);
    this.#droppedInOrder = 0;
    return cleared;
  }

  prune(retention: Retention, now = Date.now()): Promise<PruneReport> {
    this.assertOpen();
    // One prune at a time: a second caller shares the first one's result.
    this.#pruning ??= this.#prune(retention, now).finally(() => {
      this.#pruning = undefined;
    });
    return this.#pruning;
  }

  async #prune(retention: Retention, now: number): Promise<PruneReport> {
    const report: PruneReport = { completed: 0, failed: 0, cancelled: 0 };
    const doomed = new Set<JobState>();
    let cut = 0;
    for (const status of FINISHED_STATUSES) {
      const rule = retention[status];
      if (rule === undefined) continue;
      const list = this.#finished[status];
      // The oldest submitted go first: everything below the newest maxCount.
      const overCount = rule.maxCount === undefined ? 0 : Math.max(0, list.length - rule.maxCount);
      if (rule.maxAgeMs === undefined && overCount <= PRUNE_SLICE) {
        // A count alone dooms a prefix of the list: cut it off here, in this turn (nothing can
        // change the list meanwhile), without a set of doomed jobs and a filter over the rest.
        // This is the memory store's own pruning after every retainJobs / 10 jobs.
        for (let index = 0; index < overCount; index++) this.#drop(list[index]!, report);
        if (overCount > 0) list.splice(0, overCount);
        cut += overCount;
        continue;
      }
      // Without an age rule only the oldest, below the newest maxCount, can go: the rest of
      // the list (retainJobs of them, pruned every retainJobs / 10 jobs) is not walked.
      const end = rule.maxAgeMs === undefined ? overCount : list.length;
      for (let index = 0; index < end; index++) {
        if (index % PRUNE_SLICE === PRUNE_SLICE - 1) await yieldToEventLoop();
        const job = list[index]!;
        const tooOld = rule.maxAgeMs !== undefined && now - job.endedAt! > rule.maxAgeMs;
        if (index < overCount || tooOld) doomed.add(job);
      }
    }
    if (this.closed || doomed.size + cut === 0) return report;
    if (doomed.size > 0) {
      for (const job of doomed) this.#drop(job, report);
      for (const status of FINISHED_STATUSES) {
        if (retention[status] !== undefined) {
          this.#finished[status] = this.#finished[status].filter((job) => !job.dropped);
        }
      }
    }
    // #order holds the queued jobs too (a burst: many): it is compacted only once half of it is
    // dropped, so that a prune costs what it prunes, not what is queued. list() skips the rest.
    this.#droppedInOrder += doomed.size + cut;
    if (this.#droppedInOrder * 2 > this.#order.length) {
      await yieldToEventLoop();
      this.#order = this.#order.filter((job) => !job.dropped);
      this.#droppedInOrder = 0;
    }
    return report;
  }

  #drop(job: JobState, report: PruneReport): void {
    this.live.delete(job.id);
    job.dropped = true;
    report[job.status as FinishedStatus]++;
  }

  flush(): void {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.#pruning;
    this.queue.clear();
  }
}

/**
 * Up to `take` jobs of `list` (in seq order) that match the query, in page order, within the
 * query's seq range: its time range and cursor are binary searches.
 */
function walk(list: readonly JobState[], query: ListQuery, take: number): JobState[] {
  let from =
    query.since === undefined ? 0 : lowerBound(list, (job) => job.spec.submittedAt >= query.since!);
  let to =
    query.until === undefined
      ? list.length
      : lowerBound(list, (job) => job.spec.submittedAt >= query.until!);
  if (query.afterSeq !== undefined) {
    const at = lowerBound(list, (job) => job.seq >= query.afterSeq!);
    if (query.newestFirst) to = Math.min(to, at);
    else from = Math.max(from, list[at]?.seq === query.afterSeq ? at + 1 : at);
  }
  const jobs: JobState[] = [];
  const step = query.newestFirst ? -1 : 1;
  for (let index = query.newestFirst ? to - 1 : from; index >= from && index < to; index += step) {
    const job = list[index]!;
    if (job.dropped || !matchesQuery(job, query)) continue;
    jobs.push(job);
    if (jobs.length === take) break;
  }
  return jobs;
}

/** The first index whose job satisfies `atOrPast` (which must be monotone over the list). */
function lowerBound(list: readonly JobState[], atOrPast: (job: JobState) => boolean): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (atOrPast(list[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

async function yieldToEventLoop(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}
