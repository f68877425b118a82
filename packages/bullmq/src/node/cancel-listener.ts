import type { Redis } from 'ioredis';
import { describe } from '../errors.ts';
import type { Keys } from '../keys.ts';
import { runningKey } from './run-remote-job.ts';

/** How long a cancel for a job not (yet) running here is remembered. */
const RECENT_CANCEL_MS = 30_000;

export interface CancelTarget {
  /** Cancels the job if BullMQ tracks it here; false otherwise. */
  cancelTracked(plugin: string, id: string): boolean;
  /** The jobs running here now, for the marks read again after a reconnect. */
  running(): Iterable<{ plugin: string; id: string; cancel(): void }>;
}

/**
 * Cancels reach nodes by pub/sub: every node hears every one, and the node running the job
 * applies it (the local job's cancel: its plugin's AbortSignal, then the kill). One that
 * arrives before the job is running here (BullMQ took it, the processor is setting it up) is
 * remembered for a while; after a reconnect (messages may have gone by), the marks of the
 * running jobs are read again.
 */
export class CancelListener {
  readonly #subscriber: Redis;
  readonly #commands: Redis;
  readonly #keys: Keys;
  readonly #target: CancelTarget;
  readonly #warn: (message: string) => void;
  /** `<plugin>\0<id>` -> when, oldest first. */
  readonly #recent = new Map<string, number>();

  constructor(
    subscriber: Redis,
    commands: Redis,
    keys: Keys,
    target: CancelTarget,
    warn: (message: string) => void,
  ) {
    this.#subscriber = subscriber;
    this.#commands = commands;
    this.#keys = keys;
    this.#target = target;
    this.#warn = warn;
  }

  async start(): Promise<void> {
    const subscriber = this.#subscriber;
    subscriber.on('error', (error) => this.#warn(`Redis (cancel channel): ${describe(error)}`));
    subscriber.on('message', (_channel, message) => this.#onMessage(message));
    let connectedOnce = false;
    subscriber.on('ready', () => {
      if (connectedOnce) this.#recheck();
      connectedOnce = true;
    });
    await subscriber.subscribe(this.#keys.cancel);
  }

  /** Whether a cancel for this job arrived before it was tracked here. */
  requested(plugin: string, id: string): boolean {
    return this.#recent.has(runningKey(plugin, id));
  }

  #onMessage(message: string): void {
    let plugin: string;
    let id: string;
    try {
      ({ plugin, id } = JSON.parse(message) as { plugin: string; id: string });
    } catch (error) {
      this.#warn(`ignored a malformed cancel message: ${describe(error)}`);
      return;
    }
    if (this.#target.cancelTracked(plugin, id)) return;
    const now = Date.now();
    // Keep the unmatched ones only as long as the race lasts (most are other nodes' jobs).
    for (const [key, at] of this.#recent) {
      if (now - at < RECENT_CANCEL_MS) break;
      this.#recent.delete(key);
    }
    this.#recent.set(runningKey(plugin, id), now);
  }

  #recheck(): void {
    for (const job of this.#target.running()) {
      this.#commands.exists(this.#keys.cancelled(job.plugin, job.id)).then(
        (found) => {
          if (found === 1) job.cancel();
        },
        (error: unknown) => this.#warn(describe(error)),
      );
    }
  }
}
