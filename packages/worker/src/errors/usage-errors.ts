/** Errors a host gets for what it asked: options, state, plugins, jobs, configs, streams. */
import type { PluginDiagnostic } from '@plugwork/protocol';
import { describe, formatBytes, PlugworkWorkerError } from './base.ts';
import { WorkerErrorCode } from './codes.ts';

/** A JobManager option failed validation. `option` is its dotted path (`queue.maxSize`). */
export class InvalidOptionsError extends PlugworkWorkerError {
  override name = 'InvalidOptionsError';
  readonly option: string;

  constructor(option: string, problem: string) {
    super(
      WorkerErrorCode.INVALID_OPTIONS,
      option === ''
        ? `Invalid JobManager options: ${problem}`
        : `Invalid JobManager option "${option}": ${problem}`,
    );
    this.option = option;
  }

  static unknownOption(option: string): InvalidOptionsError {
    return new InvalidOptionsError(
      option,
      'no such option (check the spelling; the README lists every option)',
    );
  }

  static configsAndRegistry(): InvalidOptionsError {
    return new InvalidOptionsError(
      'registry',
      'give either `pluginConfigs` or `registry`, not both: the registry is asked for every config',
    );
  }

  static unresolvableAdapter(specifier: string, cwd: string, cause: unknown): InvalidOptionsError {
    return new InvalidOptionsError(
      'adapter.module',
      `cannot resolve "${specifier}" from ${cwd} (${describe(cause)}). Install the package there, or pass an absolute path or file:// URL`,
    );
  }
}

/** The manager is not in a state that allows the call. */
export class ManagerStateError extends PlugworkWorkerError {
  override name = 'ManagerStateError';

  static notStarted(action: string): ManagerStateError {
    return new ManagerStateError(
      WorkerErrorCode.INVALID_STATE,
      `Cannot ${action}: the JobManager has not started. Call and await manager.start() first`,
    );
  }

  static alreadyStarted(): ManagerStateError {
    return new ManagerStateError(
      WorkerErrorCode.INVALID_STATE,
      'JobManager.start() was already called; a manager starts once (create a new one to start again)',
    );
  }

  static shutDown(action: string): ManagerStateError {
    return new ManagerStateError(
      WorkerErrorCode.INVALID_STATE,
      `Cannot ${action}: the JobManager is shutting down or has shut down. Create a new JobManager`,
    );
  }

  static noWorkers(action: string, detail: string): ManagerStateError {
    return new ManagerStateError(
      WorkerErrorCode.NO_WORKERS,
      `Cannot ${action}: no worker is left (${detail}). See the worker:failed event or the log for the cause, fix it, and create a new JobManager`,
    );
  }
}

/** submit() was refused because the queue is at `queue.maxSize`. */
export class QueueFullError extends PlugworkWorkerError {
  override name = 'QueueFullError';
  readonly maxSize: number;

  constructor(plugin: string, maxSize: number) {
    super(
      WorkerErrorCode.QUEUE_FULL,
      `Cannot queue a job for plugin "${plugin}": the queue already holds ${maxSize} jobs (queue.maxSize). Retry later, add workers (poolSize) or raise queue.maxSize`,
    );
    this.maxSize = maxSize;
  }
}

/**
 * submit() named a plugin that is not in the catalog. When a candidate of that name was found
 * but could not be offered, `diagnostic` is why, and the code is PLUGIN_UNAVAILABLE.
 */
export class UnknownPluginError extends PlugworkWorkerError {
  override name = 'UnknownPluginError';
  readonly plugin: string;
  /** The diagnostic of the candidate of that name that could not be offered, if there is one. */
  readonly diagnostic: PluginDiagnostic | undefined;

  constructor(plugin: string, available: readonly string[], diagnostic?: PluginDiagnostic) {
    super(
      diagnostic === undefined
        ? WorkerErrorCode.UNKNOWN_PLUGIN
        : WorkerErrorCode.PLUGIN_UNAVAILABLE,
      diagnostic === undefined
        ? `No plugin named "${plugin}": the adapter discovered ${
            available.length === 0
              ? 'no plugins at all'
              : `only ${available.map((n) => `"${n}"`).join(', ')}`
          }. Check the name, or manager.catalog.diagnostics for plugins that could not be offered`
        : `Plugin "${plugin}" cannot run: the adapter found it (${diagnostic.location}) but could not offer it, ${diagnostic.code}: ${diagnostic.message.replace(/\.$/, '')}. Its diagnostic is in manager.catalog.diagnostics; once it is fixed, the plugin is offered again`,
    );
    this.plugin = plugin;
    this.diagnostic = diagnostic;
  }
}

/** restartWorker() named a worker the pool does not have. */
export class UnknownWorkerError extends PlugworkWorkerError {
  override name = 'UnknownWorkerError';

