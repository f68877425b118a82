/** Loads and reloads of each plugin, one after another; a job for it waits for them to settle. */
export class LoadQueue {
  readonly #settling = new Map<string, Promise<void>>();

  /** Queues `task` (a load or reload of `name`) synchronously, so jobs see it at once. */
  run(name: string, task: () => Promise<void>): Promise<void> {
    const running = (this.#settling.get(name) ?? Promise.resolve()).then(task);
    const settled = running.catch(() => undefined);
    this.#settling.set(name, settled);
    void settled.then(() => {
      if (this.#settling.get(name) === settled) this.#settling.delete(name);
    });
    return running;
  }

  /** Settles (never rejects) once the loads of `name` queued so far have; undefined if none. */
  settled(name: string): Promise<void> | undefined {
    return this.#settling.get(name);
  }
}
