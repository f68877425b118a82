// The worker process's entry point: `fork()`ed by the host with an IPC channel (fd 3) and a
// pipe whose end-of-file means "the host is gone" (fd 4, see host-watchdog.ts).
import { parseArgs } from 'node:util';
import { ChildMessages } from '../errors.ts';
import { ipcWorkerTransport } from '../transport/ipc.ts';
import { startHostWatchdog } from './host-watchdog.ts';
import { WorkerLoop } from './worker-loop.ts';

const transport = ipcWorkerTransport();
if (transport === undefined) {
  process.stderr.write(ChildMessages.noIpc);
  process.exit(1);
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { 'host-pipe-fd': { type: 'string' }, 'grace-ms': { type: 'string' } },
  strict: false,
});
const hostPipeFd = Number(values['host-pipe-fd']);
const graceMs = Number(values['grace-ms']) || 5_000;

process.title = 'plugwork-worker';

const loop = new WorkerLoop({
  transport,
  pid: process.pid,
  graceMs,
  exit: (code) => process.exit(code),
  beforePluginCode:
    Number.isInteger(hostPipeFd) && mayStartThreads()
      ? () => startHostWatchdog(hostPipeFd, graceMs)
      : undefined,
});

// A plugin's stray exception (a timer callback, an unawaited promise) leaves the worker in an
// unknown state: report it to the host, whose crash message then says what happened, and exit.
process.on('uncaughtException', (error) => loop.fatal(error));
process.on('unhandledRejection', (reason) => loop.fatal(reason));
// Ctrl-C in a terminal sends SIGINT to the whole process group, workers included. The host
// decides what a Ctrl-C means (cancel the job, shut down); a worker that died of it would turn
// that into a crash. So the worker ignores SIGINT and leaves its fate to the host.
process.on('SIGINT', () => {});
// SIGTERM (the host's exit hook sends it) gets the same clean stop as a host that went away.
process.on('SIGTERM', () => loop.hostGone());
transport.onClose(() => loop.hostGone());

/** False in a sandbox (Node's permission model without --allow-worker): no watchdog thread. */
function mayStartThreads(): boolean {
  const permission = (process as { permission?: { has(scope: string): boolean } }).permission;
  return permission === undefined || permission.has('worker');
}
