import type { Worker } from 'bullmq';

/** After a slot frees, how long idle queues wait before they resume (see below). */
const RESUME_DELAY_MS = 20;

/**
 * Keeps the node's BullMQ workers (one per plugin queue) from taking more jobs than its local
 * pool has slots, without touching the path of a busy queue:
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
  #active = 0;
  readonly #workers = new Map<string, { worker: Worker; active: number; paused: boolean }>();
  /** Per worker, the last pause/resume, so that the calls reach BullMQ in order. */
  readonly #pending = new Map<Worker, Promise<void>>();
  #resumeTimer: NodeJS.Timeout | undefined;
  readonly #onError: (error: unknown) => void;

  constructor(capacity: number, onError: (error: unknown) => void) {
    this.#capacity = capacity;
    this.#onError = onError;
  }

  get active(): number {
    return this.#active;
  }

  get capacity(): number {
    return this.#capacity;
  }

  add(plugin: string, worker: Worker): void {
    this.#workers.set(plugin, { worker, active: 0, paused: false });
    this.#update();
  }

  delete(plugin: string): void {
    const entry = this.#workers.get(plugin);
    if (entry === undefined) return;
    this.#workers.delete(plugin);
    this.#pending.delete(entry.worker);
  }

  /** A job of `plugin` took a pool slot. */
  acquire(plugin: string): void {
    this.#active++;
    const entry = this.#workers.get(plugin);
    if (entry !== undefined) entry.active++;
    this.#update();
  }

  /** A job of `plugin` gave its slot back. */
  release(plugin: string): void {
    this.#active--;
    const entry = this.#workers.get(plugin);
    if (entry !== undefined) entry.active--;
    this.#update();
  }

  /** Stops every worker fetching, for good (shutdown). */
  closeAll(): void {
    this.#capacity = 0;
    clearTimeout(this.#resumeTimer);
    for (const entry of this.#workers.values()) this.#setPaused(entry, true);
  }

  #update(): void {
    const free = Math.max(0, this.#capacity - this.#active);
    for (const entry of this.#workers.values()) {
      // BullMQ refuses a concurrency below 1; an idle worker with no free slot is paused instead.
      entry.worker.concurrency = Math.max(1, entry.active + free);
      if (entry.active === 0 && free === 0) this.#setPaused(entry, true);
    }
    if (free > 0 && this.#resumeTimer === undefined) {
      this.#resumeTimer = setTimeout(() => {
        this.#resumeTimer = undefined;
        if (this.#active >= this.#capacity) return;
        for (const entry of this.#workers.values()) this.#setPaused(entry, false);
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
