import type { JobLog, JobLogLine } from './views.ts';

/**
 * What the plugins of recent jobs printed (console.log, console.error), by job, so the page can
 * show it with the job instead of only on the server's stderr. Keeps at most `maxLines` lines per
 * job and the lines of the last `maxJobs` jobs.
 */
export class JobLogs {
  readonly #maxLines: number;
  readonly #maxJobs: number;
  readonly #logs = new Map<string, { lines: JobLogLine[]; total: number }>();

  constructor(maxLines: number, maxJobs: number) {
    this.#maxLines = maxLines;
    this.#maxJobs = maxJobs;
  }

  /** Keeps a line; returns false once the job has printed more than is kept. */
  append(jobId: string, line: JobLogLine): boolean {
    let log = this.#logs.get(jobId);
    if (log === undefined) {
      log = { lines: [], total: 0 };
      this.#logs.set(jobId, log);
      while (this.#logs.size > this.#maxJobs) this.#logs.delete(this.#logs.keys().next().value!);
    }
    log.total++;
    if (log.lines.length >= this.#maxLines) return false;
    log.lines.push(line);
    return true;
  }

  get(jobId: string): JobLog {
    const log = this.#logs.get(jobId);
    if (log === undefined) return { lines: [], total: 0, truncated: false };
    return { lines: [...log.lines], total: log.total, truncated: log.total > log.lines.length };
  }
}
