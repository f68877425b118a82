/**
 * Every error of @plugwork/bullmq and every message a person can read from it, in one module:
 * what failed, which plugin / job / option, and what to do.
 */
import { type JobFailure, WorkerErrorCode } from '@plugwork/worker';

export const BullmqErrorCode = {
  /** A BullmqNode / BullmqRunner option is missing, has the wrong type or is out of range. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** A call before start() / after close(). */
  INVALID_STATE: 'INVALID_STATE',
  /** submit() named a plugin that no live node offers. */
  UNKNOWN_PLUGIN: 'UNKNOWN_PLUGIN',
  /** submit() got params, metadata or options that cannot be sent (not JSON, bad option). */
  INVALID_PARAMS: 'INVALID_PARAMS',
  /** submit() got params (with metadata) larger than `maxParamsBytes`. */
  PARAMS_TOO_LARGE: 'PARAMS_TOO_LARGE',
  /** Redis could not be reached (down, restarting, wrong address) within the time allowed. */
  REDIS_UNAVAILABLE: 'REDIS_UNAVAILABLE',
  /** The job was retried after chunks of an earlier attempt had been read: they cannot be unsent. */
  STREAM_INTERRUPTED: 'STREAM_INTERRUPTED',
  /** stream() misuse: not a streaming job, iterated twice, or attached after output began. */
  STREAM_UNAVAILABLE: WorkerErrorCode.STREAM_UNAVAILABLE,
} as const;
export type BullmqErrorCode = (typeof BullmqErrorCode)[keyof typeof BullmqErrorCode];

/** Base class of every error this package throws or rejects with (job failures are JobErrors). */
export class PlugworkBullmqError extends Error {
  override name = 'PlugworkBullmqError';
  readonly code: BullmqErrorCode;

