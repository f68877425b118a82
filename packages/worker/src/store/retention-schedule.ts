import type { JobStore, PruneReport, Retention } from './job-store.ts';

export interface RetentionSchedule {
  /** Prunes now (unless a prune is running); resolves with what it deleted. */
  runNow(): Promise<PruneReport>;
  /** Stops the timer and waits for a running prune. */
  stop(): Promise<void>;
}

/**
 * Prunes a store every `intervalMs` (an unref'd timer: retention never keeps a host alive).
 * A failing prune (a full disk) is reported and tried again at the next tick.
 */
export function scheduleRetention(
  store: JobStore,
  rules: Retention,
  intervalMs: number,
  onError: (error: unknown) => void,
): RetentionSchedule {
  let running: Promise<PruneReport> | undefined;
  let stopped = false;
  const runNow = (): Promise<PruneReport> => {
    running ??= store.prune(rules).finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) runNow().catch(onError);
  }, intervalMs);
  timer.unref?.();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
