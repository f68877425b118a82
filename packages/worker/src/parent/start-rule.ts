import { RenewingSet } from '../renewing-map.ts';
import type { JobRecord } from './job.ts';

/** What the start rule needs from a worker slot. */
export interface RuleSlot {
  /** Jobs held, in the order they were sent. */
  readonly jobs: ReadonlyMap<string, JobRecord>;
  readonly concurrency: ReadonlyMap<string, number>;
}

/** A plugin's jobs at once on this worker, as the worker reported it (1 until it has). */
export function concurrencyOf(slot: RuleSlot, plugin: string): number {
  return slot.concurrency.get(plugin) ?? 1;
}

/**
 * A worker's start rule applied to the jobs it holds (see dispatch.ts for the rule): which of
 * them it has started. Kept up to date as jobs are sent and end, so that handing out a job
 * costs the same with one job held or a hundred: jobs sent join the started ones or wait,
 * jobs ending leave, and only an end that may let waiting jobs start makes it count again.
 */
export class StartRule {
  /** The started jobs, in the order they were sent (the first jobs the slot holds). */
  readonly started = new RenewingSet<JobRecord>();
  /** Started jobs per plugin, for plugins that run beside others. */
  readonly #perPlugin = new Map<string, number>();
  /** A started job needs the worker to itself (concurrency 1). */
  #exclusive = false;
  /** A job waits: none sent after it starts before it does (head of line). */
  #blocked = false;

  /** The rule over what `slot` holds, from scratch. */
  static of(slot: RuleSlot): StartRule {
    const rule = new StartRule();
    for (const job of slot.jobs.values()) {
      if (!rule.admit(slot, job)) break;
    }
    return rule;
  }

  get waiting(): boolean {
    return this.#blocked;
  }

  /** A job sent after the others: started when the rule lets it start; false when it waits. */
  admit(slot: RuleSlot, job: JobRecord): boolean {
    if (this.#blocked || !this.mayStart(slot, job.plugin)) {
      this.#blocked = true;
      return false;
    }
    this.started.add(job);
    if (concurrencyOf(slot, job.plugin) <= 1) this.#exclusive = true;
    else this.#perPlugin.set(job.plugin, (this.#perPlugin.get(job.plugin) ?? 0) + 1);
    return true;
  }

  /**
   * `job` ended and left the slot. False when the rule must be counted again: a job waited
   * (it may start now) or the job was not one of the started ones.
   */
  remove(slot: RuleSlot, job: JobRecord): boolean {
    if (this.#blocked || !this.started.delete(job)) return false;
    if (concurrencyOf(slot, job.plugin) <= 1) this.#exclusive = false;
    else this.#perPlugin.set(job.plugin, (this.#perPlugin.get(job.plugin) ?? 1) - 1);
    return true;
  }

  /** Whether a job of `plugin` sent now would start beside the started ones. */
  mayStart(slot: RuleSlot, plugin: string): boolean {
    if (this.#blocked) return false;
    if (this.started.size === 0) return true;
    const limit = concurrencyOf(slot, plugin);
    if (limit <= 1 || this.#exclusive) return false;
    return (this.#perPlugin.get(plugin) ?? 0) < limit;
  }
}

/** A Map that says when it changes (a slot's plugin concurrencies: the rule depends on them). */
export class WatchedMap<K, V> extends Map<K, V> {
  readonly #changed: () => void;

  constructor(changed: () => void) {
    super();
    this.#changed = changed;
  }

  override set(key: K, value: V): this {
    super.set(key, value);
    this.#changed();
    return this;
  }

  override delete(key: K): boolean {
    const deleted = super.delete(key);
    if (deleted) this.#changed();
    return deleted;
  }

  override clear(): void {
    super.clear();
    this.#changed();
  }
}
