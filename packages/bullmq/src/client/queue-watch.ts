import type { JsonObject } from '@plugwork/protocol';
import { QueueEvents } from 'bullmq';
import type { Redis, RedisOptions } from 'ioredis';
import { bullmqConnection } from '../connection.ts';
import { describe } from '../errors.ts';
import type { RemoteProgress } from '../job-data.ts';
import { queueName } from '../keys.ts';

/** What a runner does with one plugin queue's events. */
export interface QueueEventHandlers {
  active(plugin: string, jobId: string): void;
  progress(plugin: string, jobId: string, progress: RemoteProgress | number): void;
  completed(plugin: string, jobId: string, result: JsonObject): void;
  failed(plugin: string, jobId: string, reason: string): void;
  removed(plugin: string, jobId: string): void;
}

/**
 * BullMQ's QueueEvents for each plugin queue the runner has jobs in, made on first use. Each
 * starts reading the queue's event stream from Redis's clock at creation (not from "new events
 * only"), so a job submitted right after cannot finish before the reader is listening.
 */
export class QueueWatch {
  readonly #redisOptions: RedisOptions;
  readonly #commands: Redis;
  readonly #prefix: string;
  readonly #handlers: QueueEventHandlers;
  readonly #onError: (message: string) => void;
  readonly #watching = new Map<string, Promise<QueueEvents>>();
  /** Plugins whose events are being read (their watch() resolved). */
  readonly #ready = new Set<string>();

  constructor(
    redisOptions: RedisOptions,
    commands: Redis,
    prefix: string,
    handlers: QueueEventHandlers,
    onError: (message: string) => void,
  ) {
    this.#redisOptions = redisOptions;
    this.#commands = commands;
    this.#prefix = prefix;
    this.#handlers = handlers;
    this.#onError = onError;
  }

  /** Resolves once the plugin's events are being read. */
  watch(plugin: string): Promise<QueueEvents> {
    let watching = this.#watching.get(plugin);
    if (watching === undefined) {
      watching = this.#start(plugin);
      this.#watching.set(plugin, watching);
      watching.then(
        () => this.#ready.add(plugin),
        () => this.#watching.delete(plugin),
      );
    }
    return watching;
  }

  /** Whether the plugin's events are already being read (watch() would resolve at once). */
  watching(plugin: string): boolean {
    return this.#ready.has(plugin);
  }

  async close(): Promise<void> {
    const all = [...this.#watching.values()];
    this.#watching.clear();
    this.#ready.clear();
    await Promise.all(
      all.map(async (watching) => {
        try {
          await (await watching).close();
        } catch {
          // Never started: nothing to close.
        }
      }),
    );
  }

  async #start(plugin: string): Promise<QueueEvents> {
    const [seconds, micros] = (await this.#commands.time()) as unknown as [string, string];
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const events = new QueueEvents(queueName(plugin), {
      connection: bullmqConnection(this.#redisOptions),
      prefix: this.#prefix,
      lastEventId: `${now - 1}-0`,
    });
    const handlers = this.#handlers;
    events.on('error', (error) =>
      this.#onError(`events of plugin "${plugin}": ${describe(error)}`),
    );
    events.on('active', ({ jobId }) => handlers.active(plugin, jobId));
    events.on('progress', ({ jobId, data }) =>
      handlers.progress(plugin, jobId, data as RemoteProgress | number),
    );
    events.on('completed', ({ jobId, returnvalue }) =>
      handlers.completed(plugin, jobId, parseResult(returnvalue)),
    );
    events.on('failed', ({ jobId, failedReason }) => handlers.failed(plugin, jobId, failedReason));
    events.on('removed', ({ jobId }) => handlers.removed(plugin, jobId));
    await events.waitUntilReady();
    return events;
  }
}

function parseResult(value: unknown): JsonObject {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as JsonObject;
    } catch {
      return {};
    }
  }
  return (value ?? {}) as JsonObject;
}
