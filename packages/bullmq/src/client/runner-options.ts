import { z } from 'zod';
import type { RedisConnection } from '../connection.ts';
import { toOptionsError } from '../node/node-options.ts';
import type { RemoteSubmitOptions } from '../submit-options.ts';

export const RUNNER_DEFAULTS = {
  prefix: 'plugwork',
  maxParamsBytes: 1_048_576,
  redisTimeoutMs: 2_000,
  catalogCacheMs: 2_000,
  cancelMarkMs: 86_400_000,
} as const;

/** Everything a BullmqRunner is configured with. Only `connection` is required. */
export interface BullmqRunnerOptions {
  /** Redis: a `redis://` URL or ioredis options. */
  connection: RedisConnection;
  /** Key prefix shared with the nodes. Default 'plugwork'. */
  prefix?: string;
  /** Largest params + metadata (as JSON, bytes) submit() accepts. Default 1 048 576. */
  maxParamsBytes?: number;
  /**
   * How long submit(), getJob(), listJobs() and cancel() wait for Redis before rejecting with
   * RedisUnavailableError. Default 2 000.
   */
  redisTimeoutMs?: number;
  /** How long "a node offers this plugin" is trusted before asking Redis again. Default 2 000. */
  catalogCacheMs?: number;
  /** Options every submit() starts from (attempts, backoff, retention, …). */
  defaultJobOptions?: Omit<RemoteSubmitOptions, 'id' | 'metadata' | 'stream'>;
  /** Where the runner's warnings go (lost connections, unreadable events). Default: process.stderr. */
  logger?: { warn?: (message: string) => void };
}

const positive = z.number().int().positive();

const schema = z.strictObject({
  connection: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  prefix: z.string().min(1).default(RUNNER_DEFAULTS.prefix),
  maxParamsBytes: positive.default(RUNNER_DEFAULTS.maxParamsBytes),
  redisTimeoutMs: positive.default(RUNNER_DEFAULTS.redisTimeoutMs),
  catalogCacheMs: z.number().int().nonnegative().default(RUNNER_DEFAULTS.catalogCacheMs),
  defaultJobOptions: z.record(z.string(), z.unknown()).default({}),
  logger: z
    .custom<{ warn?: (message: string) => void }>(
      (value) => typeof value === 'object' && value !== null,
      { message: 'must be an object with an optional warn(message) method' },
    )
    .optional(),
});

export type ResolvedRunnerOptions = Omit<
  z.output<typeof schema>,
  'connection' | 'defaultJobOptions'
> & {
  connection: RedisConnection;
  defaultJobOptions: Omit<RemoteSubmitOptions, 'id' | 'metadata' | 'stream'>;
};

export function resolveRunnerOptions(options: unknown): ResolvedRunnerOptions {
  const result = schema.safeParse(options);
  if (!result.success) throw toOptionsError('BullmqRunner', result.error);
  return result.data as ResolvedRunnerOptions;
}
