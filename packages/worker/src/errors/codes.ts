/** Machine-readable codes: on every error, every failed job, and the worker protocol. */

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
