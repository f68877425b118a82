import type { ChildProcess } from 'node:child_process';
import type { Transport } from './transport.ts';

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
  return {
    send(message, onSent) {
      if (closed || !child.connected) return false;
      try {
        // Without a callback a failed write becomes an 'error' event, which the WorkerHandle
        // swallows: the exit that follows tells the real story. Skipping the callback saves
        // a tick per message on the hot path.
        return onSent === undefined ? child.send(message) : child.send(message, onSent);
      } catch {
        // The channel closed between the check and the write (the child just died).
        return false;
      }
    },
    onMessage(listener) {
      child.on('message', listener);
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
  return {
    send(message, onSent) {
      if (closed || !proc.connected) return false;
      try {
        return onSent === undefined ? send(message) : send(message, undefined, undefined, onSent);
      } catch {
        return false;
      }
    },
    onMessage(listener) {
      proc.on('message', listener);
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
