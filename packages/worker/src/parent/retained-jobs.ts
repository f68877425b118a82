import type { RenewingMap } from '../renewing-map.ts';
import { AfterTurn } from './after-turn.ts';
import type { JobRecord } from './job.ts';

/**
 * Keeps about `retainJobs` finished jobs in the manager's job map (for getJob, for handles
 * looked up by id), forgetting the oldest. Swept in batches (10% over the bound, at least 16)
 * so that finishing a job costs no Map surgery of its own, and after the turn (after-turn.ts),
 * so that no job's result waits for the sweep.
 */
export class RetainedJobs {
  readonly #jobs: RenewingMap<string, JobRecord>;
  readonly #keep: number;
  /** Finished jobs still in the map. */
  #held = 0;

  constructor(jobs: RenewingMap<string, JobRecord>, keep: number) {
    this.#jobs = jobs;
    this.#keep = keep;
  }

  /** A job in the map has finished. */
  ended(): void {
    this.#held++;
    if (this.#held > this.#keep + Math.max(16, this.#keep / 10)) this.#sweep.request();
  }

  /** `count` finished jobs left the map by other means (clearCompleted). */
  forgotten(count: number): void {
    this.#held -= count;
  }

  readonly #sweep = new AfterTurn(() => {
    // Values, not entries: an entry is an array made per step.
    for (const record of this.#jobs.values()) {
      if (this.#held <= this.#keep) break;
      if (!record.terminal) continue;
      this.#jobs.delete(record.id);
      this.#held--;
    }
  });
}
