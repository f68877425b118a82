import type { JobParams, JsonObject } from '@plugwork/protocol';
import type { JobChunkEvent, JobManagerEvents, JobProgressEvent } from './parent/events.ts';
import type { Job, JobStatus } from './parent/job.ts';

/**
 * One job seen from whoever submitted it, wherever it runs. `JobHandle` (local) and the BullMQ
 * runner's handle (another machine) both are one; code written against this type runs on both.
 */
export interface JobHandleLike extends AsyncIterable<string> {
  readonly id: string;
  readonly plugin: string;
  /** The plugin's result; rejects with a JobError when the job fails or is cancelled. */
  readonly result: Promise<JsonObject>;
  /** The final Job snapshot, whatever the outcome. Never rejects. */
  readonly done: Promise<Job>;
  /** The status as this handle last saw it. */
  readonly status: JobStatus;
  /** The job as this handle last saw it. */
  snapshot(): Job;
  /** The job's chunks, in order (submit with `{ stream: true }`); one consumer per job. */
  stream(): AsyncIterableIterator<string>;
  /** Resolves true once the job ended cancelled, false if it had already ended. */
  cancel(): Promise<boolean>;
}

/** The submit options every runner takes, with the same meaning. */
export interface RunnerSubmitOptions {
  /** Stream the output (iterate the handle). Default false. */
  stream?: boolean;
  /** Time limit from the moment the job starts running. */
  timeoutMs?: number;
  /** Anything JSON the host wants to keep with the job. */
  metadata?: JsonObject;
  /** The job's id (default: generated). */
  id?: string;
}

/** listJobs() filter. */
export interface JobFilter {
  status?: JobStatus | JobStatus[];
  plugin?: string;
}

/** The job events every runner emits (for the jobs it holds or submitted). */
export type JobRunnerEvents = Pick<
  JobManagerEvents,
  | 'job:queued'
  | 'job:started'
  | 'job:progress'
  | 'job:chunk'
  | 'job:completed'
  | 'job:failed'
  | 'job:cancelled'
>;

/**
 * What runs jobs: the local `JobManager`, or `BullmqRunner` (`@plugwork/bullmq`) over Redis.
 * Hosts written against it move from one machine to many by changing one constructor. Calls
 * may answer at once (local) or later (remote): `await` every result.
 */
export interface JobRunner {
  submit(
    plugin: string,
    params?: JobParams,
    options?: RunnerSubmitOptions,
  ): JobHandleLike | Promise<JobHandleLike>;
  getJob(jobId: string): Job | undefined | Promise<Job | undefined>;
  listJobs(filter?: JobFilter): Job[] | Promise<Job[]>;
  cancel(jobId: string): Promise<boolean>;
  // One overload per event (rather than one generic signature) so that any typed EventEmitter
  // whose event map includes these, JobManager's included, implements them as it is.
  on(event: 'job:queued', listener: (job: Job) => void): this;
  on(event: 'job:started', listener: (job: Job) => void): this;
  on(event: 'job:progress', listener: (event: JobProgressEvent) => void): this;
  on(event: 'job:chunk', listener: (event: JobChunkEvent) => void): this;
  on(event: 'job:completed', listener: (job: Job) => void): this;
  on(event: 'job:failed', listener: (job: Job) => void): this;
  on(event: 'job:cancelled', listener: (job: Job) => void): this;
  off(event: 'job:queued', listener: (job: Job) => void): this;
  off(event: 'job:started', listener: (job: Job) => void): this;
  off(event: 'job:progress', listener: (event: JobProgressEvent) => void): this;
  off(event: 'job:chunk', listener: (event: JobChunkEvent) => void): this;
  off(event: 'job:completed', listener: (job: Job) => void): this;
  off(event: 'job:failed', listener: (job: Job) => void): this;
  off(event: 'job:cancelled', listener: (job: Job) => void): this;
}
