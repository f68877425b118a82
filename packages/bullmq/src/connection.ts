import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';

/** A Redis URL (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS) or ioredis options. */
export type RedisConnection = string | RedisOptions;

/** ioredis options from a URL or options; BullMQ gets these and makes its own connections. */
export function toRedisOptions(connection: RedisConnection): RedisOptions {
  if (typeof connection !== 'string') return { ...connection };
  const url = new URL(connection);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`"${connection}" is not a redis:// or rediss:// URL`);
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new Error(`"${url.pathname}" is not a database number`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port === '' ? 6379 : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db,
    tls: url.protocol === 'rediss:' ? {} : undefined,
  };
}

/** host:port, for messages. */
export function describeTarget(options: RedisOptions): string {
  return `${options.host ?? '127.0.0.1'}:${options.port ?? 6379}`;
}

/** Reconnects for ever, at most every 1 s: Redis coming back is noticed within a second. */
export function retryStrategy(times: number): number {
  return Math.min(50 * times, 1_000);
}

/**
 * A connection for commands that must not wait for Redis: fails at once while disconnected
 * (no offline queue), and reconnects by itself in the background.
 */
export function commandConnection(options: RedisOptions, name: string): Redis {
  return new Redis({
    retryStrategy,
    ...options,
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
  });
}

/** A connection that may wait for Redis (blocking reads, subscriptions, node-side writes). */
export function patientConnection(options: RedisOptions, name: string): Redis {
  return new Redis({
    retryStrategy,
    ...options,
    connectionName: name,
    maxRetriesPerRequest: null,
  });
}

/** Options BullMQ's Worker and QueueEvents connections get (they block, so no retry limit). */
export function bullmqConnection(options: RedisOptions): ConnectionOptions {
  // BullMQ declares its own (structurally looser) copy of ioredis's options type.
  return { retryStrategy, ...options, maxRetriesPerRequest: null } as ConnectionOptions;
}
