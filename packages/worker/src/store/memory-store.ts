import { JobLedger } from './job-ledger.ts';
import type { JobState } from './job-state.ts';
import type { JobPage, ListJobsFilter, PruneReport, Retention } from './job-store.ts';
import { encodeCursor, matchesQuery, toListQuery } from './list-filter.ts';
import type { StoredJob } from './stored-job.ts';

/** Jobs a prune looks at between two yields to the event loop. */
const PRUNE_SLICE = 5_000;

/**
 * Every job in this process's memory: nothing survives the process. The default store, and the
 * baseline the SQLite store is measured against.
 */
export class MemoryJobStore extends JobLedger {
  readonly kind = 'memory';
  readonly file = undefined;
  /** Every job held, in seq order (so a time range or a cursor is a binary search away). */
  #order: JobState[] = [];
  #pruning: Promise<PruneReport> | undefined;

  protected persistNew(job: JobState): void {
    this.#order.push(job);
  }

  protected changed(): void {}

  protected findStored(): StoredJob | undefined {
    return undefined;
  }

  list(filter: ListJobsFilter = {}): JobPage {
    this.assertOpen();
    const query = toListQuery(filter);
    const order = this.#order;
    // The slice of #order the query can reach: [from, to).
    let from =
      query.since === undefined
        ? 0
        : lowerBound(order, (job) => job.spec.submittedAt >= query.since!);
    let to =
      query.until === undefined
        ? order.length
        : lowerBound(order, (job) => job.spec.submittedAt >= query.until!);
    if (query.afterSeq !== undefined) {
      const at = lowerBound(order, (job) => job.seq >= query.afterSeq!);
      if (query.newestFirst) to = Math.min(to, at);
      else from = Math.max(from, order[at]?.seq === query.afterSeq ? at + 1 : at);
    }
    const jobs: StoredJob[] = [];
    let more = false;
    const step = query.newestFirst ? -1 : 1;
    for (
      let index = query.newestFirst ? to - 1 : from;
      index >= from && index < to;
      index += step
    ) {
      const job = order[index]!;
      if (!matchesQuery(job, query)) continue;
      if (jobs.length === query.limit) {
        more = true;
        break;
      }
      jobs.push(job.snapshot());
    }
    const last = jobs[jobs.length - 1];
    return {
      jobs,
      nextCursor:
        more && last !== undefined ? encodeCursor(last.seq, query.newestFirst) : undefined,
    };
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
    // Count from the newest down, so "keep the newest maxCount" is one pass.
    const seen: PruneReport = { completed: 0, failed: 0, cancelled: 0 };
    const doomed = new Set<JobState>();
    for (let index = this.#order.length - 1; index >= 0; index--) {
      if (index % PRUNE_SLICE === 0) await yieldToEventLoop();
      if (this.closed) return report;
      const job = this.#order[index];
      if (job === undefined || !job.terminal) continue;
      const status = job.status as keyof PruneReport;
      const rule = retention[status];
      if (rule === undefined) continue;
      seen[status]++;
      const tooMany = rule.maxCount !== undefined && seen[status] > rule.maxCount;
      const tooOld = rule.maxAgeMs !== undefined && now - job.endedAt! > rule.maxAgeMs;
      if (tooMany || tooOld) doomed.add(job);
    }
    if (doomed.size === 0) return report;
    for (const job of doomed) {
      this.live.delete(job.id);
      report[job.status as keyof PruneReport]++;
    }
    // Jobs submitted while the prune yielded sit past the scanned part; filter keeps them.
    this.#order = this.#order.filter((job) => !doomed.has(job));
    return report;
  }

  flush(): void {}

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.#pruning;
    this.queue.clear();
  }
}

/** The first index whose job satisfies `atOrPast` (which must be monotone over the array). */
function lowerBound(order: readonly JobState[], atOrPast: (job: JobState) => boolean): number {
  let low = 0;
  let high = order.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (atOrPast(order[middle]!)) high = middle;
    else low = middle + 1;
  }
  return low;
}

async function yieldToEventLoop(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}
