/**
 * A message channel between the host and one worker, seen from either end.
 *
 * Messages are plain JSON-safe objects; the receiver gets them unparsed and validates each one
 * with the protocol's schemas, whatever the transport. Node workers use the IPC channel
 * ({@link ./ipc.ts}); workers in other runtimes can use newline-delimited JSON over a pipe by
 * implementing this same interface.
 */
export interface Transport {
  /**
   * Send one message. `onSent` runs once the transport has handed it to the operating system
   * (the worker uses that to merge stream chunks produced while a send is pending).
   *
   * @returns false when the channel is already closed and nothing was sent
   */
  send(message: object, onSent?: (error: Error | null) => void): boolean;
  /** Receives every incoming message, unparsed. Set once. */
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the channel closes: the other side went away or close() was called. */
  onClose(listener: () => void): void;
  /** Close the channel; no more messages are sent or received. */
  close(): void;
}
