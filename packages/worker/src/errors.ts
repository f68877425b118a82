/**
 * Every error of @plugwork/worker, and every message a person can read from it. One module, so
 * the wording stays consistent and each message says what failed, where, and what to do.
 */
import type { PluginDiagnostic } from '@plugwork/protocol';

/** Machine-readable reasons, on every error (`error.code`) and every failed job (`job.error.code`). */
export const WorkerErrorCode = {
  /** A JobManager option is missing, has the wrong type or is out of range. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** submit/reload/... called before start() resolved, after shutdown(), or start() called twice. */
  INVALID_STATE: 'INVALID_STATE',
  /** submit() found the queue at its bound. */
  QUEUE_FULL: 'QUEUE_FULL',
  /** submit() named a plugin the adapter did not discover. */
  UNKNOWN_PLUGIN: 'UNKNOWN_PLUGIN',
  /** submit() named a plugin the adapter found but could not offer (see its diagnostic). */
  PLUGIN_UNAVAILABLE: 'PLUGIN_UNAVAILABLE',
  /** restartWorker() named no worker of the pool. */
  UNKNOWN_WORKER: 'UNKNOWN_WORKER',
  /** submit() got parameters that cannot be sent (reserved key, function, cycle, BigInt). */
  INVALID_PARAMS: 'INVALID_PARAMS',
  /** A worker did not become ready: its adapter failed to build or discovery threw. */
  WORKER_START_FAILED: 'WORKER_START_FAILED',
  /** A worker did not answer `init` within timeouts.startMs. */
  WORKER_START_TIMEOUT: 'WORKER_START_TIMEOUT',
  /** reload/unload/get_state was not answered within the request timeout. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The worker answered a reload/unload/get_state with an error. */
  REQUEST_FAILED: 'REQUEST_FAILED',
  /** The worker exited while a request was waiting for its answer. */
  WORKER_EXITED: 'WORKER_EXITED',
  /** A worker sent a message that does not follow the protocol. */
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
  /** job.stream() misuse: not a streaming job, iterated twice, or attached after output began. */
  STREAM_UNAVAILABLE: 'STREAM_UNAVAILABLE',

  // Job failures (job.error.code / JobError.code):
  /** The plugin threw or rejected. */
  PLUGIN_ERROR: 'PLUGIN_ERROR',
  /** The plugin could not be loaded (bad config, import error, setup threw or timed out). */
  PLUGIN_LOAD_FAILED: 'PLUGIN_LOAD_FAILED',
  /** The plugin returned something JSON cannot carry (function, cycle, BigInt, symbol, Map, Set). */
  RESULT_NOT_SERIALIZABLE: 'RESULT_NOT_SERIALIZABLE',
  /** The worker process exited or was killed while running the job. */
  WORKER_CRASHED: 'WORKER_CRASHED',
  /** The job ran longer than its timeout. */
  JOB_TIMEOUT: 'JOB_TIMEOUT',
  /** The job reported no progress and streamed nothing for longer than its stall timeout. */
  JOB_STALLED: 'JOB_STALLED',
  /** The job was cancelled (job.cancel(), or shutdown() while it was queued or running). */
  JOB_CANCELLED: 'JOB_CANCELLED',
  /** No worker is left to run the job: every worker failed (crash-loop cap) or was not restarted. */
  NO_WORKERS: 'NO_WORKERS',
  /** submit() got params whose JSON is larger than limits.paramsBytes. */
  PARAMS_TOO_LARGE: 'PARAMS_TOO_LARGE',
  /** The plugin returned a result whose JSON is larger than limits.resultBytes. */
  RESULT_TOO_LARGE: 'RESULT_TOO_LARGE',
  /** The plugin streamed one chunk larger than limits.chunkBytes. */
  CHUNK_TOO_LARGE: 'CHUNK_TOO_LARGE',
  /** A message the job needed could not be sent over the worker's channel. */
  SEND_FAILED: 'SEND_FAILED',
  /** Under `permissions`, a granted path holds a symbolic link that leads outside the grants. */
  SANDBOX_LINK_ESCAPES: 'SANDBOX_LINK_ESCAPES',
  /** Across machines (@plugwork/bullmq): the node running the job was lost (died, or lost Redis). */
  NODE_LOST: 'NODE_LOST',
  /** Across machines (@plugwork/bullmq): nobody read the job's stream for too long. */
  STREAM_ABANDONED: 'STREAM_ABANDONED',
  /** The job was running when its host stopped, and it had no attempts left (durable stores). */
  HOST_RESTARTED: 'HOST_RESTARTED',

  // Job store (durable jobs):
  /** The store file is not a plugwork job store (another program's database, or not SQLite). */
  STORE_NOT_PLUGWORK: 'STORE_NOT_PLUGWORK',
  /** The store file was written by a newer @plugwork/worker (a schema version this one lacks). */
  STORE_NEWER_SCHEMA: 'STORE_NEWER_SCHEMA',
  /** The store file or its directory cannot be written. */
  STORE_READ_ONLY: 'STORE_READ_ONLY',
  /** The store file is damaged. */
  STORE_CORRUPT: 'STORE_CORRUPT',
  /** Another process has the store file open. */
  STORE_LOCKED: 'STORE_LOCKED',
  /** The store file cannot be opened for another reason (missing directory, I/O error). */
  STORE_OPEN_FAILED: 'STORE_OPEN_FAILED',
  /** No SQLite driver: neither node:sqlite nor better-sqlite3 can be loaded. */
  STORE_DRIVER_MISSING: 'STORE_DRIVER_MISSING',
  /** The disk (or the store's size cap) is full: the write was refused. */
  STORE_FULL: 'STORE_FULL',
  /** A write to the store failed for another reason (I/O error). */
  STORE_WRITE_FAILED: 'STORE_WRITE_FAILED',
  /** A history query was malformed (a cursor from elsewhere, an inverted time range). */
  INVALID_QUERY: 'INVALID_QUERY',
} as const;
export type WorkerErrorCode = (typeof WorkerErrorCode)[keyof typeof WorkerErrorCode];