  constructor(code: BullmqErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isPlugworkBullmqError(error: unknown): error is PlugworkBullmqError {
  return error instanceof PlugworkBullmqError;
}

export class InvalidBullmqOptionsError extends PlugworkBullmqError {
  override name = 'InvalidBullmqOptionsError';
  readonly option: string;

  constructor(owner: 'BullmqNode' | 'BullmqRunner', option: string, problem: string) {
    super(
      BullmqErrorCode.INVALID_OPTIONS,
      option === ''
        ? `Invalid ${owner} options: ${problem}`
        : `Invalid ${owner} option "${option}": ${problem}`,
    );
    this.option = option;
  }
}

export class BullmqStateError extends PlugworkBullmqError {
  override name = 'BullmqStateError';

  static notStarted(owner: string, action: string): BullmqStateError {
    return new BullmqStateError(
      BullmqErrorCode.INVALID_STATE,
      `Cannot ${action}: the ${owner} has not started. Call and await start() first`,
    );
  }

  static closed(owner: string, action: string): BullmqStateError {
    return new BullmqStateError(
      BullmqErrorCode.INVALID_STATE,
      `Cannot ${action}: the ${owner} is closing or closed. Create a new one`,
    );
  }

  static alreadyStarted(owner: string): BullmqStateError {
    return new BullmqStateError(
      BullmqErrorCode.INVALID_STATE,
      `${owner}.start() was already called; it starts once`,
    );
  }
}

/** submit(): no live node offers the plugin. */
export class NoNodeForPluginError extends PlugworkBullmqError {
  override name = 'NoNodeForPluginError';
  readonly plugin: string;

  constructor(plugin: string, offered: readonly string[], nodes: number) {
    super(
      BullmqErrorCode.UNKNOWN_PLUGIN,
      nodes === 0
        ? `Cannot submit a job for plugin "${plugin}": no plugwork node is running on this Redis (key prefix). Start one (plugwork-node --redis … --plugins …) with the same prefix`
        : `Cannot submit a job for plugin "${plugin}": none of the ${nodes} live node(s) offers it; they offer ${
            offered.length === 0 ? 'no plugins' : offered.map((name) => `"${name}"`).join(', ')
          }. Check the name, or add the plugin to a node's plugins folder`,
    );
    this.plugin = plugin;
  }
}

/** submit(): params, metadata or options that cannot travel. */
export class InvalidSubmitError extends PlugworkBullmqError {
  override name = 'InvalidSubmitError';

  constructor(plugin: string, problem: string, options?: { cause?: unknown }) {
    super(
      BullmqErrorCode.INVALID_PARAMS,
      `Cannot submit a job for plugin "${plugin}": ${problem}`,
      options,
    );
  }
}

export class ParamsTooLargeError extends PlugworkBullmqError {
  override name = 'ParamsTooLargeError';
  readonly bytes: number;
  readonly limit: number;

  constructor(plugin: string, bytes: number, limit: number) {
    super(
      BullmqErrorCode.PARAMS_TOO_LARGE,
      `Cannot submit a job for plugin "${plugin}": its params and metadata take ${bytes} bytes as JSON, over the limit of ${limit} (maxParamsBytes). Store large inputs elsewhere (a file, object storage) and pass a reference, or raise maxParamsBytes`,
    );
    this.bytes = bytes;
    this.limit = limit;
  }
}

export class RedisUnavailableError extends PlugworkBullmqError {
  override name = 'RedisUnavailableError';

  constructor(action: string, target: string, detail: string, options?: { cause?: unknown }) {
    super(
      BullmqErrorCode.REDIS_UNAVAILABLE,
      `Cannot ${action}: Redis at ${target} is not reachable (${detail}). Nothing was queued; retry once Redis is back (the runner reconnects by itself)`,
      options,
    );
  }
}

export class StreamInterruptedError extends PlugworkBullmqError {
  override name = 'StreamInterruptedError';
  readonly jobId: string;

  constructor(jobId: string, plugin: string, attempt: number) {
    super(
      BullmqErrorCode.STREAM_INTERRUPTED,
      `The stream of job ${jobId} (plugin "${plugin}") was interrupted: its attempt ${attempt - 1} ended after some chunks were read, and attempt ${attempt} streams again from the start. Await job.result for the final outcome, or submit streaming jobs with attempts: 1`,
    );
    this.jobId = jobId;
  }
}

export class StreamMisuseError extends PlugworkBullmqError {
  override name = 'StreamMisuseError';

  static notStreaming(jobId: string, plugin: string): StreamMisuseError {
    return new StreamMisuseError(
      BullmqErrorCode.STREAM_UNAVAILABLE,
      `Job ${jobId} (plugin "${plugin}") was not submitted with { stream: true }: there is nothing to iterate. Await job.result instead`,
    );
  }

  static consumedElsewhere(
    jobId: string,
    plugin: string,
    from: number,
    to: number,
  ): StreamMisuseError {
    const entries = from === to ? `entry ${from}` : `entries ${from} to ${to}`;
    return new StreamMisuseError(
      BullmqErrorCode.STREAM_UNAVAILABLE,
      `The chunks of job ${jobId} (plugin "${plugin}") are read by another client: its stream ${entries} were consumed (and deleted) before this one read them, so this iterator would miss output. A stream has one consumer: iterate it in one place, and await job.result elsewhere`,
    );
  }

  static alreadyIterated(jobId: string): StreamMisuseError {
    return new StreamMisuseError(
      BullmqErrorCode.STREAM_UNAVAILABLE,
      `The stream of job ${jobId} is already being iterated: a job's stream has one consumer`,
    );
  }

  static tooLate(jobId: string): StreamMisuseError {
    return new StreamMisuseError(
      BullmqErrorCode.STREAM_UNAVAILABLE,
      `The chunks of job ${jobId} already go to job:chunk listeners: its result or done was asked for before anything iterated it. Iterate the job first, then await its result`,
    );
  }
}

/** Failures that only exist across machines. The text after the code is what a person reads. */
export const RemoteFailures = {
  nodeLost(jobId: string, plugin: string, lost: number, attempts: number): JobFailure {
    return {
      code: WorkerErrorCode.NODE_LOST,
      message: `Job ${jobId} (plugin "${plugin}") failed: the node running it was lost (it died or lost Redis, so its lock expired) ${
        lost === 1 ? 'once' : `${lost} times`
      }, and the job had no attempts left (attempts: ${attempts}). Submit with more attempts to let another node retry it`,
    };
  },

  streamAbandoned(jobId: string, plugin: string, lagMs: number, windowChars: number): JobFailure {
    return {
      code: WorkerErrorCode.STREAM_ABANDONED,
      message: `Job ${jobId} (plugin "${plugin}") was stopped: ${windowChars} characters of its stream waited in Redis unread for ${lagMs} ms (the submitter stopped reading or is gone). Iterate the stream faster, or raise the node's stream.lagTimeoutMs`,
    };
  },

  handedBack(jobId: string, plugin: string): string {
    return `Job ${jobId} (plugin "${plugin}") was handed back to its queue: its node shut down before it finished`;
  },

  /** BullMQ's own failure texts, for jobs that failed outside a plugwork node. */
  foreign(jobId: string, plugin: string, reason: string): JobFailure {
    return {
      code: WorkerErrorCode.PLUGIN_ERROR,
      message: `Job ${jobId} (plugin "${plugin}") failed: ${reason}`,
    };
  },
} as const;

/** What the CLI prints for a bad command line. */
export const CliMessages = {
  usage: `Usage: plugwork-node --redis <redis://host:port> (--plugins <dir> | --npm <project dir>)... [--pool <n>] [--prefix <key prefix>] [--name <node name>] [--watch | --no-watch] [--drain-ms <ms>] [--lock-ms <ms>]`,
  missing: (what: string) => `plugwork-node: ${what} is required.`,
  bad: (flag: string, value: string, expected: string) =>
    `plugwork-node: ${flag} ${JSON.stringify(value)} is not valid: expected ${expected}.`,
  unknown: (flag: string) => `plugwork-node: unknown option ${flag}.`,
} as const;

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
