// Runs on its own thread inside a worker process; see host-watchdog.ts for why.
import { Socket } from 'node:net';
import { workerData } from 'node:worker_threads';

const { fd, graceMs } = workerData as { fd: number; graceMs: number };

let hostGone = false;
function onHostGone(): void {
  if (hostGone) return;
  hostGone = true;
  // The main thread gets graceMs to dispose its plugins and exit; if it is stuck, this ends it.
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), graceMs);
}

const pipe = new Socket({ fd, readable: true, writable: false });
pipe.on('end', onHostGone);
pipe.on('close', onHostGone);
pipe.on('error', onHostGone);
pipe.resume();
