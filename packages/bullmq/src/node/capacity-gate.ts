import type { Worker } from 'bullmq';

/**
 * Keeps the node's BullMQ workers (one per plugin queue) from taking more jobs than its local
 * pool can run: while every pool slot is taken, each worker is paused (it stops fetching, its
 * running jobs go on); when a slot frees, they resume. Each worker's own concurrency is the
 * pool size, so a single queue can fill the whole pool.
 *
 * A worker already waiting for a job when the pool fills may still take one (BullMQ finishes a
 * fetch in flight): the processor hands such a job straight back to its queue (delayed by a few
 * milliseconds), for whichever node frees a slot first.
 */
export class CapacityGate {
  #capacity: number;
  #active = 0;
  #paused = false;
  readonly #workers = new Set<Worker>();
  /** Per worker, the last pause/resume, so that the calls reach BullMQ in order. */
  readonly #pending = new Map<Worker, Promise<void>>();
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

  add(worker: Worker): void {
    this.#workers.add(worker);
    if (this.#paused) this.#apply(worker, true);
  }

  delete(worker: Worker): void {
    this.#workers.delete(worker);
    this.#pending.delete(worker);
  }

  /** A job took a pool slot. */
  acquire(): void {
    this.#active++;
    this.#update();
  }

  /** A job gave its slot back. */
  release(): void {
    this.#active--;
    this.#update();
  }

  /** Stops every worker fetching, for good (shutdown). */
  closeAll(): void {
    this.#capacity = 0;
    this.#update();
  }

  #update(): void {
    const full = this.#active >= this.#capacity;
    if (full === this.#paused) return;
    this.#paused = full;
    for (const worker of this.#workers) this.#apply(worker, full);
  }

  #apply(worker: Worker, pause: boolean): void {
    const previous = this.#pending.get(worker) ?? Promise.resolve();
    const next = previous
      .then(() => (pause ? worker.pause(true) : worker.resume()))
      .catch(this.#onError);
    this.#pending.set(worker, next);
  }
}
