import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { describe, HostWatchdogMessages } from '../errors.ts';

/**
 * One watchdog process per host, so that no worker outlives a host that died abruptly (even by
 * SIGKILL), even while a plugin blocks the worker's event loop and the worker cannot see its
 * channel close.
 *
 * The watchdog is a tiny POSIX shell (about 1 MB, started in a millisecond) whose standard input
 * is a pipe only the host writes to. The host writes `+<pid> <grace seconds>` for each worker
 * it starts and `-<pid>` when one exits. End-of-file on that pipe means the host is gone: the
 * kernel closes the host's end whatever killed it. The watchdog then waits the longest grace
 * (workers that are not stuck exit cleanly meanwhile on their own channel's close) and sends
 * SIGKILL to every worker still registered. Event driven on both sides: no polling, no thread
 * in any worker.
 *
 * A pid is killed only if it still names the same process: the watchdog notes each worker's
 * start time from /proc/<pid>/stat when it registers, and compares before the kill (where there
 * is no /proc, as on macOS, the pid alone is used).
 *
 * The pipe makes registration race-free: lines the host wrote before dying stay readable.
 * The watchdog ends when the host has no worker left (the host closes the pipe); the next
 * worker starts a new one.
 */
const WATCHDOG_SCRIPT = `
trap '' INT HUP
pids=' '
grace=0
started() {
  line=''
  read -r line < "/proc/$1/stat" 2>/dev/null || { echo -; return; }
  set -- \${line##*) }
  shift 19
  echo "$1"
}
while read -r command; do
  case $command in
    +*)
      set -- \${command#+}
      case $1 in *[!0-9]*|'') continue ;; esac
      pids="$pids$1 "
      eval "start_$1=$(started "$1")"
      [ "$2" -gt "$grace" ] 2>/dev/null && grace=$2 ;;
    -*)
      pid=\${command#-}
      case $pids in *" $pid "*) pids="\${pids%% $pid *} \${pids#* $pid }" ;; esac ;;
  esac
done
[ "$pids" = ' ' ] && exit 0
sleep "$grace"
for pid in $pids; do
  eval "expected=\\$start_$pid"
  [ "$(started "$pid")" = "$expected" ] && kill -9 "$pid" 2>/dev/null
done
exit 0
`;

interface Registration {
  pid: number;
  graceSeconds: number;
}

const registered = new Map<ChildProcess, Registration>();
let watchdog: { process: ChildProcess; input: Socket } | undefined;
let unavailable = false;

/**
 * Registers a freshly spawned worker with the host's watchdog (started on first use) and
 * unregisters it when it exits. `graceMs`: how long the worker may take to stop by itself once
 * the host is gone, before the watchdog kills it.
 */
export function guardWorker(child: ChildProcess, graceMs: number): void {
  if (child.pid === undefined) return;
  const registration = { pid: child.pid, graceSeconds: Math.max(1, Math.ceil(graceMs / 1000)) };
  registered.set(child, registration);
  child.once('exit', () => release(child));
  const running = ensureWatchdog();
  running?.input.write(registerLine(registration));
}

function release(child: ChildProcess): void {
  const registration = registered.get(child);
  if (registration === undefined) return;
  registered.delete(child);
  if (watchdog === undefined) return;
  watchdog.input.write(`-${registration.pid}\n`);
  if (registered.size === 0) {
    // Nothing left to guard: end-of-file with an empty list ends the watchdog at once.
    watchdog.input.end();
    watchdog = undefined;
  }
}

function registerLine(registration: Registration): string {
  return `+${registration.pid} ${registration.graceSeconds}\n`;
}

function ensureWatchdog(): typeof watchdog {
  if (watchdog !== undefined || unavailable) return watchdog;
  let started: ChildProcess;
  try {
    started = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'plugwork-watchdog'], {
      stdio: ['pipe', 'ignore', 'ignore'],
      // Its own session and process group: a signal to the host's group (Ctrl-C, a supervisor
      // stopping the service) does not reach it, and it never counts as a process the host's
      // group left behind, even as the unreaped zombie it may become once the host is gone.
      detached: true,
    });
  } catch (error) {
    giveUp(error);
    return undefined;
  }
  // A pipe on stdin is a net.Socket.
  const input = started.stdin as Socket;
  const current = { process: started, input };
  watchdog = current;
  // Neither the watchdog nor its pipe may keep the host's event loop alive.
  started.unref();
  input.unref?.();
  input.on('error', () => {
    // The watchdog died (its 'exit' handler below decides what next); the host goes on.
  });
  started.once('error', (error) => {
    if (watchdog === current) watchdog = undefined;
    giveUp(error);
  });
  started.once('exit', () => {
    if (watchdog !== current) return;
    // Killed from outside while the host still has workers: start another and tell it all.
    watchdog = undefined;
    if (registered.size === 0) return;
    const replacement = ensureWatchdog();
    for (const registration of registered.values()) {
      replacement?.input.write(registerLine(registration));
    }
  });
  return current;
}

function giveUp(error: unknown): void {
  if (unavailable) return;
  unavailable = true;
  process.emitWarning(HostWatchdogMessages.unavailable(describe(error)), 'PlugworkWarning');
}
