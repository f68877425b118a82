import type { Redis } from 'ioredis';
import type { Keys } from '../keys.ts';
import type { NodeInfo } from '../node-info.ts';

/**
 * Publishes what this node offers, as a lease: the record expires unless refreshed every
 * `heartbeatMs`, so a node that dies disappears from clients' view within three heartbeats.
 * (Its running jobs are BullMQ's business: their locks expire and they are retried or failed.)
 */
export class NodeRegistry {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #heartbeatMs: number;
  readonly #describe: () => NodeInfo;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  readonly #onError: (error: unknown) => void;

  constructor(
    redis: Redis,
    keys: Keys,
    heartbeatMs: number,
    describe: () => NodeInfo,
    onError: (error: unknown) => void,
  ) {
    this.#redis = redis;
    this.#keys = keys;
    this.#heartbeatMs = heartbeatMs;
    this.#describe = describe;
    this.#onError = onError;
  }

  /** Writes the record now and keeps refreshing it. */
  async start(): Promise<void> {
    await this.publish(true);
    this.#timer = setInterval(() => {
      void this.publish(false);
    }, this.#heartbeatMs);
    this.#timer.unref();
  }

  /** Writes the record; `changed` also tells clients to look again (catalog or node set changed). */
  publish(changed: boolean): Promise<void> {
    // One write at a time: a heartbeat while Redis is away must not pile up behind the last one.
    if (this.#writing !== undefined && !changed) return this.#writing;
    const info = this.#describe();
    const ttl = this.#heartbeatMs * 3;
    const multi = this.#redis
      .multi()
      .set(this.#keys.node(info.id), JSON.stringify(info), 'PX', ttl)
      .zadd(this.#keys.nodes, Date.now() + ttl, info.id)
      .zremrangebyscore(this.#keys.nodes, '-inf', Date.now() - ttl);
    if (info.plugins.length > 0) multi.sadd(this.#keys.plugins, ...info.plugins);
    if (changed) multi.publish(this.#keys.nodesChanged, info.id);
    const writing: Promise<void> = multi
      .exec()
      .then(
        () => undefined,
        (error: unknown) => this.#onError(error),
      )
      .finally(() => {
        if (this.#writing === writing) this.#writing = undefined;
      });
    this.#writing = writing;
    return writing;
  }

  /** Stops refreshing the record (it then expires by itself). */
  stopBeating(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Removes the record (clean shutdown). */
  async stop(nodeId: string): Promise<void> {
    this.stopBeating();
    try {
      await this.#redis
        .multi()
        .del(this.#keys.node(nodeId))
        .zrem(this.#keys.nodes, nodeId)
        .publish(this.#keys.nodesChanged, nodeId)
        .exec();
    } catch (error) {
      this.#onError(error);
    }
  }
}
