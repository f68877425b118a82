import { Heap } from './heap.ts';
import type { JobState } from './job-state.ts';

/** A heap entry; `ticket` tells a current entry from one left behind by a claim or a requeue. */
interface Entry {
  readonly job: JobState;
  readonly ticket: number;
}

/** Whether `a` runs before `b`: lower priority number first, then submission order. */
const runsBefore = (a: JobState, b: JobState): boolean =>
  a.spec.priority !== b.spec.priority ? a.spec.priority < b.spec.priority : a.seq < b.seq;

const byRunOrder = (a: Entry, b: Entry): boolean => runsBefore(a.job, b.job);

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
   * that came due) goes through the heap; take() compares the two heads. Jobs and their
   * tickets sit in two arrays rather than one entry object each: a queued burst is mostly lane.
   */
  #laneJobs: (JobState | undefined)[] = [];
  #laneTickets: number[] = [];
  #laneHead = 0;
  /** Set by #next(): whether the job it returned heads the lane (else the ready heap). */
  #nextFromLane = false;
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
    const ticket = ++job.queueTicket;
    if (job.runAt > now) this.#delayed.push({ job, ticket });
    else this.#pushReady(job, ticket, undefined);
    this.#size++;
  }

  /** `entry`: the heap entry the job already has, if any (a delayed job that came due). */
  #pushReady(job: JobState, ticket: number, entry: Entry | undefined): void {
    if (job.spec.priority === 0 && job.seq > this.#laneLastSeq) {
      this.#laneJobs.push(job);
      this.#laneTickets.push(ticket);
      this.#laneLastSeq = job.seq;
    } else {
      this.#ready.push(entry ?? { job, ticket });
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
    return this.#next();
  }

  /** Removes and returns the next runnable job. */
  take(now: number): JobState | undefined {
    this.#promote(now);
    const job = this.#next();
    if (job === undefined) return undefined;
    if (this.#nextFromLane) this.#shiftLane();
    else this.#ready.pop();
    this.remove(job);
    return job;
  }

  /** The earliest runAt among queued jobs. */
  nextRunAt(): number | undefined {
    const ready = this.#next();
    if (ready !== undefined)
      return Math.min(ready.runAt, this.#top(this.#delayed)?.job.runAt ?? Infinity);
    return this.#top(this.#delayed)?.job.runAt;
  }

  clear(): void {
    this.#laneJobs = [];
    this.#laneTickets = [];
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
      if (isCurrent(entry)) this.#pushReady(entry.job, entry.ticket, entry);
    }
  }

  /** The first current job of the lane and of the heap, whichever runs first. */
  #next(): JobState | undefined {
    let lane = this.#laneJobs[this.#laneHead];
    while (
      lane !== undefined &&
      !(lane.queued && this.#laneTickets[this.#laneHead] === lane.queueTicket)
    ) {
      this.#shiftLane();
      lane = this.#laneJobs[this.#laneHead];
    }
    const heap = this.#top(this.#ready)?.job;
    this.#nextFromLane = lane !== undefined && (heap === undefined || !runsBefore(heap, lane));
    return this.#nextFromLane ? lane : heap;
  }

  #shiftLane(): void {
    this.#laneJobs[this.#laneHead++] = undefined;
    if (this.#laneHead === this.#laneJobs.length) {
      this.#laneJobs = [];
      this.#laneTickets = [];
      this.#laneHead = 0;
    } else if (this.#laneHead > 1024 && this.#laneHead * 2 > this.#laneJobs.length) {
      this.#laneJobs = this.#laneJobs.slice(this.#laneHead);
      this.#laneTickets = this.#laneTickets.slice(this.#laneHead);
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
