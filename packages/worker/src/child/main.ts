// The worker process's entry point: `fork()`ed by the host with an IPC channel (fd 3). It exits
// when the channel closes; if a plugin blocks the event loop so that it cannot see that, the
// host's watchdog process kills it (see parent/host-watchdog.ts).
import { parseArgs } from 'node:util';
import { ChildMessages } from '../errors.ts';
import { ipcWorkerTransport } from '../transport/ipc.ts';
import { WorkerLoop } from './worker-loop.ts';

const transport = ipcWorkerTransport();
if (transport === undefined) {
  process.stderr.write(ChildMessages.noIpc);
  process.exit(1);
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { 'grace-ms': { type: 'string' } },
  strict: false,
});
const graceMs = Number(values['grace-ms']) || 5_000;

process.title = 'plugwork-worker';

const loop = new WorkerLoop({
  transport,
  pid: process.pid,
  graceMs,
  exit: (code) => process.exit(code),
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
