import type { Transport } from '../transport/transport.ts';
import { WorkerLoop } from './worker-loop.ts';

/** Serves the host over `transport` until it closes: the worker process's life, either entry. */
export function serve(transport: Transport, graceMs: number): void {
  const loop = new WorkerLoop({
    transport,
    pid: process.pid,
    graceMs,
    exit: (code) => process.exit(code),
    runtime:
      typeof (process.versions as Record<string, unknown>).deno === 'string' ? 'deno' : 'node',
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
  // The channel closing means the host is gone (or closed it): stop, bounded by the grace.
  transport.onClose(() => loop.hostGone());
}
