import type { ChunkStream } from '@plugwork/protocol/wire';
import { ChildMessages } from '../errors.ts';
import { OverLimitError, stringJsonBytesOver } from '../json-size.ts';

/** What the pump needs to know about cancellation (a RunningJob). */
export interface PumpAbort {
  readonly aborted: boolean;
  readonly abortReason: unknown;
  onAbort(listener: () => void): void;
}

/** Sends one stream_chunk message; `onSent` runs when the transport has written it. */
export type SendChunk = (chunk: string, isFinal: boolean, onSent?: () => void) => boolean;

export interface PumpTotals {
  /** Chunks the plugin produced (several may have travelled in one message). */
  chunks: number;
  /** Characters of chunk text. */
  characters: number;
}

/**
 * Pulls a plugin's chunk stream and sends it to the host, with two jobs:
 *
 * - Coalescing: while a send is still being written, new chunks are appended to one pending
 *   string and go out together when the write completes. A slow plugin's chunks each go alone
 *   (no added latency); a fast one's travel in few large messages (high throughput).
 * - Flow control: with a window, the pump stops pulling from the plugin once `window`
 *   characters are sent but not acknowledged (`ack`), so a slow consumer on the host side
 *   slows the plugin down instead of making the host buffer without bound.
 */
export class StreamPump {
  readonly #send: SendChunk;
  readonly #window: number | undefined;
  readonly #signal: PumpAbort;
  readonly #chunkBytes: number | undefined;
  #pending = '';
  /** A send that threw (the message could not go): run() ends the job with it. */
  #failure: unknown;
  #inFlight = 0;
  #sending = 0;
  #wake: (() => void) | undefined;

  constructor(send: SendChunk, window: number | undefined, signal: PumpAbort, chunkBytes?: number) {
    this.#send = send;
    this.#window = window;
    this.#signal = signal;
    this.#chunkBytes = chunkBytes;
    signal.onAbort(() => this.#resume());
  }

  /** The host consumed `characters` of chunk text: that much more may be in flight. */
  ack(characters: number): void {
    this.#inFlight = Math.max(0, this.#inFlight - characters);
    this.#resume();
  }

  /**
   * Runs the stream to its end, then sends the final chunk (is_final). Rejects with the abort
   * reason when the job's signal fires, after closing the plugin's iterator.
   */
  async run(stream: ChunkStream): Promise<PumpTotals> {
    const iterator = openIterator(stream);
    let chunks = 0;
    let characters = 0;
    let exhausted = false;
    try {
      for (;;) {
        if (this.#failure !== undefined) throw this.#failure;
        if (this.#signal.aborted) throw this.#signal.abortReason;
        if (this.#window !== undefined && this.#inFlight + this.#pending.length >= this.#window) {
          this.#flush();
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
          continue;
        }
        let step = iterator.next();
        if (isPromiseLike(step)) step = await step;
        if (step.done) {
          exhausted = true;
          break;
        }
        const text = typeof step.value === 'string' ? step.value : String(step.value);
        if (text.length === 0) continue;
        const limit = this.#chunkBytes;
        if (limit !== undefined) {
          const bytes = stringJsonBytesOver(text, limit);
          if (bytes !== undefined) {
            throw new OverLimitError(
              'chunk',
              bytes,
              limit,
              ChildMessages.chunkTooLarge(bytes, limit),
            );
          }
          // Coalescing never builds a message over the limit: send what is pending first.
          if ((this.#pending.length + text.length) * 6 + 2 > limit) this.#flush();
        }
        chunks++;
        characters += text.length;
        this.#pending += text;
        if (this.#sending === 0) this.#flush();
      }
    } finally {
      if (!exhausted) await closeQuietly(iterator);
    }
    if (this.#failure !== undefined) throw this.#failure;
    const rest = this.#pending;
    this.#pending = '';
    this.#send(rest, true);
    return { chunks, characters };
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    const chunk = this.#pending;
    this.#pending = '';
    this.#inFlight += chunk.length;
    this.#sending++;
    let sent: boolean;
    try {
      sent = this.#send(chunk, false, this.#onSent);
    } catch (error) {
      // Also reached from a write callback, where a throw would be an uncaught exception.
      this.#failure ??= error;
      sent = false;
      this.#resume();
    }
    if (!sent) this.#sending--;
  }

  readonly #onSent = (): void => {
    this.#sending--;
    if (this.#sending === 0) this.#flush();
  };

  #resume(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

function openIterator(stream: ChunkStream): AnyIterator {
  const source = stream as Partial<AsyncIterable<unknown> & Iterable<unknown>> | null;
  if (source !== null && typeof source === 'object') {
    const asyncIterator = source[Symbol.asyncIterator];
    if (typeof asyncIterator === 'function') return asyncIterator.call(source);
    const syncIterator = source[Symbol.iterator];
    if (typeof syncIterator === 'function') return syncIterator.call(source);
  }
  if (typeof stream === 'string') return (stream as string)[Symbol.iterator]();
  throw new TypeError(
    'executePluginStream must return an iterable or async iterable of strings (for example an async generator)',
  );
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

async function closeQuietly(iterator: AnyIterator): Promise<void> {
  try {
    await iterator.return?.();
  } catch {
    // The job already ends with the reason we stopped it; a failing cleanup adds nothing.
  }
}
