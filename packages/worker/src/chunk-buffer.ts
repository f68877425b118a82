interface Reader {
  resolve: (result: IteratorResult<string>) => void;
  reject: (error: unknown) => void;
}

/** What a ChunkBuffer asks of its owner: how an item reads, and what consuming one means. */
export interface ChunkBufferHooks<T> {
  /** The text the iterator yields for `item`. */
  text: (item: T) => string;
  /**
   * `item` is consumed: the iterator took it, or it arrived while nobody iterates. This is
   * where the owner lets its producer send more (credit). Never called after end().
   */
  consumed: (item: T) => void;
  /**
   * The iterator will not take `items` (held, in arrival order; possibly none): the consumer
   * broke out, or release() said nobody will iterate. Never called after end().
   */
  dropped: (items: readonly T[]) => void;
  /** The error iterator() throws when the one iterator was already handed out. */
  alreadyIterated: () => Error;
  /** The error iterator() throws once chunks went to events (release() or a break). */
  tooLate: () => Error;
}

/**
 * One job's chunks on their way to its single consumer, pulled at the consumer's pace. Shared by
 * the host's JobStream (chunks from a worker process) and @plugwork/bullmq's submitter side
 * (chunks from Redis); what "consumed" means (an acknowledgement, a stream entry id) is the
 * owner's, through the hooks.
 *
 * - waiting (nobody iterates yet): chunks are held, so an iterator that starts late gets them.
 * - pull (iterator() was called): chunks wait until the iterator takes them; only then are they
 *   consumed, so the producer follows the consumer.
 * - events (release(), or the consumer broke out): chunks are consumed on arrival, not held.
 *
 * After end() the iterator yields what is still held, then ends, or throws the error once.
 *
 * Exported from the package for @plugwork/bullmq (which imports only the public entry); hosts and
 * plugins have no use for it: a job's stream() is what they iterate.
 */
export class ChunkBuffer<T> {
  readonly #hooks: ChunkBufferHooks<T>;
  #mode: 'waiting' | 'pull' | 'events' = 'waiting';
  #items: T[] = [];
  #head = 0;
  #readers: Reader[] = [];
  #ended = false;
  #error: Error | undefined;
  #errorDelivered = false;
  #iterated = false;
  #yielded = false;

  constructor(hooks: ChunkBufferHooks<T>) {
    this.#hooks = hooks;
  }

  get mode(): 'waiting' | 'pull' | 'events' {
    return this.#mode;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Whether the iterator has yielded a chunk yet. */
  get yielded(): boolean {
    return this.#yielded;
  }

  /** The items held for the iterator, not yet taken, in arrival order. */
  held(): T[] {
    return this.#items.slice(this.#head);
  }

  /** A chunk arrived. Ignored after end(). */
  push(item: T): void {
    if (this.#ended) return;
    if (this.#mode === 'events') {
      this.#hooks.consumed(item);
      return;
    }
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      this.#hooks.consumed(item);
      this.#yielded = true;
      reader.resolve({ value: this.#hooks.text(item), done: false });
      return;
    }
    this.#items.push(item);
  }

  /** Nobody will iterate (only while waiting): what is held is dropped, the rest goes to events. */
  release(): void {
    if (this.#mode === 'waiting') this.#toEvents();
  }

  /** Forgets what is held without consuming it (the owner decides what stale items mean). */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }

  /** The iterator yields what is left, then ends (or throws `error`, once). */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    for (const reader of this.#readers.splice(0)) this.#settleEnd(reader);
  }

  /** The one consumer's iterator; throws the hooks' errors when there cannot be one. */
  iterator(): AsyncIterableIterator<string> {
    if (this.#iterated) throw this.#hooks.alreadyIterated();
    if (this.#mode === 'events') throw this.#hooks.tooLate();
    this.#iterated = true;
    this.#mode = 'pull';
    const iterator: AsyncIterableIterator<string> = {
      next: () => this.#next(),
      return: (value?: unknown) => {
        this.#toEvents();
        return Promise.resolve({ value: value as string, done: true });
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  #next(): Promise<IteratorResult<string>> {
    if (this.#head < this.#items.length) {
      const item = this.#items[this.#head]!;
      this.#head++;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      if (!this.#ended) this.#hooks.consumed(item);
      this.#yielded = true;
      return Promise.resolve({ value: this.#hooks.text(item), done: false });
    }
    return new Promise((resolve, reject) => {
      const reader = { resolve, reject };
      if (this.#ended) this.#settleEnd(reader);
      else this.#readers.push(reader);
    });
  }

  #settleEnd(reader: Reader): void {
    if (this.#error !== undefined && !this.#errorDelivered) {
      this.#errorDelivered = true;
      reader.reject(this.#error);
    } else {
      reader.resolve({ value: undefined, done: true });
    }
  }

  /** Events from now on: what is held is dropped, waiting readers end. */
  #toEvents(): void {
    if (this.#mode === 'events') return;
    this.#mode = 'events';
    const held = this.held();
    this.clear();
    if (!this.#ended) this.#hooks.dropped(held);
    for (const reader of this.#readers.splice(0)) reader.resolve({ value: undefined, done: true });
  }
}
