import type { JobParams } from '@plugwork/protocol';
import type {
  JobHandleLike,
  JobManager,
  JobManagerEvents,
  ManagerStats,
  RunnerSubmitOptions,
} from '@plugwork/worker';

/**
 * What the demo needs of one source's job runner: the catalog, jobs (submit, look up, list,
 * cancel), plugin operations, the workers, events and shutdown. A local JobManager is one; the
 * `--redis` mode's RemoteSource (remote-source.ts: a BullmqRunner, the nodes as its workers) is
 * another, and `createRunner` (sources.ts) is the one place that chooses. Submitting answers at
 * once with a handle (JobHandleLike), so the host's API stays synchronous for both.
 */
export type SourceRunner = Pick<
  JobManager,
  | 'catalog'
  | 'start'
  | 'getJob'
  | 'listJobs'
  | 'cancel'
  | 'reloadPlugin'
  | 'unloadPlugin'
  | 'restartWorker'
  | 'getWorkerStates'
  | 'shutdown'
> & {
  on<K extends keyof JobManagerEvents>(
    event: K,
    listener: (...args: JobManagerEvents[K]) => void,
  ): unknown;
  submit(
    plugin: string,
    params?: JobParams,
    options?: Pick<RunnerSubmitOptions, 'stream' | 'timeoutMs' | 'metadata'>,
  ): JobHandleLike;
  stats(): Pick<ManagerStats, 'queued' | 'running'>;
};
