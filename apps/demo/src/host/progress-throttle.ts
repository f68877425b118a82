/**
 * Progress news at most once per job every `intervalMs`, the last one always: a plugin may report
 * progress thousands of times a second, and every report would be an event on every page.
 */
export class ProgressThrottle {
  readonly #intervalMs: number;
  readonly #entries = new Map<string, { last: number; timer: NodeJS.Timeout | undefined }>();

  constructor(intervalMs: number) {
    this.#intervalMs = intervalMs;
  }

  /** `jobId` reported progress: `send` runs now, or once the interval is over. */
  report(jobId: string, send: () => void): void {
    const now = Date.now();
    let entry = this.#entries.get(jobId);
    if (entry === undefined) {
      entry = { last: 0, timer: undefined };
      this.#entries.set(jobId, entry);
    }
    if (entry.timer !== undefined) return;
    const sendNow = () => {
      entry.last = Date.now();
      entry.timer = undefined;
      send();
    };
    const wait = entry.last + this.#intervalMs - now;
    if (wait <= 0) sendNow();
    else entry.timer = setTimeout(sendNow, wait);
  }

  /** The job ended: news of its progress still pending is dropped. */
  ended(jobId: string): void {
    const entry = this.#entries.get(jobId);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#entries.delete(jobId);
  }

  /** Drops every pending send (the host shuts down). */
  clear(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    this.#entries.clear();
  }
}
