/** Why a job did not complete (job.error), and the JobError its handle rejects with. */
import { PlugworkWorkerError } from './base.ts';
import { WorkerErrorCode } from './codes.ts';
import { describeExit, type ExitDescription } from './worker-errors.ts';

/** A job's failure as data: stored on the job (`job.error`) and broadcast with its events. */
export interface JobFailure {
  code: WorkerErrorCode;
  message: string;
  /**
   * The advice `message` ends with, when it is in this package's terms (options such as
   * `timeoutMs`): a host that gives its users other words for them (a CLI flag, a form field)
   * replaces this tail of the message with its own.
   */
  hint?: string;
}

/** Named constructors for the failures a job can end with. */
export const JobFailures = {
  pluginError(jobId: string, plugin: string, reason: string): JobFailure {
    return {
      code: WorkerErrorCode.PLUGIN_ERROR,
      message: `Plugin "${plugin}" failed on job ${jobId}: ${reason}`,
    };
  },

  // The reason says what to do: the adapter knows whether the config, the code or its setup is
  // at fault, so no hint of this package's own is added.
  loadFailed(jobId: string, plugin: string, reason: string): JobFailure {
    return {
      code: WorkerErrorCode.PLUGIN_LOAD_FAILED,
      message: `Job ${jobId} could not run because plugin "${plugin}" could not be loaded: ${reason}`,
    };
  },

  /** Also used in the worker: the text travels as the result's `error`. */
  notSerializable(jobId: string, plugin: string, reason: string): JobFailure {
    return {
      code: WorkerErrorCode.RESULT_NOT_SERIALIZABLE,
      message: `Plugin "${plugin}" returned a result for job ${jobId} that cannot be sent to the host: ${reason}. Return plain objects, arrays, strings, numbers, booleans or null`,
    };
  },

  workerCrashed(jobId: string, plugin: string, exit: ExitDescription, next: string): JobFailure {
    return {
      code: WorkerErrorCode.WORKER_CRASHED,
      message: `Job ${jobId} (plugin "${plugin}") failed: worker ${exit.pid} ${describeExit(exit)} while running it. ${next}`,
    };
  },

  timedOut(jobId: string, plugin: string, timeoutMs: number, kill: string): JobFailure {
    return withHint(
      WorkerErrorCode.JOB_TIMEOUT,
      `Job ${jobId} (plugin "${plugin}") timed out after ${timeoutMs} ms${kill}.`,
      'Raise its timeoutMs (submit option or timeouts.jobMs) if it needs longer',
    );
  },

  stalled(jobId: string, plugin: string, stallMs: number, kill: string): JobFailure {
    return withHint(
      WorkerErrorCode.JOB_STALLED,
      `Job ${jobId} (plugin "${plugin}") was stopped: it reported no progress and streamed nothing for ${stallMs} ms${kill}.`,
      'Report progress more often or raise stallMs (submit option or timeouts.stallMs)',
    );
  },

  cancelled(jobId: string, plugin: string, how: string): JobFailure {
    return {
      code: WorkerErrorCode.JOB_CANCELLED,
      message: `Job ${jobId} (plugin "${plugin}") was cancelled${how}`,
    };
  },

  /** A job ignored its cancel; the worker it shared was killed with this one still running. */
  killedWithAnother(
    jobId: string,
    plugin: string,
    pid: number,
    forcedBy: string,
    graceMs: number,
  ): JobFailure {
    return {
      code: WorkerErrorCode.WORKER_CRASHED,
      message: `Job ${jobId} (plugin "${plugin}") failed: worker ${pid} was killed because job ${forcedBy}, which ran beside it, ignored its cancel; this job had not finished within ${graceMs} ms of the worker stopping to take jobs. Submit it again if it is safe to retry`,
    };
  },

  noWorkers(jobId: string, plugin: string, detail: string): JobFailure {
    return {
      code: WorkerErrorCode.NO_WORKERS,
      message: `Job ${jobId} (plugin "${plugin}") cannot run: no worker is left (${detail}). See the worker:failed event or the log for the cause, fix it, and create a new JobManager`,
    };
  },

  /** The worker's text (RESULT_TOO_LARGE, CHUNK_TOO_LARGE) already names size and limit. */
  tooLarge(
    jobId: string,
    plugin: string,
    code: typeof WorkerErrorCode.RESULT_TOO_LARGE | typeof WorkerErrorCode.CHUNK_TOO_LARGE,
    reason: string,
  ): JobFailure {
    return { code, message: `Plugin "${plugin}" failed on job ${jobId}: ${reason}` };
  },

  sendFailed(jobId: string, plugin: string, what: string, reason: string): JobFailure {
    return {
      code: WorkerErrorCode.SEND_FAILED,
      message: `Job ${jobId} (plugin "${plugin}") failed: its ${what} could not be sent to the worker (${reason})`,
    };
  },

  protocolError(jobId: string, plugin: string, detail: string): JobFailure {
    return {
      code: WorkerErrorCode.PROTOCOL_ERROR,
      message: `Job ${jobId} (plugin "${plugin}") failed: its worker sent a malformed answer (${detail})`,
    };
  },

  /** A durable job was running when its host died and may not run again. */
  hostRestarted(jobId: string, plugin: string, attempts: number, maxAttempts: number): JobFailure {
    return {
      code: WorkerErrorCode.HOST_RESTARTED,
      message: `Job ${jobId} (plugin "${plugin}") was running when its host stopped (a crash, a kill or a restart), and it may not run again (${attempts} of ${maxAttempts} attempt${maxAttempts === 1 ? '' : 's'} used), so it is marked failed. Whether its work was done is unknown: submit it again if it is safe to repeat, or give such jobs more attempts`,
    };
  },

  /** The attempt a host restart cut short, on a job that runs again. */
  attemptInterrupted(jobId: string, plugin: string, attempt: number): JobFailure {
    return {
      code: WorkerErrorCode.HOST_RESTARTED,
      message: `Attempt ${attempt} of job ${jobId} (plugin "${plugin}") was cut short: its host stopped while it ran. The job has attempts left, so it was queued again`,
    };
  },

  /** A batched write could not save the job, so it will not run. */
  notStored(
    jobId: string,
    plugin: string,
    error: { message: string; code: WorkerErrorCode },
  ): JobFailure {
    return {
      code: error.code,
      message: `Job ${jobId} (plugin "${plugin}") was not saved and will not run: ${error.message}`,
    };
  },
} as const;

function withHint(code: WorkerErrorCode, text: string, hint: string): JobFailure {
  return { code, message: `${text} ${hint}`, hint };
}

/** How a stopped job's message ends: how the stop was carried out. */
export const StopPhrases = {
  queued: ' while it was queued',
  loading: ' while its plugin was loading',
  cooperative: '; the plugin stopped when asked',
  killed: (pid: number, graceMs: number, restarting: boolean) =>
    `; the plugin did not stop within ${graceMs} ms of being asked, so worker ${pid} was killed${
      restarting ? ' and is being restarted' : ''
    }`,
  shutdown: ' because the JobManager shut down',
} as const;

/** The error a job's result promise rejects with (and its stream iterator throws). */
export class JobError extends PlugworkWorkerError {
  override name = 'JobError';
  readonly jobId: string;
  readonly plugin: string;

  constructor(jobId: string, plugin: string, failure: JobFailure) {
    super(failure.code, failure.message);
    this.jobId = jobId;
    this.plugin = plugin;
  }
}

export function isJobError(error: unknown): error is JobError {
  return error instanceof JobError;
}
