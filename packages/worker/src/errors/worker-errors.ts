/** Errors and phrases about worker processes: starting, requests, exits, restarts. */
import { describe, PlugworkWorkerError } from './base.ts';
import { WorkerErrorCode } from './codes.ts';

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

/** A queued reload/unload could not run: its worker failed for good or the manager shut down. */
export class WorkerUnavailableError extends PlugworkWorkerError {
  override name = 'WorkerUnavailableError';
  readonly workerId: string;

  constructor(workerId: string, why: string) {
    super(WorkerErrorCode.NO_WORKERS, `Worker ${workerId} cannot serve the request: ${why}`);
    this.workerId = workerId;
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
      `Worker ${workerId} (pid ${pid}) sent a malformed message: ${detail}. A plugin may be writing to the channel itself, or the worker runs a different plugwork version than the host`,
      options,
    );
    this.workerId = workerId;
    this.pid = pid;
  }
}

/** What the host knows about a worker's exit, for error messages. */
export interface ExitDescription {
  pid: number;
  code: number | null;
  signal: string | null;
  outOfMemory: boolean;
  /** An uncaught exception the worker reported just before it died. */
  fatalError: string | undefined;
  /** Killed because its channel closed while it lived on. */
  channelLost?: boolean;
}

/** "was killed by SIGKILL" / "exited with code 3", plus what is known about why. */
export function describeExit(exit: ExitDescription): string {
  let text =
    exit.signal !== null
      ? `was killed by ${exit.signal}`
      : `exited with code ${exit.code ?? 'unknown'}`;
  if (exit.channelLost === true) {
    text +=
      " after its channel closed while it kept running (plugin code closed or took over the channel's file descriptor 3)";
  } else if (exit.outOfMemory) {
    text +=
      ' after running out of memory (raise the heap with worker.execArgv, e.g. "--max-old-space-size=4096", or make the plugin use less)';
  } else if (exit.fatalError !== undefined) {
    text += ` after an uncaught exception: ${exit.fatalError}`;
  }
  return text;
}

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

/** What the host's watchdog process (parent/host-watchdog.ts) can tell a person. */
export const HostWatchdogMessages = {
  unavailable: (reason: string) =>
    `plugwork could not start its watchdog process (/bin/sh: ${reason}). Workers still exit when this process exits or disconnects, but a worker whose plugin blocks its event loop would outlive this process if it were killed (SIGKILL). Make /bin/sh available to run that guard.`,
} as const;
