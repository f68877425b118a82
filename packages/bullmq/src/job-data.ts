import type { JsonObject } from '@plugwork/protocol';
import { type Job, type JobFailure, type JobStatus, WorkerErrorCode } from '@plugwork/worker';
import type { Job as BullJob, JobState } from 'bullmq';
import { RemoteFailures } from './errors.ts';

/** What a plugwork job carries in BullMQ (the BullMQ job's name is the plugin's). */
export interface RemoteJobData {
  params: JsonObject;
  stream: boolean;
  metadata: JsonObject;
  timeoutMs?: number;
  stallMs?: number;
}

/** What a node stores as the BullMQ job's progress. */
export interface RemoteProgress {
  progress: number;
  message?: string;
}

const CODES = new Set<string>(Object.values(WorkerErrorCode));
const ENCODED = /^\[([A-Z_]+)\] ([\s\S]*)$/;

/**
 * A failure as BullMQ's failedReason: `[CODE] message`, so dashboards show the message and
 * plugwork gets the code back.
 */
export function encodeFailure(failure: JobFailure): string {
  return `[${failure.code}] ${failure.message}`;
}

export function decodeFailure(jobId: string, plugin: string, reason: string): JobFailure {
  const match = ENCODED.exec(reason);
  if (match !== null && CODES.has(match[1]!)) {
    return { code: match[1] as JobFailure['code'], message: match[2]! };
  }
  return RemoteFailures.foreign(jobId, plugin, reason);
}

/** BullMQ's states onto plugwork's. */
export function statusOf(state: JobState | 'unknown', failure: JobFailure | undefined): JobStatus {
  switch (state) {
    case 'active':
      return 'running';
    case 'completed':
      return 'completed';
    case 'failed':
      return failure?.code === WorkerErrorCode.JOB_CANCELLED ? 'cancelled' : 'failed';
    default:
      return 'pending';
  }
}

/** Which BullMQ states hold the jobs of one plugwork status. */
export function statesOf(status: JobStatus): JobState[] {
  switch (status) {
    case 'pending':
      return ['waiting', 'delayed', 'prioritized', 'waiting-children'];
    case 'running':
      return ['active'];
    case 'completed':
      return ['completed'];
    case 'failed':
    case 'cancelled':
      return ['failed'];
  }
}

/** A plugwork Job snapshot of a BullMQ job in `state`. */
export function toJob(job: BullJob, state: JobState | 'unknown'): Job {
  const data = (job.data ?? {}) as Partial<RemoteJobData>;
  const id = job.id ?? '';
  const failure =
    state === 'failed' && typeof job.failedReason === 'string'
      ? decodeFailure(id, job.name, job.failedReason)
      : undefined;
  const progress = job.progress as RemoteProgress | number | undefined;
  const running = state === 'active';
  return Object.freeze({
    id,
    plugin: job.name,
    params: data.params ?? {},
    stream: data.stream === true,
    status: statusOf(state, failure),
    metadata: data.metadata ?? {},
    submittedAt: job.timestamp,
    startedAt: job.processedOn,
    endedAt: state === 'completed' || state === 'failed' ? job.finishedOn : undefined,
    progress:
      typeof progress === 'number'
        ? progress
        : typeof progress === 'object' && progress !== null
          ? progress.progress
          : undefined,
    progressMessage:
      typeof progress === 'object' && progress !== null ? progress.message : undefined,
    result: state === 'completed' ? ((job.returnvalue ?? {}) as JsonObject) : undefined,
    error: failure,
    workerId: running || state === 'completed' || state === 'failed' ? job.processedBy : undefined,
    workerPid: undefined,
    priority: job.opts?.priority ?? 0,
    runAt: job.timestamp + (job.opts?.delay ?? 0),
    maxAttempts: job.opts?.attempts ?? 1,
    // BullMQ keeps the latest run's times, not each attempt's: that one is what there is.
    attempts:
      job.processedOn === undefined
        ? []
        : [
            {
              startedAt: job.processedOn,
              endedAt: state === 'completed' || state === 'failed' ? job.finishedOn : undefined,
              workerId: job.processedBy,
              workerPid: undefined,
              error: failure,
            },
          ],
  });
}
