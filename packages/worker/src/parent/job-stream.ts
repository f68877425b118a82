import { ChunkBuffer } from '../chunk-buffer.ts';
import { StreamUnavailableError } from '../errors.ts';

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
  readonly #ack: (characters: number) => void;
  readonly #ackThreshold: number;
  readonly #buffer: ChunkBuffer<string>;
  #unacknowledged = 0;

  constructor(jobId: string, ack: (characters: number) => void, ackThreshold: number) {
    this.#ack = ack;
    this.#ackThreshold = ackThreshold;
    this.#buffer = new ChunkBuffer<string>({
      text: (chunk) => chunk,
      consumed: (chunk) => this.#consumed(chunk.length),
      dropped: (chunks) => this.#dropped(chunks),
      alreadyIterated: () => StreamUnavailableError.alreadyIterated(jobId),
      tooLate: () => StreamUnavailableError.tooLate(jobId),
    });
  }

  /** Characters held for the iterator, not yet taken. */
  get bufferedCharacters(): number {
    let total = 0;
    for (const chunk of this.#buffer.held()) total += chunk.length;
    return total;
  }

  /** A chunk arrived from the worker. */
  push(chunk: string): void {
    const buffer = this.#buffer;
    const mode = buffer.mode;
    // Every chunk of a job nobody iterates comes here: acknowledged without a trip through the
    // buffer (it halved the cost of such a chunk in a micro-benchmark).
    if (mode === 'events') {
      if (!buffer.ended) this.#consumed(chunk.length);
      return;
    }
    if (mode === 'waiting') {
      if (buffer.ended) return;
      // The first chunk decides: if nothing iterates yet, nothing will (event mode).
      buffer.release();
    }
    buffer.push(chunk);
  }

  /** The job is over: the iterator yields what is left, then ends (or throws `error`). */
  end(error?: Error): void {
    this.#buffer.end(error);
  }

  /** The one consumer's iterator. Throws StreamUnavailableError when there cannot be one. */
  iterator(): AsyncIterableIterator<string> {
    return this.#buffer.iterator();
  }

  /** The consumer stopped early: everything held is acknowledged, and so is what was pending. */
  #dropped(chunks: readonly string[]): void {
    for (const chunk of chunks) this.#consumed(chunk.length);
    if (this.#unacknowledged > 0) {
      this.#ack(this.#unacknowledged);
      this.#unacknowledged = 0;
    }
  }

  /** Only called while the job runs (ChunkBuffer never consumes after end). */
  #consumed(characters: number): void {
    this.#unacknowledged += characters;
    if (this.#unacknowledged >= this.#ackThreshold) {
      this.#ack(this.#unacknowledged);
      this.#unacknowledged = 0;
    }
  }
}