/** Base class of every error this package throws or rejects with. */
export class PlugworkWorkerError extends Error {
  override name = 'PlugworkWorkerError';
  readonly code: WorkerErrorCode;

  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isPlugworkWorkerError(error: unknown): error is PlugworkWorkerError {
  return error instanceof PlugworkWorkerError;
}

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

/** `1.5 MiB`, `512 KiB`, `300 B`: sizes in messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} B`;
}

/** A worker process did not become ready. */
export class WorkerStartError extends PlugworkWorkerError {
  override name = 'WorkerStartError';
  readonly workerId: string;
  readonly pid: number | undefined;

  constructor(
    code: WorkerErrorCode,
    workerId: string,
    pid: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.workerId = workerId;
    this.pid = pid;
  }

  static timeout(workerId: string, pid: number | undefined, startMs: number): WorkerStartError {
    return new WorkerStartError(
      WorkerErrorCode.WORKER_START_TIMEOUT,
      workerId,
      pid,
      `Worker ${workerId} (pid ${pid ?? '?'}) did not become ready within ${startMs} ms, so it was killed. Its adapter or the setup of a plugin in pluginConfigs is too slow or hangs; raise timeouts.startMs if it is just slow`,
    );
  }

  static initFailed(workerId: string, pid: number | undefined, reason: string): WorkerStartError {
    return new WorkerStartError(
      WorkerErrorCode.WORKER_START_FAILED,
      workerId,
      pid,
      `Worker ${workerId} (pid ${pid ?? '?'}) could not start: ${reason}`,
    );
  }

  static exited(workerId: string, pid: number | undefined, exit: string): WorkerStartError {
    return new WorkerStartError(
      WorkerErrorCode.WORKER_START_FAILED,
      workerId,
      pid,
      `Worker ${workerId} (pid ${pid ?? '?'}) ${exit} before it became ready. Check the worker's output in the log (worker.execArgv, worker.env and the adapter module are the usual suspects)`,
    );
  }

