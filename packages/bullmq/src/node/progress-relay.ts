import type { Job as BullJob } from 'bullmq';
import type { RemoteProgress } from '../job-data.ts';

/**
 * Copies a job's progress into its BullMQ record (which also tells QueueEvents listeners).
 * Reports that arrive while one write is in flight collapse into the latest: a plugin reporting
 * in a tight loop costs one Redis write per round trip.
 */
export class ProgressRelay {
  readonly #job: BullJob;
  readonly #onError: (error: unknown) => void;
  #latest: RemoteProgress | undefined;
  #writing: Promise<void> | undefined;

  constructor(job: BullJob, onError: (error: unknown) => void) {
    this.#job = job;
    this.#onError = onError;
  }

  report(progress: number, message: string | undefined): void {
    this.#latest = message === undefined ? { progress } : { progress, message };
    this.#writing ??= this.#write();
  }

  /** Resolves once the last report is in Redis. */
  async flush(): Promise<void> {
    await this.#writing;
  }

  async #write(): Promise<void> {
    try {
      while (this.#latest !== undefined) {
        const progress = this.#latest;
        this.#latest = undefined;
        await this.#job.updateProgress(progress as unknown as object);
      }
    } catch (error) {
      this.#onError(error);
    } finally {
      this.#writing = undefined;
    }
  }
}
