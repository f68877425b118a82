import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { WorkerStartError } from '../errors.ts';
import { ipcHostTransport } from '../transport/ipc.ts';
import { childEntry } from './child-entry.ts';
import { guardWorker } from './host-watchdog.ts';
import type { LaunchPlan } from './launch-plan.ts';
import { eventOrTimeout, type SpawnedWorker, type SpawnSettings } from './spawned-worker.ts';

/** Built JavaScript, always: worker processes never start through a TypeScript loader. */
const CHILD_ENTRY = childEntry('main');

/** Forks a Node worker with an IPC channel, guarded by the host's watchdog (host-watchdog.ts). */
export async function spawnIpcWorker(
  workerId: string,
  plan: LaunchPlan,
  settings: SpawnSettings,
): Promise<SpawnedWorker> {
  let child: ChildProcess;
  try {
    child = fork(CHILD_ENTRY, [`--grace-ms=${settings.graceMs}`], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
      execPath: plan.command,
      execArgv: plan.flags(undefined),
      env: settings.env ?? process.env,
      cwd: settings.cwd,
    });
  } catch (error) {
    throw WorkerStartError.spawnFailed(workerId, error);
  }
  // Errors after spawn (a failed kill or send) are seen through 'exit' and the request paths.
  child.on('error', () => {});
  if (child.pid === undefined) {
    const [error] = await once(child, 'error');
    throw WorkerStartError.spawnFailed(workerId, error);
  }
  guardWorker(child, settings.graceMs);
  return {
    child,
    transport: ipcHostTransport(child),
    channelDrained: (maxMs) =>
      child.connected ? eventOrTimeout(child, 'disconnect', maxMs) : Promise.resolve(),
    release: () => {},
  };
}