  static spawnFailed(workerId: string, cause: unknown): WorkerStartError {
    return new WorkerStartError(
      WorkerErrorCode.WORKER_START_FAILED,
      workerId,
      undefined,
      `Worker ${workerId} could not be spawned: ${describe(cause)}. Check worker.cwd and worker.execArgv${spawnHint(cause)}`,
      { cause },
    );
  }
}

/** For a missing binary: which option or variable points at it. */
function spawnHint(cause: unknown): string {
  const path = (cause as { code?: unknown; path?: unknown } | null)?.path;
  if ((cause as { code?: unknown } | null)?.code !== 'ENOENT' || typeof path !== 'string')
    return '';
  if (/deno(\.exe)?$/.test(path)) {
    return `; "${path}" was not found: install the \`deno\` npm package, or set worker.denoPath or $PLUGWORK_DENO_PATH`;
  }
  if (/node(\.exe)?$/.test(path)) {
    return `; "${path}" was not found: set worker.nodePath or $PLUGWORK_NODE_PATH to a node binary`;
  }
  if (/python[\d.]*(\.exe)?$/.test(path)) {
    return `; "${path}" was not found: install Python >= 3.9, or set worker.pythonPath or $PLUGWORK_PYTHON_PATH to a python3 binary`;
  }
  return '';
}

/** What the host says about Python workers' options (runtime 'python'). */
export const PythonMessages = {
  notAPythonModule: (specifier: string) =>
    `"${specifier}" is not something a Python worker can import. With runtime 'python', give a Python module name importable from worker.cwd ("myproject.plugins"), the path of a .py file, or fsAdapter({ directories }) from @plugwork/adapter-fs`,
  workerDirInvalid: (dir: string, main: string) =>
    `$PLUGWORK_PYTHON_WORKER_DIR is "${dir}", but ${main} does not exist. Point it at the folder that holds the plugwork_worker package (packages/worker-python in the plugwork repository), or unset it`,
  noSandbox:
    "is not supported with runtime 'python': Python has no permission model to enforce it. Run Python workers in a container or under a separate user instead, or use runtime 'deno' for sandboxed plugins",
} as const;

/** A reload, unload or get_state request failed. */
export class WorkerRequestError extends PlugworkWorkerError {
  override name = 'WorkerRequestError';
  readonly workerId: string;
  readonly pid: number;
  readonly requestType: string;
  /** The worker's own words (REQUEST_FAILED) or how it ended (WORKER_EXITED). */
  readonly reason: string | undefined;
  /** Plugins loaded after the failed request, when the worker said (reload/unload answers). */
  loadedPlugins: string[] | undefined;

  constructor(
    code: WorkerErrorCode,
    workerId: string,
    pid: number,
    requestType: string,
    message: string,
    reason?: string,
  ) {
    super(code, message);
    this.workerId = workerId;
    this.pid = pid;
    this.requestType = requestType;
    this.reason = reason;
  }

  static timeout(
    workerId: string,
    pid: number,
    requestType: string,
    subject: string,
    timeoutMs: number,
    killed: boolean,
  ): WorkerRequestError {
    return new WorkerRequestError(
      WorkerErrorCode.REQUEST_TIMEOUT,
      workerId,
      pid,
      requestType,
      `Worker ${workerId} (pid ${pid}) did not answer "${requestType}"${subject} within ${timeoutMs} ms${
        killed ? ', so it was killed and will be restarted' : ''
      }. The plugin's setup or dispose may hang or be slow; raise timeouts.requestMs if it is just slow`,
    );
  }

  static failed(
    workerId: string,
    pid: number,
    requestType: string,
    subject: string,
    reason: string,
  ): WorkerRequestError {
    return new WorkerRequestError(
      WorkerErrorCode.REQUEST_FAILED,
      workerId,
      pid,
      requestType,
      `Worker ${workerId} (pid ${pid}) could not ${requestType}${subject}: ${reason}`,
      reason,
    );
  }

  static exited(
    workerId: string,
    pid: number,
    requestType: string,
    subject: string,
    exit: string,
  ): WorkerRequestError {
    return new WorkerRequestError(
      WorkerErrorCode.WORKER_EXITED,
      workerId,
      pid,
      requestType,
      `Worker ${workerId} (pid ${pid}) ${exit} before it answered "${requestType}"${subject}`,
      exit,
    );
  }
}

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

/** A queued reload/unload could not run: its worker failed for good or the manager shut down. */
export class WorkerUnavailableError extends PlugworkWorkerError {
  override name = 'WorkerUnavailableError';
  readonly workerId: string;

