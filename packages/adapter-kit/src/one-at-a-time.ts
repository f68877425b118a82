/**
 * `run`, one call at a time: calls arriving while it runs share one follow-up run, which starts
 * after the current one and so sees every change made before it started.
 */
export function oneAtATime(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const call = (): Promise<void> => {
    if (queued !== undefined) return queued;
    if (running === undefined) {
      running = run().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued = running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return call();
      });
    return queued;
  };
  return call;
}
