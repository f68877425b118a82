// Starts a JobManager on the bench adapter.
import { JobManager } from '@plugwork/worker';

export const benchAdapter = {
  module: new URL('../fixtures/bench-adapter.mjs', import.meta.url).href,
  export: 'createAdapter',
};

/** @param {Partial<import('@plugwork/worker').JobManagerOptions>} options */
export async function startManager(options = {}) {
  const manager = new JobManager({
    adapter: benchAdapter,
    queue: { maxSize: 1_000_000 },
    retainJobs: 0,
    ...options,
  });
  await manager.start();
  return manager;
}
