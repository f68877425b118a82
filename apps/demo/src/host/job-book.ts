import type { Job, JobStatus } from '@plugwork/worker';
import { DemoError } from '../errors.ts';
import { type Hints, inUsersTerms } from './hints.ts';
import { JobLogs } from './job-logs.ts';
import { JobOutputs } from './job-outputs.ts';
import type { Source } from './source-catalog.ts';
import type { JobLog, JobLogLine, JobOutput, JobView } from './views.ts';

export interface JobBookOptions {
  /** Characters of streamed output kept per job for late listeners. */
  maxOutputChars: number;
  /** Finished jobs each source keeps (the book forgets its entries of jobs past that). */
  retainJobs: number;
  /** Advice in failed jobs, in the words of the host's users. */
  hints: Hints;
}

/**
 * The host's bookkeeping of jobs across sources: which source runs each job, what it streamed
 * and printed (kept for late listeners), and how a job looks to the API and the page.
 */
export class JobBook {
  readonly #sources: () => readonly Source[];
  readonly #jobSources = new Map<string, Source>();
  readonly #outputs: JobOutputs;
  readonly #logs = new JobLogs(500, 500);
  readonly #retainJobs: number;
  readonly #hints: Hints;

  /**
   * `sources` is read when needed: the host makes its sources' runners after the book, since
   * they log into it.
   */
  constructor(sources: () => readonly Source[], options: JobBookOptions) {
    this.#sources = sources;
    this.#outputs = new JobOutputs(options.maxOutputChars, 500);
    this.#retainJobs = options.retainJobs;
    this.#hints = options.hints;
  }

  /** A job was just submitted to `source`. */
  submitted(jobId: string, source: Source): void {
    this.#jobSources.set(jobId, source);
    this.#forgetOldJobs();
  }

  /** The source of a job this host submitted, while its runner still has it. */
  sourceOf(jobId: string): Source | undefined {
    const source = this.#jobSources.get(jobId);
    return source?.manager.getJob(jobId) === undefined ? undefined : source;
  }

  /** One job and its source. Throws DemoError UNKNOWN_JOB. */
  find(jobId: string): { source: Source; job: Job } {
    // A job of an earlier run lives in its source's store only.
    const source =
      this.#jobSources.get(jobId) ??
      this.#sources().find((each) => each.manager.getJob(jobId) !== undefined);
    const job = source?.manager.getJob(jobId);
    if (source === undefined || job === undefined) throw DemoError.unknownJob(jobId);
    return { source, job };
  }

  /** A job as the API and the page show it. */
  view(source: Source, job: Job): JobView {
    const now = Date.now();
    return {
      ...job,
      error: job.error === undefined ? undefined : inUsersTerms(job.error, this.#hints),
      source: source.name,
      waitMs: job.startedAt === undefined ? undefined : job.startedAt - job.submittedAt,
      runMs: job.startedAt === undefined ? undefined : (job.endedAt ?? now) - job.startedAt,
      output: this.#outputs.summary(job.id),
    };
  }

  /** Keeps streamed text; returns the number of characters before it. */
  appendOutput(jobId: string, chunk: string): number {
    return this.#outputs.append(jobId, chunk);
  }

  /** Keeps a printed line; false when the job's log is full (the line is not kept). */
  appendLog(jobId: string, line: JobLogLine): boolean {
    return this.#logs.append(jobId, line);
  }

  output(jobId: string): JobOutput {
    return this.#outputs.get(jobId);
  }

  logs(jobId: string): JobLog {
    return this.#logs.get(jobId);
  }

  /** Drops the job → source entries of jobs the managers have forgotten. */
  #forgetOldJobs(): void {
    const limit = (this.#retainJobs + 100) * this.#sources().length;
    if (this.#jobSources.size <= limit) return;
    for (const [jobId, source] of this.#jobSources) {
      if (source.manager.getJob(jobId) === undefined) this.#jobSources.delete(jobId);
    }
  }
}

export function isTerminalStatus(status: JobStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}
