import type { Redis } from 'ioredis';
import { BullmqStateError, describe, RedisUnavailableError } from '../errors.ts';

/**
 * The runner's one rule for Redis: a call waits at most `timeoutMs` for a connection and for an
 * answer, then rejects with RedisUnavailableError, so nothing a web app awaits can hang while
 * Redis is away (the connection meanwhile reconnects by itself).
 */
export class RedisGate {
  readonly #redis: Redis;
  readonly #target: string;
  readonly #timeoutMs: number;
  readonly #closed: () => boolean;
  #connecting: Promise<boolean> | undefined;

  constructor(redis: Redis, target: string, timeoutMs: number, closed: () => boolean) {
    this.#redis = redis;
    this.#target = target;
    this.#timeoutMs = timeoutMs;
    this.#closed = closed;
  }

  /** Resolves once connected; rejects after timeoutMs. */
  async ready(action: string): Promise<void> {
    if (this.#closed()) throw BullmqStateError.closed('BullmqRunner', action);
    if (this.#redis.status === 'ready') return;
    // One wait shared by every caller: a burst of submits while connecting adds one listener.
    this.#connecting ??= new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.#redis.off('ready', onReady);
        resolve(false);
      }, this.#timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#redis.once('ready', onReady);
    }).finally(() => {
      this.#connecting = undefined;
    });
    if (!(await this.#connecting)) {
      throw new RedisUnavailableError(
        action,
        this.#target,
        `no connection within ${this.#timeoutMs} ms (redisTimeoutMs)`,
      );
    }
  }

  /** Bounds a Redis call by timeoutMs; connection failures become RedisUnavailableError. */
  async guard<T>(action: string, call: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RedisUnavailableError(
              action,
              this.#target,
              `no answer within ${this.#timeoutMs} ms (redisTimeoutMs)`,
            ),
          ),
        this.#timeoutMs,
      );
    });
    try {
      return await Promise.race([call, timeout]);
    } catch (error) {
      if (isConnectionError(error)) {
        throw new RedisUnavailableError(action, this.#target, describe(error), { cause: error });
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT' ||
    /Stream isn't writeable|Connection is closed|enableOfflineQueue|MaxRetriesPerRequest/i.test(
      error.message,
    )
  );
}