  constructor(workerId: string, why: string) {
    super(WorkerErrorCode.NO_WORKERS, `Worker ${workerId} cannot serve the request: ${why}`);
    this.workerId = workerId;
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

/** A worker sent a message that does not follow the wire protocol. The worker keeps running. */
export class WorkerProtocolError extends PlugworkWorkerError {
  override name = 'WorkerProtocolError';
  readonly workerId: string;
  readonly pid: number;

  constructor(workerId: string, pid: number, detail: string, options?: { cause?: unknown }) {
    super(
      WorkerErrorCode.PROTOCOL_ERROR,
      `Worker ${workerId} (pid ${pid}) sent a malformed message: ${detail}. A plugin may be calling process.send() itself, or the worker runs a different plugwork version than the host`,
      options,
    );
    this.workerId = workerId;
    this.pid = pid;
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

/** What the host knows about a worker's exit, for error messages. */
export interface ExitDescription {
  pid: number;
  code: number | null;
  signal: string | null;
  outOfMemory: boolean;
  /** An uncaught exception the worker reported just before it died. */
  fatalError: string | undefined;
}

/** "was killed by SIGKILL" / "exited with code 3", plus what is known about why. */
export function describeExit(exit: ExitDescription): string {
  let text =
    exit.signal !== null
      ? `was killed by ${exit.signal}`
      : `exited with code ${exit.code ?? 'unknown'}`;
  if (exit.outOfMemory) {
    text +=
      ' after running out of memory (raise the heap with worker.execArgv, e.g. "--max-old-space-size=4096", or make the plugin use less)';
  } else if (exit.fatalError !== undefined) {
    text += ` after an uncaught exception: ${exit.fatalError}`;
  }
  return text;
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

/** How a crashed job's message ends: what happens to the worker next. */
export const RestartPhrases = {
  restarting: (delayMs: number) =>
    delayMs > 0
      ? `The worker will be restarted in ${delayMs} ms; queued jobs will run on it. Submit the job again if it is safe to retry.`
      : 'The worker is being restarted; queued jobs will run on it. Submit the job again if it is safe to retry.',
  crashLoop: (crashes: number, windowMs: number) =>
    `The worker crashed ${crashes} times within ${windowMs} ms (restart.maxCrashes), so it will not be restarted.`,
  policy: (policy: string) =>
    `The restart policy "${policy}" does not restart a worker after this, so it stays down.`,
  shuttingDown: 'The manager is shutting down, so the worker is not restarted.',
} as const;

/** Why a worker is reported failed (the worker:failed event and NO_WORKERS messages). */
export const WorkerFailurePhrases = {
  crashLoop: (workerId: string, crashes: number, windowMs: number, last: string) =>
    `worker ${workerId} crashed ${crashes} times within ${windowMs} ms and is not restarted any more (restart.maxCrashes); last exit: ${last}`,
  policy: (workerId: string, policy: string, last: string) =>
    `worker ${workerId} is not restarted under restart policy "${policy}"; it ${last}`,
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

/** Error codes the worker puts on a failed result (`error_code`). */
export const ResultErrorCode = {
  PLUGIN_ERROR: WorkerErrorCode.PLUGIN_ERROR,
  PLUGIN_LOAD_FAILED: WorkerErrorCode.PLUGIN_LOAD_FAILED,
  RESULT_NOT_SERIALIZABLE: WorkerErrorCode.RESULT_NOT_SERIALIZABLE,
  UNKNOWN_PLUGIN: WorkerErrorCode.UNKNOWN_PLUGIN,
  RESULT_TOO_LARGE: WorkerErrorCode.RESULT_TOO_LARGE,
  CHUNK_TOO_LARGE: WorkerErrorCode.CHUNK_TOO_LARGE,
  /** The worker's channel refused the result (it could not be serialised or written). */
  SEND_FAILED: WorkerErrorCode.SEND_FAILED,
  /** A job the host took back before the worker started it (the host runs it elsewhere). */
  WITHDRAWN: 'WITHDRAWN',
  /** The job's AbortSignal had fired when it ended. */
  CANCELLED: 'CANCELLED',
} as const;

/** Error codes of the worker's `error` messages (not tied to one job's result). */
export const WorkerMessageErrorCode = {
  /** A request the worker received did not follow the protocol. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** init failed: the adapter could not be built or discovery threw. */
  INIT_FAILED: 'INIT_FAILED',
  /** A request arrived that the worker cannot serve in its state (execute before init, …). */
  NOT_READY: 'NOT_READY',
  /** Something threw outside any job; the worker exits right after reporting it. */
  UNCAUGHT_EXCEPTION: 'UNCAUGHT_EXCEPTION',
} as const;

/** Messages the worker process itself writes. */
export const ChildMessages = {
  noSocket:
    '@plugwork/worker: this module is the entry point of socket workers (Deno, or Node under a Deno host); the JobManager starts it with --socket=<path>. Do not run it directly.\n',
  socketConnect: (path: string, reason: string) =>
    `@plugwork/worker: cannot connect to the host's socket ${path}: ${reason}. The host may have exited, or the worker lacks permission to use the socket.\n`,
  noIpc:
    '@plugwork/worker: this module is the worker process entry point; the JobManager starts it with an IPC channel. Do not run it directly.\n',
  adapterImport: (specifier: string, reason: string) =>
    `cannot import adapter module "${specifier}": ${reason}`,
  adapterExport: (specifier: string, name: string, found: string) =>
    `adapter module "${specifier}" has no function export "${name}" (found: ${found}). Set adapter.export to the factory's name`,
  adapterFactory: (specifier: string, name: string, reason: string) =>
    `the adapter factory ${name}() of "${specifier}" threw: ${reason}`,
  adapterShape: (specifier: string, name: string, missing: string[]) =>
    `${name}() of "${specifier}" returned an object that is not a PluginManagerAdapter (missing: ${missing.join(', ')})`,
  discoveryFailed: (reason: string) => `plugin discovery failed: ${reason}`,
  alreadyInitialised: 'init was received twice; a worker is initialised once',
  notInitialised: (type: string) => `"${type}" arrived before init; the worker has no adapter yet`,
  unknownPlugin: (plugin: string, available: string[]) =>
    `the worker has no plugin named "${plugin}" (discovered: ${available.length === 0 ? 'none' : available.join(', ')})`,
  unknownPluginInConfigs: (plugin: string) =>
    `pluginConfigs has a config for "${plugin}", but the adapter discovered no plugin of that name`,
  busy: (jobId: string, current: string) =>
    `job ${jobId} arrived while job ${current} is still running; a worker runs one job at a time`,
  stopping: 'the worker is stopping',
  endedAfterAbort: 'the plugin ended early because the job was stopped',
  cancelledBeforeStart: 'the job was cancelled before the worker started it',
  withdrawn: 'the host took the job back before the worker started it',
  resultTooLarge: (bytes: number, limit: number) =>
    `its result is ${formatBytes(bytes)} of JSON, over the limit of ${formatBytes(limit)} (limits.resultBytes). Return a reference (a file path, a URL) instead, or raise limits.resultBytes`,
  chunkTooLarge: (bytes: number, limit: number) =>
    `it streamed one chunk of ${formatBytes(bytes)} of JSON, over the limit of ${formatBytes(limit)} (limits.chunkBytes). Yield smaller pieces, or raise limits.chunkBytes`,
  sendFailed: (what: string, reason: string) =>
    `its ${what} could not be sent to the host (${reason})`,
} as const;

/** What the host's watchdog process (parent/host-watchdog.ts) can tell a person. */
export const HostWatchdogMessages = {
  unavailable: (reason: string) =>
    `plugwork could not start its watchdog process (/bin/sh: ${reason}). Workers still exit when this process exits or disconnects, but a worker whose plugin blocks its event loop would outlive this process if it were killed (SIGKILL). Make /bin/sh available to run that guard.`,
} as const;

/** The message of anything thrown, for embedding in another message. */
export function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** Why a value cannot be sent as JSON; `path` says where (`result.items[2].callback`). */
export const JsonSafetyPhrases = {
  bigint: (path: string) => `${path} is a BigInt (convert it to a string or a number)`,
  function: (path: string) => `${path} is a function`,
  symbol: (path: string) => `${path} is a symbol`,
  cycle: (path: string) => `${path} refers back to an object that contains it (a cycle)`,
  collection: (path: string, kind: string) =>
    `${path} is a ${kind}, which JSON would silently turn into {} (convert it to an array or object)`,
  tooDeep: (path: string) => `${path} is nested too deeply to serialise`,
  toJsonThrew: (path: string, reason: string) => `${path}.toJSON() threw: ${reason}`,
} as const;

/** How a store file failed to open, or a store failed to work; `file` is its path. */
export class JobStoreError extends PlugworkWorkerError {
  override name = 'JobStoreError';
  /** The SQLite file, absolute; undefined for the memory store. */
  readonly file: string | undefined;

  constructor(
    code: WorkerErrorCode,
    file: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.file = file;
  }

  static notSqlite(file: string): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_NOT_PLUGWORK,
      file,
      `The job store file ${file} is not a SQLite database, so it is not a plugwork job store. Point the store at a new file (it is created), or move this one aside`,
    );
  }

  static foreign(file: string, what: string): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_NOT_PLUGWORK,
      file,
      `The job store file ${file} is a SQLite database of another program (${what}), not a plugwork job store; plugwork leaves it untouched. Point the store at a new file (it is created)`,
    );
  }

  static newerSchema(file: string, version: number, supported: number): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_NEWER_SCHEMA,
      file,
      `The job store file ${file} has schema version ${version}, written by a newer @plugwork/worker; this one knows versions up to ${supported} and leaves the file untouched. Upgrade @plugwork/worker, or point the store at another file`,
    );
  }

