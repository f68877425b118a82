// Pins every thread of a process to a list of CPUs with util-linux's taskset (Linux only), for
// the context rows that show what a round trip costs when the host and its worker share a CPU.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Whether this process can pin: Linux, taskset on the PATH, at least two CPUs of its own. */
export function canPin() {
  if (process.platform !== 'linux' || availableParallelism() < 2) return false;
  if (spawnSync('taskset', ['-c', '-p', String(process.pid)]).status !== 0) return false;
  return cpusIn(cpuListOf(process.pid)).length >= 2;
}

/** The CPU list a process may run on now, as taskset prints it ("0,1", "0-3"). */
export function cpuListOf(pid) {
  const run = taskset(['-c', '-p', String(pid)]);
  // "pid 123's current affinity list: 0,1"
  return run.stdout.slice(run.stdout.lastIndexOf(':') + 1).trim();
}

/** Pins every thread of `pid` to `cpus` (a taskset CPU list). */
export function pin(pid, cpus) {
  taskset(['-a', '-c', '-p', cpus, String(pid)]);
}

/** The CPUs of a taskset list such as "0,1" or "0-3,6", each as a string. */
export function cpusIn(list) {
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, index) => String(from + index));
  });
}

function taskset(args) {
  const run = spawnSync('taskset', args, { encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`taskset ${args.join(' ')} failed: ${run.stderr || run.error?.message}`);
  }
  return run;
}
