import { StreamUnavailableError } from '../errors.ts';

interface Reader {
  resolve: (result: IteratorResult<string>) => void;
  reject: (error: unknown) => void;
}

/**
 * The host side of one streaming job: chunks on their way to the job's iterator, and the
 * acknowledgements that let the worker send more (credit-based flow control).
 *
 * - Pull mode (something called job.stream() before the first chunk arrived): chunks wait here
 *   until the iterator takes them; only then are they acknowledged. The worker never has more
 *   than its window unacknowledged, so this buffer stays under window + one plugin chunk.
 * - Event mode (nothing iterates): chunks go to job:chunk listeners only and are acknowledged
 *   on arrival, so a job nobody reads never stalls and costs no memory.
 * - Breaking out of the iterator switches to event mode: the rest is acknowledged and dropped.
 *
 * Acknowledgements are batched: one per `ackThreshold` characters consumed.
 */
export class JobStream {
  readonly #jobId: string;
  readonly #ack: (characters: number) => void;
  readonly #ackThreshold: number;
  #mode: 'waiting' | 'pull' | 'events' = 'waiting';
  #chunks: string[] = [];
  #head = 0;
  #unacknowledged = 0;
  #readers: Reader[] = [];
  #ended = false;
  #error: Error | undefined;
  #errorDelivered = false;
  #iterated = false;

  constructor(jobId: string, ack: (characters: number) => void, ackThreshold: number) {
    this.#jobId = jobId;
    this.#ack = ack;
    this.#ackThreshold = ackThreshold;
  }

  /** Characters held for the iterator, not yet taken. */
  get bufferedCharacters(): number {
    let total = 0;
    for (let index = this.#head; index < this.#chunks.length; index++) {
      total += this.#chunks[index]!.length;
    }
    return total;
  }

  /** A chunk arrived from the worker. */
  push(chunk: string): void {
    if (this.#ended) return;
    if (this.#mode === 'waiting') this.#mode = 'events';
    if (this.#mode === 'events') {
      this.#consumed(chunk.length);
      return;
    }
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      this.#consumed(chunk.length);
      reader.resolve({ value: chunk, done: false });
      return;
    }
    this.#chunks.push(chunk);
  }

  /** The job is over: the iterator yields what is left, then ends (or throws `error`). */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    for (const reader of this.#readers.splice(0)) this.#settleEnd(reader);
  }

  /** The one consumer's iterator. Throws StreamUnavailableError when there cannot be one. */
  iterator(): AsyncIterableIterator<string> {
    if (this.#iterated) throw StreamUnavailableError.alreadyIterated(this.#jobId);
    if (this.#mode === 'events') throw StreamUnavailableError.tooLate(this.#jobId);
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
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head]!;
      this.#head++;
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
      }
      this.#consumed(chunk.length);
      return Promise.resolve({ value: chunk, done: false });
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

  /** The consumer stopped early: everything held or still coming is acknowledged and dropped. */
  #detach(): void {
    if (this.#mode === 'events') return;
    this.#mode = 'events';
    for (let index = this.#head; index < this.#chunks.length; index++) {
      this.#consumed(this.#chunks[index]!.length);
    }
    this.#chunks = [];
    this.#head = 0;
    for (const reader of this.#readers.splice(0)) reader.resolve({ value: undefined, done: true });
    if (this.#unacknowledged > 0 && !this.#ended) {
      this.#ack(this.#unacknowledged);
      this.#unacknowledged = 0;
    }
  }

  #consumed(characters: number): void {
    if (this.#ended) return;
    this.#unacknowledged += characters;
    if (this.#unacknowledged >= this.#ackThreshold) {
      this.#ack(this.#unacknowledged);
      this.#unacknowledged = 0;
    }
  }
}
