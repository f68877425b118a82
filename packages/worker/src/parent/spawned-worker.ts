import type { ChildProcess } from 'node:child_process';
import type { Transport } from '../transport/transport.ts';

/** A started worker process and its message channel, whichever way it was started. */
export interface SpawnedWorker {
  child: ChildProcess;
  transport: Transport;
  /** Resolves once the channel has delivered its last message, or after `maxMs`. */
  channelDrained(maxMs: number): Promise<void>;
  /** Releases what the spawn holds for the worker's life (the socket file and connection). */
  release(): void;
}

/** What every kind of spawn needs besides its launch plan. */
export interface SpawnSettings {
  graceMs: number;
  env: Record<string, string | undefined> | undefined;
  cwd: string | undefined;
}

/** Waits for `event` on `emitter`, at most `maxMs`. */
export function eventOrTimeout(
  emitter: { once(event: string, listener: () => void): unknown },
  event: string,
  maxMs: number,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, maxMs);
    emitter.once(event, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
