import type { Redis } from 'ioredis';
import { NoNodeForPluginError } from '../errors.ts';
import type { Keys } from '../keys.ts';
import { type NodeInfo, parseNodeInfo } from '../node-info.ts';

/**
 * The live nodes, as their own records say: each record expires in Redis unless its node keeps
 * refreshing it, so what MGET returns is exactly the live set (no clock comparison involved).
 * submit() asks it whether any node offers a plugin: answered from a short cache when the
 * answer is yes, looked up again when it is no (a plugin just dropped into a folder is found).
 */
export class NodeDirectory {
  readonly #redis: Redis;
  readonly #keys: Keys;
  readonly #cacheMs: number;
  #offered = new Set<string>();
  #fetchedAt = 0;
  #refreshing: Promise<NodeInfo[]> | undefined;

  constructor(redis: Redis, keys: Keys, cacheMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#cacheMs = cacheMs;
  }

  async list(): Promise<NodeInfo[]> {
    const ids = await this.#redis.zrange(this.#keys.nodes, 0, '-1');
    if (ids.length === 0) return [];
    const records = await this.#redis.mget(...ids.map((id) => this.#keys.node(id)));
    return records
      .map(parseNodeInfo)
      .filter((info): info is NodeInfo => info !== undefined)
      .sort((a, b) => a.startedAt - b.startedAt);
  }

  /** Throws NoNodeForPluginError unless a live node offers `plugin`. */
  async assertOffered(plugin: string): Promise<void> {
    if (this.#offered.has(plugin) && Date.now() - this.#fetchedAt < this.#cacheMs) return;
    const nodes = await this.refresh();
    if (!this.#offered.has(plugin)) {
      throw new NoNodeForPluginError(plugin, [...this.#offered].sort(), nodes.length);
    }
  }

  /** Reads the live nodes again (one read at a time). */
  refresh(): Promise<NodeInfo[]> {
    this.#refreshing ??= this.list()
      .then((nodes) => {
        this.#offered = new Set(nodes.flatMap((node) => node.plugins));
        this.#fetchedAt = Date.now();
        return nodes;
      })
      .finally(() => {
        this.#refreshing = undefined;
      });
    return this.#refreshing;
  }

  /** Every plugin a node has ever offered here: the queues that may hold jobs. */
  async everOffered(): Promise<string[]> {
    return (await this.#redis.smembers(this.#keys.plugins)).sort();
  }
}
