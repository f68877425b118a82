/**
 * Housekeeping that need not happen while a job's result is on its way to whoever awaits it:
 * forgetting old finished jobs, pruning the memory store. Run from the check phase, once the
 * awaiting code has had its turn (and sent its next job, which the worker then runs meanwhile),
 * instead of inside the one result in a hundred that crossed the threshold: that job used to
 * pay for the sweep, which is what a p99 latency measures. One pending run per task, however
 * many jobs asked for it. Unref'd: housekeeping never keeps a host alive.
 */
export class AfterTurn {
  readonly #task: () => void;
  #scheduled = false;

  constructor(task: () => void) {
    this.#task = task;
  }

  request(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#run).unref();
  }

  readonly #run = (): void => {
    this.#scheduled = false;
    this.#task();
  };
}
