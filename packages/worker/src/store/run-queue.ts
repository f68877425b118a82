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
  /**
   * Ready jobs that arrived in run order (priority 0, each newer than the last): most jobs, a
   * first-in first-out lane at O(1). Everything else (priorities, requeued jobs, delayed jobs
   * that came due) goes through the heap; take() compares the two heads.
   */
  #lane: (Entry | undefined)[] = [];
  #laneHead = 0;
  #laneLastSeq = 0;
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
    if (job.runAt > now) this.#delayed.push(entry);
    else this.#pushReady(entry);
    this.#size++;
  }

  #pushReady(entry: Entry): void {
    if (entry.job.spec.priority === 0 && entry.job.seq > this.#laneLastSeq) {
      this.#lane.push(entry);
      this.#laneLastSeq = entry.job.seq;
    } else {
      this.#ready.push(entry);
    }
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
    return this.#next()?.job;
  }

  /** Removes and returns the next runnable job. */
  take(now: number): JobState | undefined {
    this.#promote(now);
    const entry = this.#next();
    if (entry === undefined) return undefined;
    if (entry === this.#lane[this.#laneHead]) this.#shiftLane();
    else this.#ready.pop();
    this.remove(entry.job);
    return entry.job;
  }

  /** The earliest runAt among queued jobs. */
  nextRunAt(): number | undefined {
    const ready = this.#next();
    if (ready !== undefined)
      return Math.min(ready.job.runAt, this.#top(this.#delayed)?.job.runAt ?? Infinity);
    return this.#top(this.#delayed)?.job.runAt;
  }

  clear(): void {
    this.#lane = [];
    this.#laneHead = 0;
    this.#ready.clear();
    this.#delayed.clear();
    this.#size = 0;
  }

  #promote(now: number): void {
    for (;;) {
      const entry = this.#delayed.peek();
      if (entry === undefined || entry.job.runAt > now) return;
      this.#delayed.pop();
      if (isCurrent(entry)) this.#pushReady(entry);
    }
  }

  /** The first current entry of the lane and of the heap, whichever runs first. */
  #next(): Entry | undefined {
    let lane = this.#lane[this.#laneHead];
    while (lane !== undefined && !isCurrent(lane)) {
      this.#shiftLane();
      lane = this.#lane[this.#laneHead];
    }
    const heap = this.#top(this.#ready);
    if (lane === undefined) return heap;
    if (heap === undefined) return lane;
    return byRunOrder(heap, lane) ? heap : lane;
  }

  #shiftLane(): void {
    this.#lane[this.#laneHead++] = undefined;
    if (this.#laneHead === this.#lane.length) {
      this.#lane = [];
      this.#laneHead = 0;
    } else if (this.#laneHead > 1024 && this.#laneHead * 2 > this.#lane.length) {
      this.#lane = this.#lane.slice(this.#laneHead);
      this.#laneHead = 0;
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
