import { setTimeout as sleep } from 'node:timers/promises';
import type { JobHandleLike } from '@plugwork/worker';
import type { Redis } from 'ioredis';
import {
  ATTEMPT_FIELD,
  CHUNK_FIELD,
  END_FIELD,
  ORDINAL_FIELD,
  type StreamEnd,
} from '../chunk-entries.ts';

export interface ChunkWriterOptions {
  /** Unconsumed characters allowed in Redis before the plugin is paused. */
  windowChars: number;
  /** How long the window may stay full with no progress before the job is stopped. */
  lagTimeoutMs: number;
  /** How long the stream key lives after the job ended (a late reader still finds the end). */
  retainMs: number;
}

const CREDIT_POLL_MS = 10;

/**
 * Copies one local job's chunks into its Redis Stream, in order, with credit-based flow control
 * (see chunk-entries.ts). While one XADD is in flight, chunks that arrive are joined into the
 * next entry, so a fast plugin costs one Redis write per round trip, not one per chunk.
 */
export class ChunkWriter {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #options: ChunkWriterOptions;
  /** Sizes of the entries written, oldest first; the reader trims from the front. */
  readonly #sizes: number[] = [];
  /** Entries at the front of #sizes known to be consumed. */
  #consumed = 0;
  #unconsumedChars = 0;
  #pending: string[] = [];
  #pendingChars = 0;
  #draining: Promise<void> | undefined;
  #abandoned = false;
  /** Chunk entries written in this attempt (one writer per attempt). */
  #ordinal = 0;

  constructor(redis: Redis, key: string, options: ChunkWriterOptions) {
    this.#redis = redis;
    this.#key = key;
    this.#options = options;
  }

  /** The reader stopped reading for longer than lagTimeoutMs; the job was cancelled for it. */
  get abandoned(): boolean {
    return this.#abandoned;
  }

  /** A retry: the earlier attempt's entries go, and the reader learns a new attempt began. */
  async beginAttempt(attempt: number): Promise<void> {
    if (attempt <= 1) return;
    await this.#redis.multi().del(this.#key).xadd(this.#key, '*', ATTEMPT_FIELD, attempt).exec();
    this.#record(0);
  }

  /** Reads the local job's stream to its end (the job's end), writing as it goes. */
  async pump(job: JobHandleLike, onAbandoned: () => void): Promise<void> {
    try {
      for await (const chunk of job) {
        this.#pending.push(chunk);
        this.#pendingChars += chunk.length;
        this.#draining ??= this.#drain(onAbandoned);
        // Stop pulling while a window's worth waits for Redis: the local stream's credit then
        // pauses the plugin, so a slow Redis or a slow reader holds at most two windows here.
        if (this.#pendingChars >= this.#options.windowChars) await this.#draining;
      }
    } catch {
      // The job failed or was cancelled: its outcome comes from job.done.
    }
    await this.#draining;
  }

  /** Writes the final entry and lets the key expire. */
  async end(outcome: StreamEnd): Promise<void> {
    await this.#draining;
    await this.#redis
      .multi()
      .xadd(this.#key, '*', END_FIELD, JSON.stringify(outcome))
      .pexpire(this.#key, this.#options.retainMs)
      .exec();
  }

  async #drain(onAbandoned: () => void): Promise<void> {
    try {
      while (this.#pendingChars > 0) {
        const text = this.#takeEntry();
        if (!this.#abandoned) {
          this.#ordinal++;
          await this.#redis.xadd(
            this.#key,
            '*',
            CHUNK_FIELD,
            text,
            ORDINAL_FIELD,
            String(this.#ordinal),
          );
          this.#record(text.length);
          await this.#awaitCredit(onAbandoned);
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /**
   * The next entry's text: what is pending, up to a quarter window, so that the credit check
   * between entries keeps Redis within its window (the local pool may hand over a whole window
   * of merged chunks at once).
   */
  #takeEntry(): string {
    const all = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join('');
    const limit = Math.max(2, Math.floor(this.#options.windowChars / 4));
    let cut = Math.min(all.length, limit);
    // Never between the two halves of a surrogate pair: Redis would store half a character.
    const code = all.charCodeAt(cut - 1);
    if (cut < all.length && code >= 0xd800 && code <= 0xdbff) cut--;
    const text = cut === all.length ? all : all.slice(0, cut);
    const rest = all.slice(cut);
    this.#pending = rest.length === 0 ? [] : [rest];
    this.#pendingChars = rest.length;
    return text;
  }

  #record(chars: number): void {
    this.#sizes.push(chars);
    this.#unconsumedChars += chars;
  }

  /** Waits while more than the window is unconsumed; gives up after lagTimeoutMs of no progress. */
  async #awaitCredit(onAbandoned: () => void): Promise<void> {
    if (this.#unconsumedChars <= this.#options.windowChars) return;
    let lastProgress = Date.now();
    for (;;) {
      const before = this.#unconsumedChars;
      this.#updateConsumed(await this.#redis.xlen(this.#key));
      if (this.#unconsumedChars <= this.#options.windowChars) return;
      if (this.#unconsumedChars < before) lastProgress = Date.now();
      if (Date.now() - lastProgress >= this.#options.lagTimeoutMs) {
        this.#abandoned = true;
        onAbandoned();
        return;
      }
      await sleep(CREDIT_POLL_MS);
    }
  }

  /** `remaining` entries are still in the stream: everything before them was consumed. */
  #updateConsumed(remaining: number): void {
    const consumedNow = Math.max(this.#consumed, this.#sizes.length - remaining);
    for (let index = this.#consumed; index < consumedNow; index++) {
      this.#unconsumedChars -= this.#sizes[index]!;
    }
    this.#consumed = consumedNow;
  }
}
