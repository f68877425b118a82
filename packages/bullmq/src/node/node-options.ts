import type { JobManagerOptions } from '@plugwork/worker';
import { z } from 'zod';
import type { RedisConnection } from '../connection.ts';
import { InvalidBullmqOptionsError } from '../errors.ts';

export const NODE_DEFAULTS = {
  prefix: 'plugwork',
  heartbeatMs: 2_000,
  lock: { durationMs: 30_000, stalledIntervalMs: 30_000 },
  stream: { windowChars: 1_048_576, lagTimeoutMs: 30_000, retainMs: 3_600_000 },
  shutdown: { drainMs: 10_000 },
} as const;

/** Everything a BullmqNode is configured with. `connection` and `manager` are required. */
export interface BullmqNodeOptions {
  /** Redis: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** Key prefix shared by every node and client of one deployment. Default 'plugwork'. */
  prefix?: string;
  /** This node's name in listNodes() and BullMQ's processedBy. Default `<hostname>:<pid>`. */
  name?: string;
  /** The local JobManager's options: adapter, poolSize, permissions, runtime, timeouts, … */
  manager: JobManagerOptions;
  /** How often the node refreshes its record; it expires after three missed beats. Default 2 000. */
  heartbeatMs?: number;
  lock?: {
    /** BullMQ lock of a running job, renewed at half this. A dead node's job is free after it. Default 30 000. */
    durationMs?: number;
    /** How often this node looks for jobs whose lock expired (other nodes' lost jobs). Default 30 000. */
    stalledIntervalMs?: number;
  };
  stream?: {
    /** Unread characters a job may have waiting in Redis before its plugin is paused. Default 1 048 576. */
    windowChars?: number;
    /** A full window with no reading for this long stops the job (STREAM_ABANDONED). Default 30 000. */
    lagTimeoutMs?: number;
    /** How long a finished job's stream stays in Redis. Default 3 600 000 (1 h). */
    retainMs?: number;
  };
  shutdown?: {
    /** close() lets running jobs finish this long, then hands the rest back to their queues. Default 10 000. */
    drainMs?: number;
  };
  /** Where the node's warnings go (Redis errors, relays that failed). Default: process.stderr. */
  logger?: { warn?: (message: string) => void };
}

const positive = z.number().int().positive();

const schema = z.strictObject({
  connection: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  prefix: z
    .string()
    .min(1)
    .refine((prefix) => !prefix.includes(' '), { message: 'must not contain spaces' })
    .default(NODE_DEFAULTS.prefix),
  name: z.string().min(1).optional(),
  manager: z.record(z.string(), z.unknown()),
  heartbeatMs: positive.default(NODE_DEFAULTS.heartbeatMs),
  lock: z
    .strictObject({
      durationMs: positive.default(NODE_DEFAULTS.lock.durationMs),
      stalledIntervalMs: positive.default(NODE_DEFAULTS.lock.stalledIntervalMs),
    })
    .prefault({}),
  stream: z
    .strictObject({
      windowChars: positive.default(NODE_DEFAULTS.stream.windowChars),
      lagTimeoutMs: positive.default(NODE_DEFAULTS.stream.lagTimeoutMs),
      retainMs: positive.default(NODE_DEFAULTS.stream.retainMs),
    })
    .prefault({}),
  shutdown: z
    .strictObject({
      drainMs: z.number().int().nonnegative().default(NODE_DEFAULTS.shutdown.drainMs),
    })
    .prefault({}),
  logger: z
    .custom<{ warn?: (message: string) => void }>(
      (value) => typeof value === 'object' && value !== null,
      { message: 'must be an object with an optional warn(message) method' },
    )
    .optional(),
});

export type ResolvedNodeOptions = Omit<z.output<typeof schema>, 'connection' | 'manager'> & {
  connection: RedisConnection;
  manager: JobManagerOptions;
};

export function resolveNodeOptions(options: unknown): ResolvedNodeOptions {
  const result = schema.safeParse(options);
  if (!result.success) throw toOptionsError('BullmqNode', result.error);
  return result.data as unknown as ResolvedNodeOptions;
}

export function toOptionsError(
  owner: 'BullmqNode' | 'BullmqRunner',
  error: z.ZodError,
): InvalidBullmqOptionsError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = `${path === '' ? '' : `${path}.`}${issue.keys[0] ?? ''}`;
    return new InvalidBullmqOptionsError(
      owner,
      key,
      'no such option (the README lists every option)',
    );
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return new InvalidBullmqOptionsError(owner, path, 'is required');
  }
  return new InvalidBullmqOptionsError(owner, path, issue.message);
}
