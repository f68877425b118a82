/**
 * Several messages in one write. Node's IPC channel frames each `send()` as one message and
 * makes one write (a system call, a wake-up of the reader) for each; a host handing a worker
 * the next few jobs at once, or a worker ending a few short jobs in a row, sends them as one
 * `{ "type": "batch", "messages": [...] }` instead. Only the Node IPC channel uses it: the
 * newline-delimited JSON channel puts several lines in one write and needs no envelope.
 *
 * Unpacking happens in the transport, before anything else reads a message, so every message in
 * a batch is checked like a message of its own (a worker's messages each carry the token).
 */
export const BATCH_TYPE = 'batch';

export interface BatchEnvelope {
  type: typeof BATCH_TYPE;
  messages: object[];
}

export function batchOf(messages: object[]): BatchEnvelope {
  return { type: BATCH_TYPE, messages };
}

/**
 * Hands `raw` to `deliver`, or each message of a batch in order. A batch whose `messages` is not
 * an array is delivered as it is, for the receiver to reject as malformed.
 */
export function unpackBatch(raw: unknown, deliver: (message: unknown) => void): void {
  const messages = (raw as { type?: unknown; messages?: unknown } | null)?.messages;
  if ((raw as { type?: unknown } | null)?.type !== BATCH_TYPE || !Array.isArray(messages)) {
    deliver(raw);
    return;
  }
  for (const message of messages) deliver(message);
}
