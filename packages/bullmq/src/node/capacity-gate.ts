import type { Worker } from 'bullmq';

/** After a slot frees, how long idle queues wait before they resume (see below). */
const RESUME_DELAY_MS = 20;

/**
 * Keeps the node's BullMQ workers (one per plugin queue) from taking more jobs than its local
 * pool can run, without touching the path of a busy queue. A job of a plugin of concurrency c
 * (jobs at once per worker process, as the catalog says) takes 1/c of a worker; the pool has
 * `poolSize` workers. The free slots of a plugin are the free workers' worth of its jobs.
 *
 * - a worker running jobs gets concurrency = its jobs + the free slots, so BullMQ's own loop
 *   (and its fetch-the-next-job-on-completion shortcut) never takes more than fits;
 * - a worker running nothing is paused while no slot is free, and resumed 20 ms
 *   after one frees, if it is still free (a busy queue usually takes the slot back at once,
 *   so idle queues are not paused and resumed around every job).
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
    { worker: Worker; active: number; concurrency: number; paused: boolean }
  >();
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
    this.#workers.set(plugin, { worker, active: 0, concurrency, paused: false });
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
    if (anyFree && this.#resumeTimer === undefined) {
      this.#resumeTimer = setTimeout(() => {
        this.#resumeTimer = undefined;
        for (const entry of this.#workers.values()) {
          if (this.#free(entry.concurrency) > 0) this.#setPaused(entry, false);
        }
      }, RESUME_DELAY_MS);
    }
  }

  #setPaused(entry: { worker: Worker; paused: boolean }, paused: boolean): void {
    if (entry.paused === paused) return;
    entry.paused = paused;
    const { worker } = entry;
    const previous = this.#pending.get(worker) ?? Promise.resolve();
    const next = previous
      .then(() => (paused ? worker.pause(true) : worker.resume()))
      .catch(this.#onError);
    this.#pending.set(worker, next);
  }
}
