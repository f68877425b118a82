import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WorkerStartError } from '../errors.ts';
import { socketTransport } from '../transport/socket-ndjson.ts';
import { childEntry } from './child-entry.ts';
import { guardWorker } from './host-watchdog.ts';
import type { LaunchPlan } from './launch-plan.ts';
import { eventOrTimeout, type SpawnedWorker, type SpawnSettings } from './spawned-worker.ts';

/** Built JavaScript, always: worker processes never start through a TypeScript loader. */
const CHILD_ENTRY = fileURLToPath(childEntry('main'));

/**
 * Starts a Node worker whose channel is a socket pair it inherits as file descriptor 3, one
 * JSON message per line (transport/socket-ndjson.ts, as every other kind of worker speaks).
 *
 * Why not Node's IPC channel (`fork`): it is the same kind of socket carrying the same
 * newline-delimited JSON, but its reads go through a receive call that looks for passed
 * handles and its messages through a second tick and `process.emit`. A no-op job's round trip
 * measured 8–10 µs shorter over the plain socket (BENCHMARKS.md). And the worker has no IPC
 * channel at all: no `process.send` for plugin code to forge with, no `process.on('message')`
 * through which it could read the host's requests.
 */
export async function spawnPipeWorker(
  workerId: string,
  plan: LaunchPlan,
  settings: SpawnSettings,
): Promise<SpawnedWorker> {
  let child: ChildProcess;
  try {
    child = spawn(
      plan.command,
      [
        ...plan.flags(undefined),
        CHILD_ENTRY,
        `--grace-ms=${settings.graceMs}`,
        `--max-line=${plan.maxLineBytes}`,
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
        env: settings.env ?? process.env,
        cwd: settings.cwd,
      },
    );
  } catch (error) {
    throw WorkerStartError.spawnFailed(workerId, error);
  }
  // Errors after spawn (a failed kill) are seen through 'exit' and the request paths.
  child.on('error', () => {});
  if (child.pid === undefined) {
    const [error] = await once(child, 'error');
    throw WorkerStartError.spawnFailed(workerId, error);
  }
  guardWorker(child, settings.graceMs);
  const channel = child.stdio[3] as Socket;
  return {
    child,
    transport: socketTransport(channel, { maxBytes: plan.maxLineBytes, sendBatches: true }),
    channelDrained: (maxMs) =>
      channel.destroyed ? Promise.resolve() : eventOrTimeout(channel, 'close', maxMs),
    release: () => channel.destroy(),
  };
}
