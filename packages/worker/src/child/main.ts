// The worker process's entry point for a Node host: spawned with its channel, a socket pair, as
// file descriptor 3 (parent/spawn-pipe.ts). It exits when the channel closes; if a plugin
// blocks the event loop so that it cannot see that, the host's watchdog process kills it (see
// parent/host-watchdog.ts).
import { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { ChildMessages } from '../errors.ts';
import { socketTransport } from '../transport/socket-ndjson.ts';
import { serve } from './serve.ts';

/** The channel's file descriptor, as the host's `stdio` places it. */
const CHANNEL_FD = 3;

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { 'grace-ms': { type: 'string' }, 'max-line': { type: 'string' } },
  strict: false,
});
const graceMs = Number(values['grace-ms']) || 5_000;
const maxLine = Number(values['max-line']) || undefined;

let channel: Socket;
try {
  // Throws when file descriptor 3 is not open, or not a socket or pipe.
  channel = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
} catch {
  process.stderr.write(ChildMessages.noChannel);
  process.exit(1);
}
process.title = 'plugwork-worker';
serve(socketTransport(channel, { maxBytes: maxLine, sendBatches: true }), graceMs);
