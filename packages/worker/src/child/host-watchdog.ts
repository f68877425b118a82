import { Worker } from 'node:worker_threads';
import { ChildMessages, describe } from '../errors.ts';

let started = false;

/**
 * Makes sure this worker dies when its host does, even while a plugin blocks the event loop.
 *
 * The main thread already exits on the IPC channel's 'disconnect', but a plugin stuck in a
 * synchronous loop never lets that event run. So a tiny thread watches a pipe whose other end
 * only the host holds: when the host dies (even by SIGKILL) the pipe reaches end-of-file, and
 * after `graceMs` (time for a clean exit) the thread kills the process. Event driven, no polling.
 *
 * Started lazily, right before plugin code first runs: until then nothing can block the loop,
 * and an idle worker does not pay for the thread's memory.
 */
export function startHostWatchdog(fd: number, graceMs: number): void {
  if (started) return;
  started = true;
  try {
    const thread = new Worker(new URL('./host-watchdog-thread.js', import.meta.url), {
      workerData: { fd, graceMs },
      stdout: false,
      stderr: false,
      // Generous for a thread that holds one socket: hitting a limit would silently drop the net.
      resourceLimits: { maxOldGenerationSizeMb: 16, stackSizeMb: 1 },
    });
    thread.unref();
    // A safety net that fails must not take the worker down; the 'disconnect' path remains.
    thread.on('error', (error) => unavailable(error));
  } catch (error) {
    // Same: without threads the worker still exits on 'disconnect' whenever its loop is free.
    unavailable(error);
  }
}

function unavailable(error: unknown): void {
  process.stderr.write(ChildMessages.watchdogUnavailable(describe(error)));
}
