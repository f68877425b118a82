import type { ChildProcess } from 'node:child_process';
import { batchOf, unpackBatch } from './batch.ts';
import { isChannelClosedError, type Transport, toChannelSendError } from './transport.ts';

/**
 * The host's end of a Node IPC channel to a child started with `fork(…, { serialization:
 * 'json' })`. The child's stdout and stderr are separate pipes, so nothing a plugin prints can
 * reach this channel.
 */
export function ipcHostTransport(child: ChildProcess): Transport {
  let closed = false;
  let onClose: (() => void) | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    onClose?.();
  };
  child.once('disconnect', close);
  child.once('exit', close);
  const send = (message: object, onSent?: (error: Error | null) => void): boolean => {
    if (closed || !child.connected) return false;
    try {
      // Without a callback a failed write becomes an 'error' event, which the WorkerHandle
      // swallows: the exit that follows tells the real story. Skipping the callback saves
      // a tick per message on the hot path.
      return onSent === undefined ? child.send(message) : child.send(message, onSent);
    } catch (error) {
      // The channel closed between the check and the write (the child just died)...
      if (isChannelClosedError(error) || !child.connected) return false;
      // ...or this message cannot go at all (too large to serialise): the sender must know.
      throw toChannelSendError(error);
    }
  };
  return {
    send,
    sendMany(messages) {
      return send(batchOf(messages));
    },
    onMessage(listener) {
      child.on('message', (raw) => unpackBatch(raw, listener));
    },
    onClose(listener) {
      onClose = listener;
      if (closed) listener();
    },
    close() {
      if (child.connected) child.disconnect();
      close();
    },
  };
}

/** The worker's end of the IPC channel, or undefined when the process was started without one. */
export function ipcWorkerTransport(proc: NodeJS.Process = process): Transport | undefined {
  if (typeof proc.send !== 'function') return undefined;
  // Taken before any plugin code runs: a plugin that replaces process.send later cannot stand
  // between the loop and the host (what it sends itself lacks the channel token and is dropped).
  const send = proc.send.bind(proc);
  // process.send without a callback reports a failed write as a process 'error' event; the
  // host is gone then, and 'disconnect' handles that. Without this listener it would throw.
  proc.on('error', ignoreSendError);
  let closed = false;
  let onClose: (() => void) | undefined;
  proc.once('disconnect', () => {
    closed = true;
    onClose?.();
  });
  const sendOne = (message: object, onSent?: (error: Error | null) => void): boolean => {
    if (closed || !proc.connected) return false;
    try {
      return onSent === undefined ? send(message) : send(message, undefined, undefined, onSent);
    } catch (error) {
      if (isChannelClosedError(error) || !proc.connected) return false;
      throw toChannelSendError(error);
    }
  };
  return {
    send: sendOne,
    sendMany(messages) {
      return sendOne(batchOf(messages));
    },
    onMessage(listener) {
      deliverOnlyTo(proc, (raw) => unpackBatch(raw, listener));
    },
    onClose(listener) {
      onClose = listener;
      if (closed) listener();
    },
    close() {
      if (proc.connected) proc.disconnect?.();
    },
  };
}

function ignoreSendError(): void {
  // A send fails only when the other side has gone; the 'exit'/'disconnect' path handles that.
}

/**
 * Host messages go to the worker loop alone. Node hands each IPC message to `process.emit`; a
 * plugin's `process.on('message')` listener would otherwise read every later job's id and params.
 * The wrapper stays replaceable (libraries such as signal-exit wrap process.emit and must keep
 * working), so code set on reaching into the process can still get past it: see the README's
 * trust boundary. A listener of our own keeps the channel referenced, as a real one would.
 */
function deliverOnlyTo(proc: NodeJS.Process, listener: (message: unknown) => void): void {
  const emit = proc.emit;
  proc.on('message', ignoreMessage);
  proc.emit = function emitExceptHostMessages(
    this: NodeJS.Process,
    event: string | symbol,
    ...args: unknown[]
  ) {
    if (event === 'message') {
      listener(args[0]);
      return true;
    }
    return (emit as (event: string | symbol, ...args: unknown[]) => boolean).call(
      this,
      event,
      ...args,
    );
  } as NodeJS.Process['emit'];
}

function ignoreMessage(): void {
  // Only here so the channel counts a listener; messages reach the loop through deliverOnlyTo.
}