  static readOnly(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_READ_ONLY,
      file,
      `The job store file ${file} cannot be written (${reason}). plugwork writes the file and creates ${file}-wal beside it: check the permissions of the file and of its directory, and that the file system is not mounted read-only`,
      { cause },
    );
  }

  static corrupt(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_CORRUPT,
      file,
      `The job store file ${file} is damaged (${reason}). Restore it from a backup, or move it aside (with ${file}-wal if present) to start with an empty store; \`sqlite3 ${file} .recover\` may salvage its rows`,
      { cause },
    );
  }

  static locked(file: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_LOCKED,
      file,
      `The job store file ${file} is in use by another process: a store file serves one JobManager at a time. Stop the other host, or give this one its own file`,
      { cause },
    );
  }

  static openFailed(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_OPEN_FAILED,
      file,
      `The job store file ${file} cannot be opened (${reason}). Check that its directory exists and that the path names a file, not a directory`,
      { cause },
    );
  }

  static driverMissing(runtime: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_DRIVER_MISSING,
      undefined,
      `The SQLite job store needs the better-sqlite3 package on ${runtime}, which has no node:sqlite (Node >= 22.13 and Deno >= 2.2 have it). Install it beside your application: npm install better-sqlite3@12 (version 13 crashes on Node 20). Or use the memory store`,
      { cause },
    );
  }

  static driverFailed(driver: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_DRIVER_MISSING,
      undefined,
      `The SQLite driver ${driver} could not be loaded: ${reason}. If it was built for another Node version, run \`npm rebuild better-sqlite3\`; on Node 20 use better-sqlite3@12`,
      { cause },
    );
  }

  static full(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_FULL,
      file,
      `The job store file ${file} could not be written: ${reason}. Jobs stored before are kept. Free disk space (or raise the store's maxSizeBytes, or retain fewer finished jobs) and submit again`,
      { cause },
    );
  }

  static writeFailed(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_WRITE_FAILED,
      file,
      `The job store file ${file} could not be written (${reason}). Jobs stored before are kept; writes are retried`,
      { cause },
    );
  }

  static closed(file: string | undefined): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.INVALID_STATE,
      file,
      `The job store${file === undefined ? '' : ` ${file}`} is closed: its JobManager shut down. Create a new JobManager`,
    );
  }

  static badCursor(cursor: string): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.INVALID_QUERY,
      undefined,
      `The cursor "${cursor}" is not one listJobs returned (pass a page's nextCursor as it is, with the same filter)`,
    );
  }

  static badQuery(field: string, problem: string): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.INVALID_QUERY,
      undefined,
      `Invalid listJobs filter "${field}": ${problem}`,
    );
  }
}
