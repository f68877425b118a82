import type { SSEMessage, SSEStreamingApi } from 'hono/streaming';

/**
 * One open event stream: writes go out in the order they were made, a comment line every 15 s
 * keeps idle connections open, and `closed` settles when the client goes or close() is called.
 */
export class SseChannel {
  readonly #stream: SSEStreamingApi;
  #queue: Promise<void> = Promise.resolve();
  readonly #heartbeat: NodeJS.Timeout;
  #close!: () => void;
  readonly closed: Promise<void>;
  #isClosed = false;

  constructor(stream: SSEStreamingApi) {
    this.#stream = stream;
    this.closed = new Promise((resolve) => {
      this.#close = resolve;
    });
    this.#heartbeat = setInterval(
      () => this.#enqueue(() => stream.write(': keep-alive\n\n')),
      15_000,
    );
    stream.onAbort(() => this.close());
  }

  get isClosed(): boolean {
    return this.#isClosed;
  }

  /** Sends an event whose data is `data` as JSON. */
  send(event: string, data: unknown, id?: string): void {
    const message: SSEMessage = { event, data: JSON.stringify(data) };
    if (id !== undefined) message.id = id;
    this.#enqueue(() => this.#stream.writeSSE(message));
  }

  /** Ends the stream once what was sent before has gone out. */
  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    clearInterval(this.#heartbeat);
    this.#queue.then(() => this.#close());
  }

  #enqueue(write: () => Promise<unknown>): void {
    if (this.#isClosed) return;
    this.#queue = this.#queue.then(write).then(
      () => undefined,
      () => this.close(),
    );
  }
}
