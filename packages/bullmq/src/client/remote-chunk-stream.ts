import { ChunkBuffer, JobError } from '@plugwork/worker';
import type { StreamEnd } from '../chunk-entries.ts';
import { StreamInterruptedError, StreamMisuseError } from '../errors.ts';

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
  readonly #buffer: ChunkBuffer<Item>;

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
    this.#buffer = new ChunkBuffer<Item>({
      text: (item) => item.text,
      consumed: (item) => consumed(item.id),
      // Entry ids are a cursor: consuming the last dropped entry consumes all before it.
      dropped: (items) => {
        const last = items[items.length - 1];
        if (last !== undefined) consumed(last.id);
      },
      alreadyIterated: () => StreamMisuseError.alreadyIterated(jobId),
      tooLate: () => StreamMisuseError.tooLate(jobId),
    });
  }

  get ended(): boolean {
    return this.#buffer.ended;
  }

  /** A chunk entry arrived. */
  push(id: string, text: string): void {
    if (this.#buffer.ended) return;
    if (text.length > 0) this.#onChunk(text);
    this.#buffer.push({ id, text });
  }

  /**
   * The submitter awaits the outcome without having iterated: chunks go to events from now on
   * (what was held is released). Until then they are held, unconsumed, so an iterator started
   * late still gets every chunk from the first (the node pauses the plugin meanwhile).
   */
  release(): void {
    this.#buffer.release();
  }

  /** A retry began: chunks of the earlier attempt not yet taken are stale. */
  attempt(id: string, attempt: number): void {
    if (this.#buffer.ended) return;
    this.#buffer.clear();
    this.#consumed(id);
    if (this.#buffer.yielded)
      this.end(new StreamInterruptedError(this.#jobId, this.#plugin, attempt));
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
    this.#buffer.end(error);
  }

  iterator(): AsyncIterableIterator<string> {
    return this.#buffer.iterator();
  }
}
