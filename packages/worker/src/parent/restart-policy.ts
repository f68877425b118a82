/**
 * When a dead worker is replaced. Pure logic with the clock passed in, so it is tested without
 * processes or timers.
 *
 * - `never`: no worker is ever replaced, whatever ended it.
 * - `on-cancellation`: a worker the manager killed on purpose (to cancel a job, on a job
 *   timeout or stall, on a request timeout) is replaced at once; one that crashed is not.
 * - `always`: every dead worker is replaced at once, until the crash-loop cap.
 * - `backoff`: killed on purpose: replaced at once. Crashed: replaced after
 *   `min(baseDelayMs * 2^(n-1), maxDelayMs)`, n being the crashes within `crashWindowMs`,
 *   until the crash-loop cap.
 *
 * The crash-loop cap: the `maxCrashes`-th crash within `crashWindowMs` leaves the worker
 * failed instead of restarting it forever. Kills on purpose never count as crashes.
 */
export type RestartPolicyName = 'never' | 'on-cancellation' | 'always' | 'backoff';

export interface RestartSettings {
  policy: RestartPolicyName;
  baseDelayMs: number;
  maxDelayMs: number;
  maxCrashes: number;
  crashWindowMs: number;
}

export type RestartDecision =
  | { restart: true; delayMs: number; crashesInWindow: number }
  | { restart: false; reason: 'policy' | 'crash-loop'; crashesInWindow: number };

export class RestartPolicy {
  readonly settings: RestartSettings;
  #crashes: number[] = [];

  constructor(settings: RestartSettings) {
    this.settings = settings;
  }

  /** Crashes counted within the window ending at `now`. */
  crashesInWindow(now: number): number {
    this.#prune(now);
    return this.#crashes.length;
  }

  /** The worker died on its own (exit, signal, out of memory, failed restart) at `now`. */
  afterCrash(now: number): RestartDecision {
    this.#prune(now);
    this.#crashes.push(now);
    const crashesInWindow = this.#crashes.length;
    const { policy, maxCrashes } = this.settings;
    if (policy === 'never' || policy === 'on-cancellation') {
      return { restart: false, reason: 'policy', crashesInWindow };
    }
    if (crashesInWindow >= maxCrashes) {
      return { restart: false, reason: 'crash-loop', crashesInWindow };
    }
    const delayMs =
      policy === 'backoff'
        ? backoffDelay(crashesInWindow, this.settings.baseDelayMs, this.settings.maxDelayMs)
        : 0;
    return { restart: true, delayMs, crashesInWindow };
  }

  /** The manager killed the worker on purpose at `now`. */
  afterKill(now: number): RestartDecision {
    const crashesInWindow = this.crashesInWindow(now);
    if (this.settings.policy === 'never') {
      return { restart: false, reason: 'policy', crashesInWindow };
    }
    return { restart: true, delayMs: 0, crashesInWindow };
  }

  #prune(now: number): void {
    const since = now - this.settings.crashWindowMs;
    while (this.#crashes.length > 0 && this.#crashes[0]! <= since) this.#crashes.shift();
  }
}

/** `min(base * 2^(n-1), max)` for the n-th crash (n >= 1). */
export function backoffDelay(crashes: number, baseDelayMs: number, maxDelayMs: number): number {
  const exponent = Math.max(0, crashes - 1);
  // 2^exponent overflows to Infinity long before it matters; min() handles that.
  return Math.min(baseDelayMs * 2 ** exponent, maxDelayMs);
}
