import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers a worker process's CPU priority: its nice value becomes the host's plus `increment`
 * (at most 19). On a machine with few cores a worker that computes flat out otherwise takes the
 * core the host needs to read what it sends (a stream's first chunk arrives late, every other
 * job waits on a busy host); a niced worker still gets every cycle the host does not use.
 *
 * Linux keeps a nice value per thread: every thread the process has is set, and threads it
 * starts later inherit it. Call it right after the spawn and again once the worker is ready
 * (for threads started in between). Lowering a priority needs no privilege, so the only
 * failure is a process or thread that is already gone, which is ignored.
 */
export function lowerWorkerPriority(pid: number | undefined, increment: number): void {
  if (pid === undefined || increment <= 0) return;
  const nice = Math.min(19, getPriority() + increment);
  for (const id of threadsOf(pid)) {
    try {
      if (getPriority(id) < nice) setPriority(id, nice);
    } catch {
      // Gone (it exited, or the thread ended): nothing left to lower.
    }
  }
}

function threadsOf(pid: number): number[] {
  if (process.platform !== 'linux') return [pid];
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [pid];
  }
}
