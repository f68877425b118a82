/**
 * A message channel between the host and one worker, seen from either end.
 *
 * Messages are plain JSON-safe objects; the receiver gets them unparsed and validates each one
 * with the protocol's schemas, whatever the transport. Every worker speaks newline-delimited
 * JSON over a stream socket ({@link ./socket-ndjson.ts}): a socket pair a Node worker inherits,
 * or a Unix socket other workers connect to.
 */
export interface Transport {
  /**
   * Send one message. `onSent` runs once the transport has handed it to the operating system
   * (the worker uses that to merge stream chunks produced while a send is pending).
   *
   * @returns false when the channel is already closed and nothing was sent
   * @throws ChannelSendError when the channel is open but the message cannot go (it cannot be
   *   serialised, or it is larger than the channel carries): the sender must act on it
   */
  send(message: object, onSent?: (error: Error | null) => void): boolean;
  /**
   * Send several messages in one write, in order. Same contract as `send`: when it throws,
   * none of them was sent.
   */
  sendMany?(messages: object[]): boolean;
  /** Receives every incoming message, unparsed. Set once. */
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the channel closes: the other side went away or close() was called. */
  onClose(listener: () => void): void;
  /** Close the channel; no more messages are sent or received. */
  close(): void;
}

/** The channel is open but refused one message; `reason` says why, for the person reading it. */
export class ChannelSendError extends Error {
  override name = 'ChannelSendError';
  readonly reason: string;

  constructor(reason: string, options?: { cause?: unknown }) {
    super(`the message could not be sent: ${reason}`, options);
    this.reason = reason;
  }
}

/** A failed send as a ChannelSendError (RangeError: Invalid string length becomes "too large"). */
export function toChannelSendError(error: unknown): ChannelSendError {
  if (error instanceof ChannelSendError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const reason =
    error instanceof RangeError && /string length/i.test(message)
      ? 'it is too large to serialise (longer than the longest string the runtime can build)'
      : message;
  return new ChannelSendError(reason, { cause: error });
}
