import type { JobManager } from '@plugwork/worker';

/**
 * What the demo needs of one source's job runner: the catalog, jobs (submit, look up, list,
 * cancel), plugin operations, the workers, events and shutdown. A local JobManager is one; a
 * runner of another mode (a client of a queue shared by many machines, a manager with a durable
 * job store) slots in by offering the same, and `createRunner` (sources.ts) is the one place
 * that chooses.
 */
export type SourceRunner = Pick<
  JobManager,
  | 'catalog'
  | 'start'
  | 'submit'
  | 'getJob'
  | 'listJobs'
  | 'cancel'
  | 'reloadPlugin'
  | 'unloadPlugin'
  | 'restartWorker'
  | 'getWorkerStates'
  | 'stats'
  | 'shutdown'
  | 'on'
>;
