import type { Redis } from 'ioredis';
import {
  ATTEMPT_FIELD,
  CHUNK_FIELD,
  END_FIELD,
  nextStreamId,
  ORDINAL_FIELD,
  type StreamEnd,
} from '../chunk-entries.ts';
import type { RemoteChunkStream } from './remote-chunk-stream.ts';

interface Tail {
  readonly key: string;
  readonly stream: RemoteChunkStream;
  /** Last entry delivered; reading goes on after it, across reconnects too. */
  lastId: string;
  /** Highest entry consumed and not yet trimmed away. */
  trimTo: string | undefined;
  /** Chunk entries delivered in the current attempt (their ordinals must follow on). */
  seen: number;
}

type StreamReply = [key: string, entries: [id: string, fields: string[]][]][] | null;

const BLOCK_MS = 5_000;
const BATCH = 1_000;

/**
 * Reads every streaming job of one runner with a single blocking XREAD on a connection of its
 * own. A job added while the read blocks interrupts it (CLIENT UNBLOCK from the command
 * connection), so its first chunk is not held up. Consumed entries are trimmed (XTRIM MINID),
 * which is the credit the node waits for.
 */
export class ChunkReader {
  readonly #blocking: Redis;
  readonly #commands: Redis;
  readonly #onError: (error: unknown) => void;
  readonly #tails = new Map<string, Tail>();
  #clientId: number | undefined;
  #blocked = false;
  #wake: (() => void) | undefined;
  #trimScheduled = false;
  #closed = false;
  readonly #loop: Promise<void>;

  constructor(blocking: Redis, commands: Redis, onError: (error: unknown) => void) {
    this.#blocking = blocking;
    this.#commands = commands;
    this.#onError = onError;
    // A reconnected connection has a new client id.
    blocking.on('ready', () => {
      this.#clientId = undefined;
    });
    this.#loop = this.#run();
  }

  /** Starts reading a job's stream from its first entry. */
  add(key: string, stream: RemoteChunkStream): void {
    if (this.#tails.has(key)) return;
    this.#tails.set(key, { key, stream, lastId: '0-0', trimTo: undefined, seen: 0 });
    this.#interrupt();
  }

  /** Reports an entry consumed; trims are batched to one XTRIM per stream per tick. */
  consumed(key: string, entryId: string): void {
    const tail = this.#tails.get(key);
    if (tail === undefined) return;
    tail.trimTo = entryId;
    if (this.#trimScheduled) return;
    this.#trimScheduled = true;
    setImmediate(() => this.#trim());
  }

  /**
   * The job ended: deliver what is left of its stream, and end it with `outcome` if the node
   * never wrote the end entry (it died, or the job never ran).
   */
  async settle(key: string, outcome: StreamEnd, error: Error | undefined): Promise<void> {
    const tail = this.#tails.get(key);
    if (tail === undefined) return;
    try {
      const start = tail.lastId === '0-0' ? '-' : `(${tail.lastId}`;
      const entries = (await this.#commands.xrange(key, start, '+')) as [string, string[]][];
      this.#deliver(tail, entries);
    } catch (failure) {
      this.#onError(failure);
    }
    if (!tail.stream.ended) {
      tail.stream.end(outcome.status === 'completed' ? undefined : error);
      this.#tails.delete(key);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#interrupt();
    this.#wake?.();
    // A read blocked on a connection that cannot be unblocked ends when the connection does.
    await Promise.race([this.#loop, new Promise((resolve) => setTimeout(resolve, 500))]);
    this.#blocking.disconnect();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      if (this.#tails.size === 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      try {
        this.#clientId ??= Number(await this.#blocking.client('ID'));
        // Taken after that await: the jobs may have ended meanwhile, and an XREAD of no
        // stream is a syntax error to Redis.
        const tails = [...this.#tails.values()];
        if (tails.length === 0) continue;
        this.#blocked = true;
        const reply = (await this.#blocking.xread(
          'COUNT',
          BATCH,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...tails.map((tail) => tail.key),
          ...tails.map((tail) => tail.lastId),
        )) as StreamReply;
        this.#blocked = false;
        for (const [key, entries] of reply ?? []) {
          const tail = this.#tails.get(key);
          if (tail !== undefined) this.#deliver(tail, entries);
        }
      } catch (error) {
        this.#blocked = false;
        if (this.#closed) return;
        this.#onError(error);
        // Redis is away: the connection reconnects by itself; try again shortly.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  #deliver(tail: Tail, entries: [string, string[]][]): void {
    for (const [id, fields] of entries) {
      if (compareIds(id, tail.lastId) <= 0) continue;
      tail.lastId = id;
      const field = fields[0];
      const value = fields[1] ?? '';
      if (field === CHUNK_FIELD) {
        const ordinal = fields[2] === ORDINAL_FIELD ? Number(fields[3]) : tail.seen + 1;
        if (ordinal !== tail.seen + 1) {
          // Another reader of this job took (and trimmed) the entries in between.
          tail.stream.gap(tail.seen + 1, ordinal - 1);
          this.#tails.delete(tail.key);
          return;
        }
        tail.seen = ordinal;
        tail.stream.push(id, value);
      } else if (field === ATTEMPT_FIELD) {
        tail.seen = 0;
        tail.stream.attempt(id, Number(value));
      } else if (field === END_FIELD) {
        tail.stream.finish(id, JSON.parse(value) as StreamEnd);
        this.#tails.delete(tail.key);
        return;
      }
    }
  }

  #interrupt(): void {
    this.#wake?.();
    if (!this.#blocked || this.#clientId === undefined) return;
    this.#commands.client('UNBLOCK', this.#clientId).catch(() => {
      // Not connected: the blocked read ends by itself within BLOCK_MS.
    });
  }

  #trim(): void {
    this.#trimScheduled = false;
    for (const tail of this.#tails.values()) {
      if (tail.trimTo === undefined) continue;
      const minId = nextStreamId(tail.trimTo);
      tail.trimTo = undefined;
      this.#commands.xtrim(tail.key, 'MINID', minId).catch(() => {
        // Redis is away; the next consumed entry trims this one too.
      });
    }
  }
}

/** Orders Redis stream ids (`<ms>-<seq>`). */
export function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-');
  const [bMs, bSeq] = b.split('-');
  const ms = Number(aMs) - Number(bMs);
  return ms !== 0 ? ms : Number(aSeq) - Number(bSeq);
}
