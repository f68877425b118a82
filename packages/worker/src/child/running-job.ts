import type { ExecutionContext } from '@plugwork/protocol/wire';
import type { StreamPump } from './stream-pump.ts';

/**
 * A job the worker is running, which is also the ExecutionContext its plugin receives.
 *
 * One object per job, and a class rather than a literal with a getter: on the hot path of a
 * no-op job every allocation shows. The AbortSignal is made only when the plugin asks for it
 * (an AbortController costs more than the rest of the job's bookkeeping, and most jobs are
 * never cancelled); cancellation is tracked without it.
 */
export class RunningJob implements ExecutionContext {
  readonly jobId: string;
  /** An own function, not a method, so plugins can destructure it. */
  readonly reportProgress: (progress: number, message?: string) => void;
  pump: StreamPump | undefined;
  ended = false;
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;
  #abortListeners: (() => void)[] | undefined;

  constructor(
    jobId: string,
    report: (job: RunningJob, progress: unknown, message: unknown) => void,
  ) {
    this.jobId = jobId;
    this.reportProgress = (progress, message) => report(this, progress, message);
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  get abortReason(): unknown {
    return this.#reason;
  }

  /** Cancels the job: its signal fires, a paused stream wakes up to stop. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    for (const listener of this.#abortListeners?.splice(0) ?? []) listener();
  }

  /** Runs `listener` once, when the job is cancelled. */
  onAbort(listener: () => void): void {
    if (this.#aborted) {
      listener();
      return;
    }
    this.#abortListeners ??= [];
    this.#abortListeners.push(listener);
  }
}
