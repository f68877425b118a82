import type { Worker } from 'bullmq';

/** How long the pool must take no job before paused idle queues resume (see below). */
const RESUME_DELAY_MS = 20;
/** The longest an idle queue stays paused while a slot is free but other queues keep taking it. */
const MAX_PAUSED_MS = 250;

/**
 * Keeps the node's BullMQ workers (one per plugin queue) from taking more jobs than its local
 * pool can run, without touching the path of a busy queue. A job of a plugin of concurrency c
 * (jobs at once per worker process, as the catalog says) takes 1/c of a worker; the pool has
 * `poolSize` workers. The free slots of a plugin are the free workers' worth of its jobs.
 *
 * - a worker running jobs gets concurrency = its jobs + the free slots, so BullMQ's own loop
 *   (and its fetch-the-next-job-on-completion shortcut) never takes more than fits;
 * - a worker running nothing is paused while no slot is free, and resumed (if a slot is free
 *   then) once the pool has taken no job for 20 ms, or at the latest 250 ms after it was
 *   paused. A busy queue usually takes the slot back at once, so idle queues are not paused
 *   and resumed around every job: each resume costs BullMQ a stalled-jobs scan of the queue
 *   (its stalled checker restarts), which on a stream of short jobs was a measurable share of
 *   the node's work. The 250 ms bound keeps a busy queue from starving the others.
 *
 * A worker already waiting for a job when the pool fills may still take one (BullMQ finishes a
 * fetch in flight): the processor hands such a job straight back to its queue.
 */
export class CapacityGate {
  #capacity: number;
  /** Workers' worth of the pool in use: the sum over plugins of jobs / concurrency. */
  #used = 0;
  readonly #workers = new Map<
    string,
    { worker: Worker; active: number; concurrency: number; paused: boolean; pausedAt: number }
  >();
  /** When the pool last took a job (Date.now()). */
  #lastAcquireAt = 0;
  /** Per worker, the last pause/resume, so that the calls reach BullMQ in order. */
  readonly #pending = new Map<Worker, Promise<void>>();
  #resumeTimer: NodeJS.Timeout | undefined;
  readonly #onError: (error: unknown) => void;

  /** `capacity`: the pool's worker processes. */
  constructor(capacity: number, onError: (error: unknown) => void) {
    this.#capacity = capacity;
    this.#onError = onError;
  }

  /** `concurrency`: the plugin's jobs at once per worker process (1 unless it declares more). */
  add(plugin: string, worker: Worker, concurrency: number): void {
    this.#workers.set(plugin, { worker, active: 0, concurrency, paused: false, pausedAt: 0 });
    this.#update();
  }

  setConcurrency(plugin: string, concurrency: number): void {
    const entry = this.#workers.get(plugin);
    if (entry === undefined || entry.concurrency === concurrency) return;
    this.#used += entry.active / concurrency - entry.active / entry.concurrency;
    entry.concurrency = concurrency;
    this.#update();
  }

  delete(plugin: string): void {
    const entry = this.#workers.get(plugin);
    if (entry === undefined) return;
    this.#workers.delete(plugin);
    this.#pending.delete(entry.worker);
  }

  /** Whether one more job of `plugin` fits in the pool now. */
  hasRoom(plugin: string): boolean {
    return this.#free(this.#concurrencyOf(plugin)) >= 1;
  }

  /** A job of `plugin` took its share of the pool. */
  acquire(plugin: string): void {
    const entry = this.#workers.get(plugin);
    if (entry !== undefined) entry.active++;
    this.#lastAcquireAt = Date.now();
    this.#used += 1 / this.#concurrencyOf(plugin);
    this.#update();
  }

  /** A job of `plugin` gave its share back. */
  release(plugin: string): void {
    const entry = this.#workers.get(plugin);
    if (entry !== undefined) entry.active--;
    this.#used = Math.max(0, this.#used - 1 / this.#concurrencyOf(plugin));
    this.#update();
  }

  /** Stops every worker fetching, for good (shutdown). */
  closeAll(): void {
    this.#capacity = 0;
    clearTimeout(this.#resumeTimer);
    for (const entry of this.#workers.values()) this.#setPaused(entry, true);
  }

  #concurrencyOf(plugin: string): number {
    return this.#workers.get(plugin)?.concurrency ?? 1;
  }

  /** Jobs of a plugin of `concurrency` that fit in what is left of the pool. */
  #free(concurrency: number): number {
    // The epsilon absorbs the rounding of the fractions summed in #used.
    return Math.max(0, Math.floor((this.#capacity - this.#used) * concurrency + 1e-6));
  }

  #update(): void {
    let anyFree = false;
    for (const entry of this.#workers.values()) {
      const free = this.#free(entry.concurrency);
      if (free > 0) anyFree = true;
      // BullMQ refuses a concurrency below 1; an idle worker with no free slot is paused instead.
      entry.worker.concurrency = Math.max(1, entry.active + free);
      if (entry.active === 0 && free === 0) this.#setPaused(entry, true);
    }
    if (anyFree) this.#scheduleResume(RESUME_DELAY_MS);
  }

  #scheduleResume(delayMs: number): void {
    if (this.#resumeTimer !== undefined) return;
    this.#resumeTimer = setTimeout(() => {
      this.#resumeTimer = undefined;
      this.#resumeIdle();
    }, delayMs);
  }

  /** Resumes the paused queues that have a free slot and whose wait is over; see the class. */
  #resumeIdle(): void {
    const now = Date.now();
    const quietFor = now - this.#lastAcquireAt;
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.#workers.values()) {
      if (!entry.paused || this.#free(entry.concurrency) === 0) continue;
      const wait = Math.min(RESUME_DELAY_MS - quietFor, entry.pausedAt + MAX_PAUSED_MS - now);
      if (wait <= 0) this.#setPaused(entry, false);
      else next = Math.min(next, wait);
    }
    if (next !== Number.POSITIVE_INFINITY) this.#scheduleResume(next);
  }

  #setPaused(entry: { worker: Worker; paused: boolean; pausedAt: number }, paused: boolean): void {
    if (entry.paused === paused) return;
    entry.paused = paused;
    if (paused) entry.pausedAt = Date.now();
    const { worker } = entry;
    const previous = this.#pending.get(worker) ?? Promise.resolve();
    const next = previous
      .then(() => (paused ? worker.pause(true) : worker.resume()))
      .catch(this.#onError);
    this.#pending.set(worker, next);
  }
}
