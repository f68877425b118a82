import type { StateResponse } from '@plugwork/protocol';
import { describe } from '../errors.ts';
import { occupancy } from './dispatch.ts';
import type { WorkerState } from './events.ts';
import type { WorkerSlot } from './worker-slot.ts';

/**
 * Every worker's state: the manager's view plus what the worker itself reports (loaded
 * plugins, running jobs, memory), asked with get_state. A worker that does not answer within
 * `timeoutMs` is reported with `unanswered`; this never rejects.
 */
export function readWorkerStates(
  slots: readonly WorkerSlot[],
  timeoutMs: number,
): Promise<WorkerState[]> {
  return Promise.all(slots.map((slot) => readWorkerState(slot, timeoutMs)));
}

async function readWorkerState(slot: WorkerSlot, timeoutMs: number): Promise<WorkerState> {
  const running = occupancy(slot).started.filter((job) => !job.terminal);
  const base: WorkerState = {
    workerId: slot.id,
    pid: slot.pid,
    state: slot.state,
    loadedPlugins: [...slot.loaded],
    currentJobId: running[0]?.id,
    runningJobIds: running.map((job) => job.id),
    restarts: slot.restarts,
    recentCrashes: slot.recentCrashes,
    failure: slot.failure,
    memory: undefined,
    unanswered: undefined,
  };
  const handle = slot.handle;
  if (handle === undefined || !handle.alive || slot.state === 'starting') {
    return { ...base, unanswered: `the worker is ${slot.state}` };
  }
  try {
    const state = await handle.request<StateResponse>({ type: 'get_state' }, timeoutMs);
    const reported = (state as { running_job_ids?: unknown }).running_job_ids;
    return {
      ...base,
      loadedPlugins: state.loaded_plugins,
      currentJobId: state.current_job_id ?? undefined,
      runningJobIds: Array.isArray(reported)
        ? reported.filter((id): id is string => typeof id === 'string')
        : base.runningJobIds,
      memory:
        state.memory === undefined
          ? undefined
          : { rss: state.memory.rss, heapUsed: state.memory.heap_used },
    };
  } catch (error) {
    return { ...base, unanswered: describe(error) };
  }
}
