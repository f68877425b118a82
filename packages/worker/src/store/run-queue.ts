import { Heap } from './heap.ts';
import type { JobState } from './job-state.ts';

/** A heap entry; `ticket` tells a current entry from one left behind by a claim or a requeue. */
interface Entry {
  readonly job: JobState;
  readonly ticket: number;
}

const byRunOrder = (a: Entry, b: Entry): boolean =>
  a.job.spec.priority !== b.job.spec.priority
    ? a.job.spec.priority < b.job.spec.priority
    : a.job.seq < b.job.seq;

const byRunAt = (a: Entry, b: Entry): boolean =>
  a.job.runAt !== b.job.runAt ? a.job.runAt < b.job.runAt : a.job.seq < b.job.seq;

/**
 * The pending jobs in the order they run: lowest priority number first, then submission order,
 * among those whose runAt has come. Delayed jobs wait in a second heap, by runAt, and move over
 * when their time comes. Removal is lazy (a job that leaves the queue leaves a stale entry
 * behind, skipped when it surfaces), so every operation is O(log n).
 */
export class RunQueue {
  readonly #ready = new Heap<Entry>(byRunOrder);
  readonly #delayed = new Heap<Entry>(byRunAt);
  #size = 0;

  /** Jobs in the queue (delayed ones included). */
  get size(): number {
    return this.#size;
  }

  add(job: JobState, now: number): void {
    if (job.queued) this.remove(job);
    job.queued = true;
    const entry = { job, ticket: ++job.queueTicket };
    (job.runAt <= now ? this.#ready : this.#delayed).push(entry);
    this.#size++;
  }

  /** Takes the job out of the queue (cancelled, failed, started). */
  remove(job: JobState): void {
    if (!job.queued) return;
    job.queued = false;
    job.queueTicket++;
    this.#size--;
  }

  /** The next runnable job, left in the queue. */
  peek(now: number): JobState | undefined {
    this.#promote(now);
    return this.#top(this.#ready)?.job;
  }

  /** Removes and returns the next runnable job. */
  take(now: number): JobState | undefined {
    this.#promote(now);
    for (;;) {
      const entry = this.#ready.pop();
      if (entry === undefined) return undefined;
      if (!isCurrent(entry)) continue;
      this.remove(entry.job);
      return entry.job;
    }
  }

  /** The earliest runAt among queued jobs. */
  nextRunAt(): number | undefined {
    const ready = this.#top(this.#ready);
    if (ready !== undefined)
      return Math.min(ready.job.runAt, this.#top(this.#delayed)?.job.runAt ?? Infinity);
    return this.#top(this.#delayed)?.job.runAt;
  }

  clear(): void {
    this.#ready.clear();
    this.#delayed.clear();
    this.#size = 0;
  }

  #promote(now: number): void {
    for (;;) {
      const entry = this.#delayed.peek();
      if (entry === undefined || entry.job.runAt > now) return;
      this.#delayed.pop();
      if (isCurrent(entry)) this.#ready.push(entry);
    }
  }

  /** The heap's first current entry, dropping stale ones on the way. */
  #top(heap: Heap<Entry>): Entry | undefined {
    for (;;) {
      const entry = heap.peek();
      if (entry === undefined || isCurrent(entry)) return entry;
      heap.pop();
    }
  }
}

function isCurrent(entry: Entry): boolean {
  return entry.job.queued && entry.ticket === entry.job.queueTicket;
}
