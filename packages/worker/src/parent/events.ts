import type { PluginDescriptor, PluginDiagnostic, WorkerLifecycleState } from '@plugwork/protocol';
import type { Job } from './job.ts';
import type { KillReason } from './worker-slot.ts';

/** What the adapter offers: from the workers' `ready` (and `plugins_changed` in watch mode). */
export interface Catalog {
  readonly plugins: readonly PluginDescriptor[];
  /** Candidates that could not be offered or loaded, and why. */
  readonly diagnostics: readonly PluginDiagnostic[];
}

export interface JobProgressEvent {
  jobId: string;
  plugin: string;
  /** 0 to 1. */
  progress: number;
  message: string | undefined;
}

export interface JobChunkEvent {
  jobId: string;
  plugin: string;
  /** Text as it arrived; chunks the plugin produced quickly may arrive joined together. */
  chunk: string;
  /** The last chunk of the job's stream. */
  final: boolean;
}

export interface WorkerEvent {
  workerId: string;
  pid: number;
  /** Restarts of this pool position so far. */
  restarts: number;
  loadedPlugins: string[];
}

export interface WorkerExitEvent {
  workerId: string;
  pid: number;
  code: number | null;
  signal: string | null;
  /** "was killed by SIGKILL", "exited with code 3 after running out of memory", … */
  description: string;
  /** Set when the manager killed the worker on purpose. */
  killedFor: KillReason | undefined;
  /** The job it was running, if any. */
  jobId: string | undefined;
  willRestart: boolean;
  /** Delay before the restart (backoff), when there is one. */
  restartInMs: number | undefined;
}

export interface WorkerFailedEvent {
  workerId: string;
  /** Why it will not be restarted, for a person. */
  reason: string;
}

export interface WorkerProtocolErrorEvent {
  workerId: string;
  pid: number;
  message: string;
  /** The job the malformed message named, if it named one. */
  jobId: string | undefined;
}

/** Every event of a JobManager and its listener's arguments. */
export interface JobManagerEvents {
  'job:queued': [job: Job];
  'job:started': [job: Job];
  /** An attempt failed and the job is queued again (attempts left); `job.attempts` says why. */
  'job:retrying': [job: Job];
  'job:progress': [event: JobProgressEvent];
  'job:chunk': [event: JobChunkEvent];
  'job:completed': [job: Job];
  'job:failed': [job: Job];
  'job:cancelled': [job: Job];
  'worker:started': [event: WorkerEvent];
  'worker:exited': [event: WorkerExitEvent];
  'worker:restarted': [event: WorkerEvent & { previousPid: number | undefined }];
  'worker:failed': [event: WorkerFailedEvent];
  'worker:protocol-error': [event: WorkerProtocolErrorEvent];
  'catalog:changed': [catalog: Catalog];
}

/** One worker as getWorkerStates() reports it. */
export interface WorkerState {
  workerId: string;
  pid: number | undefined;
  state: WorkerLifecycleState;
  loadedPlugins: string[];
  /** The first of the jobs it runs now (several, for plugins with concurrency above 1). */
  currentJobId: string | undefined;
  /** Every job it runs now. */
  runningJobIds: string[];
  restarts: number;
  /** Crashes counted toward restart.maxCrashes right now. */
  recentCrashes: number;
  /** Why the worker failed, once it has. */
  failure: string | undefined;
  /** Memory the worker process reports (bytes); undefined when it did not answer. */
  memory: { rss: number; heapUsed: number } | undefined;
  /** Why the worker's own report is missing (not running, or no answer in time). */
  unanswered: string | undefined;
}

/** manager.stats(). */
export interface ManagerStats {
  /** Jobs not started yet: in the queue, or sent ahead to a worker (prefetch). */
  queued: number;
  running: number;
  workers: Record<WorkerLifecycleState, number>;
  plugins: Record<string, import('./stats.ts').PluginStats>;
}
