import { runAsMicrotask } from '../microtask.ts';
import type { Transport } from './transport.ts';

/** A message waiting in the outbox, and who hears when it could not go. */
interface Queued {
  message: object;
  onFailed: (error: unknown) => void;
}

/**
 * Messages to one worker that may wait for the end of the current turn of the event loop, so
 * that those sent in the same turn go in one write: the results of several short jobs arrive
 * in one read and each frees a place; the next jobs for those places then leave together
 * instead of one system call each. The first message of a turn goes at once, so a lone one
 * waits for nothing.
 *
 * Order is kept: a message sent at once (`Transport.send` through `sendNow`) first flushes what
 * waits. A message that cannot go (it cannot be serialised) is reported to its own sender, not
 * to the others in the write.
 */
export class Outbox {
  readonly #transport: Transport;
  readonly #schedule: (flush: () => void) => void;
  #queued: Queued[] = [];
  #scheduled = false;

  /**
   * `until`: when what is posted goes. 'microtask' (the host: the results of one read arrive as
   * ticks, and their follow-up requests leave together once they are handled) or 'immediate'
   * (a worker: jobs whose timers fire together in one timers phase, each followed by its own
   * microtasks, end in one write after it).
   */
  constructor(transport: Transport, until: 'microtask' | 'immediate' = 'microtask') {
    this.#transport = transport;
    this.#schedule = until === 'microtask' ? runAsMicrotask : (flush) => void setImmediate(flush);
  }

  /**
   * Sends `message` in one write with the others posted in this turn: the first goes at once (a
   * lone message waits for nothing), those after it wait for the end of the turn and leave
   * together. `onFailed` hears if it cannot be sent.
   */
  post(message: object, onFailed: (error: unknown) => void): void {
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#schedule(this.flush);
      try {
        this.#transport.send(message);
      } catch (error) {
        onFailed(error);
      }
      return;
    }
    this.#queued.push({ message, onFailed });
  }

  /** Sends `message` now, after whatever waits. Same contract as Transport.send. */
  sendNow(message: object, onSent?: (error: Error | null) => void): boolean {
    if (this.#queued.length > 0) this.flush();
    return this.#transport.send(message, onSent);
  }

  readonly flush = (): void => {
    this.#scheduled = false;
    const queued = this.#queued;
    if (queued.length === 0) return;
    this.#queued = [];
    const transport = this.#transport;
    if (queued.length > 1 && transport.sendMany !== undefined) {
      try {
        transport.sendMany(queued.map((each) => each.message));
        return;
      } catch {
        // One of them cannot go: send them one by one, so that only its sender hears of it.
      }
    }
    for (const { message, onFailed } of queued) {
      try {
        transport.send(message);
      } catch (error) {
        onFailed(error);
      }
    }
  };
}
