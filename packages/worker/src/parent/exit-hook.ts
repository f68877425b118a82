import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let installed = false;

/**
 * When the host process exits without shutdown() (process.exit, end of script), its 'exit'
 * handlers are the last code that runs, and they must be synchronous. So: SIGTERM to every live
 * worker, which then disposes its plugins and exits; a worker stuck in a plugin's synchronous
 * loop is killed by the host's watchdog process once the host is gone (host-watchdog.ts).
 */
function onHostExit(): void {
  for (const child of live) {
    try {
      child.kill('SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

export function trackWorkerProcess(child: ChildProcess): void {
  live.add(child);
  if (!installed) {
    installed = true;
    process.on('exit', onHostExit);
  }
}

export function untrackWorkerProcess(child: ChildProcess): void {
  live.delete(child);
  if (live.size === 0 && installed) {
    installed = false;
    process.off('exit', onHostExit);
  }
}
