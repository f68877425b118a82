import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { WorkerStartError } from '../errors.ts';
import { ipcHostTransport } from '../transport/ipc.ts';
import type { LaunchPlan } from './launch-plan.ts';
import { eventOrTimeout, type SpawnedWorker, type SpawnSettings } from './spawned-worker.ts';

/** Built JavaScript, always: worker processes never start through a TypeScript loader. */
const CHILD_ENTRY = new URL('../child/main.js', import.meta.url);

/** The stdio slot of the pipe whose end-of-file tells the worker its host is gone. */
const HOST_PIPE_FD = 4;

/** Forks a Node worker with an IPC channel and a host pipe (see child/host-watchdog.ts). */
export async function spawnIpcWorker(
  workerId: string,
  plan: LaunchPlan,
  settings: SpawnSettings,
): Promise<SpawnedWorker> {
  let child: ChildProcess;
  try {
    child = fork(
      CHILD_ENTRY,
      [`--host-pipe-fd=${HOST_PIPE_FD}`, `--grace-ms=${settings.graceMs}`],
      {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
        serialization: 'json',
        execPath: plan.command,
        execArgv: plan.flags(undefined),
        env: settings.env ?? process.env,
        cwd: settings.cwd,
      },
    );
  } catch (error) {
    throw WorkerStartError.spawnFailed(workerId, error);
  }
  // Errors after spawn (a failed kill or send) are seen through 'exit' and the request paths.
  child.on('error', () => {});
  if (child.pid === undefined) {
    const [error] = await once(child, 'error');
    throw WorkerStartError.spawnFailed(workerId, error);
  }
  // The host's end of the host pipe stays open, unread, for the worker's whole life.
  const hostPipe = child.stdio[HOST_PIPE_FD] as (NodeJS.ReadableStream & { unref?(): void }) | null;
  hostPipe?.unref?.();
  return {
    child,
    transport: ipcHostTransport(child),
    channelDrained: (maxMs) =>
      child.connected ? eventOrTimeout(child, 'disconnect', maxMs) : Promise.resolve(),
    release: () => (child.stdio[HOST_PIPE_FD] as { destroy?(): void } | null)?.destroy?.(),
  };
}
