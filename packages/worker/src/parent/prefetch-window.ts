/**
 * How many jobs of a plugin a worker is sent ahead of those it runs.
 *
 * `prefetch` jobs ahead keep a worker busy while the host answers, as long as each job takes
 * longer than a round trip. Jobs that take less (a lookup, a validation: tens of microseconds)
 * would still leave it waiting, and every job would cost a write of its own each way; so for a
 * plugin whose jobs are short the window grows until the work sent ahead is about AHEAD_MS,
 * at most MAX_WINDOW jobs. One long job is enough to shrink it again: the estimate is a moving
 * average, which a long run pulls up at once. A plugin never seen yet gets `prefetch`.
 */
export const AHEAD_MS = 2;
export const MAX_WINDOW = 64;
/** Weight of the newest run in the moving average. */
const WEIGHT = 0.25;

export class PrefetchWindow {
  readonly #prefetch: number;
  /** Moving average of each plugin's run time (ms), as the host saw it. */
  readonly #runMs = new Map<string, number>();

  constructor(prefetch: number) {
    this.#prefetch = prefetch;
  }

  /** A job of `plugin` ran for `ms` (start to end, as seen by the host). */
  observe(plugin: string, ms: number): void {
    if (this.#prefetch === 0) return;
    const average = this.#runMs.get(plugin);
    this.#runMs.set(plugin, average === undefined ? ms : average + WEIGHT * (ms - average));
  }

  /** Jobs of `plugin` a worker may hold ahead; 0 when pipelining is off. */
  windowFor(plugin: string): number {
    const prefetch = this.#prefetch;
    if (prefetch === 0) return 0;
    const average = this.#runMs.get(plugin);
    if (average === undefined || average * prefetch >= AHEAD_MS) return prefetch;
    return Math.min(
      MAX_WINDOW,
      Math.max(prefetch, Math.floor(AHEAD_MS / Math.max(average, 0.001))),
    );
  }
}
