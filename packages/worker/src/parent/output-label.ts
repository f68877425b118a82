import type { JobRecord } from './job.ts';

/**
 * The plugin and job a worker's output lines are labelled with: the current job's, or after it
 * the last job's. Output travels on its own pipe, so it can arrive after the job's result; the
 * label therefore moves to a new job one event-loop turn after dispatch (the worker cannot print
 * for a job before the execute message has made a round trip), so what the previous job printed
 * and the host has already received keeps that job's name. Of the jobs that begin in one turn
 * the last one names the output, so one pending turn serves them all (a burst of short jobs used
 * to pay a setImmediate each).
 */
export class OutputLabel {
  plugin: string | undefined;
  jobId: string | undefined;
  /** The worker's jobs: a job that left them by the end of the turn names nothing. */
  readonly #held: ReadonlyMap<string, JobRecord>;
  /** The job that began last, whose name the output takes at the end of the turn. */
  #next: JobRecord | undefined;

  constructor(held: ReadonlyMap<string, JobRecord>) {
    this.#held = held;
  }

  /** The worker began this job: its output is labelled with its plugin from the next turn. */
  moveTo(job: JobRecord): void {
    const scheduled = this.#next !== undefined;
    this.#next = job;
    if (!scheduled) setImmediate(this.#apply);
  }

  /** A new process: nothing is labelled yet. */
  reset(): void {
    this.plugin = undefined;
    this.jobId = undefined;
    this.#next = undefined;
  }

  readonly #apply = (): void => {
    const job = this.#next;
    this.#next = undefined;
    if (job === undefined || this.#held.get(job.id) !== job) return;
    this.plugin = job.plugin;
    this.jobId = job.id;
  };
}
