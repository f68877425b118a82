import type { Socket } from 'node:net';
import { DEFAULT_MAX_MESSAGE_BYTES, decodeLine, encodeMessage } from '@plugwork/protocol/wire';
import { batchOf, unpackBatch } from './batch.ts';
import { type Transport, toChannelSendError } from './transport.ts';

/** What a line that is not a message turns into: the receiver's schema check rejects it. */
export interface UndecodableLine {
  undecodable: string;
}

export interface SocketTransportOptions {
  /** The longest line either way. Default: the protocol's 16 MiB. */
  maxBytes?: number;
  /**
   * `sendMany` writes one `batch` line (batch.ts) instead of a line per message, read with one
   * parse. Set where the other end is plugwork's own code (the host, a Node or Deno worker),
   * which unpacks a batch it reads; a Python worker reads and writes lines only.
   */
  sendBatches?: boolean;
}

/**
 * Newline-delimited JSON over a stream socket (a Unix domain socket the host listens on), seen
 * from either end. Used by workers that cannot share Node's IPC channel (Deno) and by every
 * worker of a host that has no IPC channel to give (a Deno host). The socket carries messages
 * only; the worker's stdout and stderr stay separate pipes.
 *
 * Lines longer than `maxBytes` are dropped without being buffered whole, and reported to the
 * receiver as an undecodable line; both ends validate every message with the protocol schemas.
 *
 */
export function socketTransport(socket: Socket, options: SocketTransportOptions = {}): Transport {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const sendBatches = options.sendBatches === true;
  let closed = false;
  let onClose: (() => void) | undefined;
  let listener: ((message: unknown) => void) | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    onClose?.();
  };
  socket.setEncoding('utf8');
  let partial = '';
  /** True while skipping the rest of an oversized line. */
  let skipping = false;
  socket.on('data', (data: string) => {
    let start = 0;
    for (let end = data.indexOf('\n'); end !== -1; end = data.indexOf('\n', start)) {
      const piece = data.slice(start, end);
      start = end + 1;
      if (skipping) {
        skipping = false;
        continue;
      }
      deliver(partial + piece);
      partial = '';
    }
    if (skipping) return;
    partial += data.slice(start);
    if (partial.length > maxBytes) {
      deliverBad(`a line longer than ${maxBytes} bytes (dropped)`);
      partial = '';
      skipping = true;
    }
  });
  const deliver = (line: string) => {
    if (line.trim() === '') return;
    let message: unknown;
    try {
      message = decodeLine(line, maxBytes);
    } catch (error) {
      deliverBad(`${(error as Error).message}: ${line.slice(0, 200)}`);
      return;
    }
    if (listener !== undefined) unpackBatch(message, listener);
  };
  const deliverBad = (text: string) => {
    listener?.({ undecodable: text } satisfies UndecodableLine);
  };
  socket.once('end', close);
  socket.once('close', close);
  // A reset by a dying peer: the close that follows is what matters.
  socket.on('error', () => {});
  return {
    send(message, onSent) {
      if (closed || socket.destroyed || !socket.writable) return false;
      let line: string;
      try {
        // encodeMessage ends the line itself.
        line = encodeMessage(message as { type: string }, maxBytes);
      } catch (error) {
        // Open channel, unsendable message (too large, not serialisable): the sender must know.
        throw toChannelSendError(error);
      }
      // write() returning false only means "buffered": the message is still on its way.
      if (onSent === undefined) socket.write(line);
      else socket.write(line, (error) => onSent(error ?? null));
      return true;
    },
    sendMany(messages) {
      if (closed || socket.destroyed || !socket.writable) return false;
      let text = '';
      try {
        if (sendBatches) text = encodeMessage(batchOf(messages), maxBytes);
        else
          for (const message of messages)
            text += encodeMessage(message as { type: string }, maxBytes);
      } catch (error) {
        throw toChannelSendError(error);
      }
      socket.write(text);
      return true;
    },
    onMessage(receive) {
      listener = receive;
    },
    onClose(receive) {
      onClose = receive;
      if (closed) receive();
    },
    close() {
      socket.end();
      close();
    },
  };
}
