import { JobError } from '@plugwork/worker';
import type { StreamEnd } from '../chunk-entries.ts';
import { StreamInterruptedError, StreamMisuseError } from '../errors.ts';

interface Reader {
  resolve: (result: IteratorResult<string>) => void;
  reject: (error: unknown) => void;
}

interface Item {
  id: string;
  text: string;
}

/**
 * The submitter's side of one job's chunk stream, fed by the ChunkReader from Redis:
 *
 * - waiting (nothing iterates yet): chunks are held, unconsumed, so an iterator that starts
 *   late gets all of them; the node's window bounds what is held.
 * - pull (stream() was called): chunks wait here until the iterator takes them; only then are
 *   they reported consumed, so the node's credit (and the plugin) follows the consumer.
 * - events (the submitter awaits `result` or `done` without iterating, or broke out of the
 *   iterator): chunks go to job:chunk listeners and are consumed on arrival.
 */
export class RemoteChunkStream {
  readonly #jobId: string;
  readonly #plugin: string;
  readonly #onChunk: (chunk: string) => void;
  readonly #consumed: (entryId: string) => void;
  #mode: 'waiting' | 'pull' | 'events' = 'waiting';
  #items: Item[] = [];
  #head = 0;
  #readers: Reader[] = [];
  #ended = false;
  #error: Error | undefined;
  #errorDelivered = false;
  #iterated = false;
  #yielded = false;

  constructor(
    jobId: string,
    plugin: string,
    onChunk: (chunk: string) => void,
    consumed: (entryId: string) => void,
  ) {
    this.#jobId = jobId;
    this.#plugin = plugin;
    this.#onChunk = onChunk;
    this.#consumed = consumed;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** A chunk entry arrived. */
  push(id: string, text: string): void {
    if (this.#ended) return;
    if (text.length > 0) this.#onChunk(text);
    if (this.#mode === 'events') {
      this.#consumed(id);
      return;
    }
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      this.#consumed(id);
      this.#yielded = true;
      reader.resolve({ value: text, done: false });
      return;
    }
    this.#items.push({ id, text });
  }

  /**
   * The submitter awaits the outcome without having iterated: chunks go to events from now on
   * (what was held is released). Until then they are held, unconsumed, so an iterator started
   * late still gets every chunk from the first (the node pauses the plugin meanwhile).
   */
  release(): void {
    if (this.#mode !== 'waiting') return;
    this.#mode = 'events';
    const last = this.#items[this.#items.length - 1];
    this.#items = [];
    this.#head = 0;
    if (last !== undefined && !this.#ended) this.#consumed(last.id);
  }

  /** A retry began: chunks of the earlier attempt not yet taken are stale. */
  attempt(id: string, attempt: number): void {
    if (this.#ended) return;
    this.#items = [];
    this.#head = 0;
    this.#consumed(id);
    if (this.#yielded) this.end(new StreamInterruptedError(this.#jobId, this.#plugin, attempt));
  }

  /**
   * Entries `from`..`to` of this attempt were consumed by another reader of the job (another
   * runner that attached to it): what this one would yield is not the whole output, so it ends
   * with an error instead. The job itself goes on; `result` still follows it.
   */
  gap(from: number, to: number): void {
    this.end(StreamMisuseError.consumedElsewhere(this.#jobId, this.#plugin, from, to));
  }

  /** The node wrote the end entry. */
  finish(id: string, outcome: StreamEnd): void {
    this.#consumed(id);
    this.end(
      outcome.status === 'completed' || outcome.error === undefined
        ? undefined
        : new JobError(this.#jobId, this.#plugin, outcome.error),
    );
  }

  /** The iterator yields what is left, then ends (or throws `error`). */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    for (const reader of this.#readers.splice(0)) this.#settleEnd(reader);
  }

  iterator(): AsyncIterableIterator<string> {
    if (this.#iterated) throw StreamMisuseError.alreadyIterated(this.#jobId);
    if (this.#mode === 'events') throw StreamMisuseError.tooLate(this.#jobId);
    this.#iterated = true;
    this.#mode = 'pull';
    const iterator: AsyncIterableIterator<string> = {
      next: () => this.#next(),
      return: (value?: unknown) => {
        this.#detach();
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
      if (!this.#ended) this.#consumed(item.id);
      this.#yielded = true;
      return Promise.resolve({ value: item.text, done: false });
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

  #detach(): void {
    if (this.#mode === 'events') return;
    this.#mode = 'events';
    const last = this.#items[this.#items.length - 1];
    this.#items = [];
    this.#head = 0;
    if (last !== undefined && !this.#ended) this.#consumed(last.id);
    for (const reader of this.#readers.splice(0)) reader.resolve({ value: undefined, done: true });
  }
}
