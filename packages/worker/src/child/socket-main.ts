// The worker process's entry point when the channel is a socket rather than Node's IPC: Deno
// workers, and Node workers of a Deno host. The host listens on a Unix domain socket and passes
// its path as `--socket=`; the worker connects and speaks newline-delimited JSON. Arguments,
// not environment variables, so a sandboxed Deno worker needs no --allow-env.
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { ChildMessages } from '../errors.ts';
import { socketTransport } from '../transport/socket-ndjson.ts';
import { serve } from './serve.ts';

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    socket: { type: 'string' },
    'grace-ms': { type: 'string' },
    'max-line': { type: 'string' },
  },
  strict: false,
});
const socketPath = values.socket;
if (typeof socketPath !== 'string' || socketPath === '') {
  process.stderr.write(ChildMessages.noSocket);
  process.exit(1);
}
const graceMs = Number(values['grace-ms']) || 5_000;
const maxLine = Number(values['max-line']) || undefined;

const socket = connect({ path: socketPath });
let connected = false;
socket.once('error', (error) => {
  // Before the connection is up this is fatal: there is no host to serve. Later errors are
  // the transport's (a reset is followed by 'close', which means the host is gone).
  if (connected) return;
  process.stderr.write(ChildMessages.socketConnect(socketPath, error.message));
  process.exit(1);
});
socket.once('connect', () => {
  connected = true;
  const transport = socketTransport(socket, { maxBytes: maxLine, sendBatches: true });
  serve(transport, graceMs);
});
