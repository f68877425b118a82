/**
 * Several messages as one line: `{ "type": "batch", "messages": [...] }`, read with one parse.
 * The host sends the execute requests it hands a worker in one turn so, and a worker the
 * results of short jobs that end together, where the other end is plugwork's own (a Node or
 * Deno worker, the host); a Python worker reads and writes lines only. With a line per message
 * instead, pipelined no-op jobs ran about 10% slower, most of it in the extra parses.
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
