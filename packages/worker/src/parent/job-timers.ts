/**
 * A running job's two clocks: a hard time limit, and a stall limit that restarts whenever the
 * job shows life (a progress report or a chunk). Showing life only stores a timestamp; the
 * stall timer re-arms itself for the remainder when it fires, so a job streaming 100 000
 * chunks does not reset a timer 100 000 times.
 */
export class JobTimers {
  #timeout: NodeJS.Timeout | undefined;
  #stall: NodeJS.Timeout | undefined;
  #lastActivity = 0;

  /**
   * @param onTimeout called once when `timeoutMs` has passed since start
   * @param onStall called once when `stallMs` passed without touch()
   */
  start(
    timeoutMs: number | undefined,
    stallMs: number | undefined,
    onTimeout: () => void,
    onStall: () => void,
  ): void {
    this.clear();
    if (timeoutMs !== undefined) {
      this.#timeout = setTimeout(() => {
        this.clear();
        onTimeout();
      }, timeoutMs);
    }
    if (stallMs !== undefined) {
      this.#lastActivity = Date.now();
      const check = () => {
        const quietFor = Date.now() - this.#lastActivity;
        if (quietFor >= stallMs) {
          this.clear();
          onStall();
        } else {
          this.#stall = setTimeout(check, stallMs - quietFor);
        }
      };
      this.#stall = setTimeout(check, stallMs);
    }
  }

  /** The job showed life. */
  touch(): void {
    if (this.#stall !== undefined) this.#lastActivity = Date.now();
  }

  clear(): void {
    if (this.#timeout !== undefined) clearTimeout(this.#timeout);
    if (this.#stall !== undefined) clearTimeout(this.#stall);
    this.#timeout = undefined;
    this.#stall = undefined;
  }
}
