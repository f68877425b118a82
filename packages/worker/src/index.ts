export { ChunkBuffer, type ChunkBufferHooks } from './chunk-buffer.ts';
export {
  describeExit,
  type ExitDescription,
  InvalidConfigError,
  InvalidJobError,
  InvalidOptionsError,
  isJobError,
  isPlugworkWorkerError,
  JobError,
  type JobFailure,
  JobStoreError,
  ManagerStateError,
  PayloadTooLargeError,
  PluginOperationError,
  PlugworkWorkerError,
  QueueFullError,
  SandboxLinkError,
  StreamUnavailableError,
  UnknownPluginError,
  UnknownWorkerError,
  WorkerErrorCode,
  WorkerProtocolError,
  WorkerRequestError,
  WorkerStartError,
  WorkerUnavailableError,
} from './errors.ts';
export type {
  JobFilter,
  JobHandleLike,
  JobRunner,
  JobRunnerEvents,
  RunnerSubmitOptions,
} from './job-runner.ts';
export { DEFAULTS, type JobManagerOptions } from './options.ts';
export type {
  Catalog,
  JobChunkEvent,
  JobManagerEvents,
  JobProgressEvent,
  ManagerStats,
  WorkerEvent,
  WorkerExitEvent,
  WorkerFailedEvent,
  WorkerProtocolErrorEvent,
  WorkerState,
} from './parent/events.ts';
export type { Job, JobStatus } from './parent/job.ts';
export { JobHandle } from './parent/job-handle.ts';
export { JobManager, type SubmitOptions } from './parent/job-manager.ts';
export type { JobList } from './parent/job-store-bridge.ts';
export type { Logger, WorkerOutput } from './parent/logger.ts';
export type { RestartPolicyName } from './parent/restart-policy.ts';
export type { PluginStats, TimingSummary } from './parent/stats.ts';
export { SANDBOX_ENV_ALLOW_LIST } from './parent/worker-env.ts';
export type { KillReason } from './parent/worker-slot.ts';
export type { QueueJobOptions } from './store/job-options.ts';
export type { ListJobsFilter, RecoveryPolicy } from './store/job-store.ts';
export type { JobStoreConfig, SqliteStoreConfig } from './store/open-store.ts';
export type { RetryableFailure } from './store/retry-policy.ts';
export type { RetentionOption } from './store/store-options.ts';
export type { Backoff, JobAttempt } from './store/stored-job.ts';
export type { Transport } from './transport/transport.ts';