  constructor(workerId: string, available: readonly string[]) {
    super(
      WorkerErrorCode.UNKNOWN_WORKER,
      `No worker "${workerId}" in this pool: its workers are ${available.map((id) => `"${id}"`).join(', ')} (see getWorkerStates())`,
    );
  }
}

/** submit() got parameters or options that cannot be sent to a worker. */
export class InvalidJobError extends PlugworkWorkerError {
  override name = 'InvalidJobError';

  constructor(plugin: string, problem: string, options?: { cause?: unknown }) {
    super(
      WorkerErrorCode.INVALID_PARAMS,
      `Cannot submit a job for plugin "${plugin}": ${problem}`,
      options,
    );
  }
}

/** submit() got params whose JSON exceeds `limits.paramsBytes`. */
export class PayloadTooLargeError extends PlugworkWorkerError {
  override name = 'PayloadTooLargeError';
  readonly bytes: number;
  readonly limit: number;

  constructor(plugin: string, bytes: number, limit: number) {
    super(
      WorkerErrorCode.PARAMS_TOO_LARGE,
      `Cannot submit a job for plugin "${plugin}": its params are ${formatBytes(bytes)} of JSON, over the limit of ${formatBytes(limit)} (limits.paramsBytes). Pass a reference (a path, a URL, an id) instead of the data, or raise limits.paramsBytes`,
    );
    this.bytes = bytes;
    this.limit = limit;
  }
}

/**
 * Under `permissions`, a path the sandbox grants holds a symbolic link to a place it does not
 * grant: runtimes follow links under a granted path, so the link would open that place.
 */
export class SandboxLinkError extends PlugworkWorkerError {
  override name = 'SandboxLinkError';
  readonly link: string;
  readonly target: string;

  constructor(link: string, target: string, grant: string) {
    super(WorkerErrorCode.SANDBOX_LINK_ESCAPES, SandboxPhrases.linkEscapes(link, target, grant));
    this.link = link;
    this.target = target;
  }
}

export const SandboxPhrases = {
  linkEscapes: (link: string, target: string, grant: string) =>
    `The sandbox grants ${grant}, which holds the symbolic link ${link} -> ${target}, outside every granted path; runtimes follow links, so plugins could reach ${target} through it. Remove the link, or grant its target in permissions.read/write`,
  pluginLinkEscapes: (plugin: string, link: string, target: string) =>
    `Plugin "${plugin}" is not offered: its folder holds the symbolic link ${link} -> ${target}, which leads outside the sandbox's granted paths (permissions.read/write). Remove the link, or grant its target`,
} as const;

/** reloadPlugin() got a config that cannot be sent to a worker. */
export class InvalidConfigError extends PlugworkWorkerError {
  override name = 'InvalidConfigError';

  constructor(plugin: string, problem: string) {
    super(
      WorkerErrorCode.INVALID_PARAMS,
      `Cannot reload plugin "${plugin}" with that config: ${problem}`,
    );
  }
}

/** reloadPlugin / unloadPlugin failed on one or more workers of the pool. */
export class PluginOperationError extends PlugworkWorkerError {
  override name = 'PluginOperationError';
  readonly plugin: string;
  /** One entry per worker that failed. */
  readonly failures: readonly PlugworkWorkerError[];

  constructor(operation: 'reload' | 'unload', plugin: string, failures: PlugworkWorkerError[]) {
    super(
      failures[0]?.code ?? WorkerErrorCode.REQUEST_FAILED,
      `Could not ${operation} plugin "${plugin}" on ${failures.length} worker${
        failures.length === 1 ? '' : 's'
      }: ${failures.map((failure) => failure.message).join('; ')}`,
    );
    this.plugin = plugin;
    this.failures = failures;
  }
}

/** job.stream() cannot give an iterator. */
export class StreamUnavailableError extends PlugworkWorkerError {
  override name = 'StreamUnavailableError';
  readonly jobId: string;

  private constructor(jobId: string, message: string) {
    super(WorkerErrorCode.STREAM_UNAVAILABLE, message);
    this.jobId = jobId;
  }

  static notStreaming(jobId: string, plugin: string): StreamUnavailableError {
    return new StreamUnavailableError(
      jobId,
      `Job ${jobId} (plugin "${plugin}") has no stream: submit it with { stream: true } to iterate its output`,
    );
  }

  static alreadyIterated(jobId: string): StreamUnavailableError {
    return new StreamUnavailableError(
      jobId,
      `The stream of job ${jobId} is already being iterated; a stream has one consumer (listen to the job:chunk event for more)`,
    );
  }

  static tooLate(jobId: string): StreamUnavailableError {
    return new StreamUnavailableError(
      jobId,
      `Job ${jobId} started streaming before anything iterated it, so its chunks went to job:chunk events only and were not kept. Call job.stream() (or start for await) right after submit()`,
    );
  }
}
