import type { JobFailure } from '@plugwork/worker';

/**
 * Advice in the words of whoever submitted the job. The worker package ends some failures with
 * advice in its own terms (`timeoutMs (submit option or timeouts.jobMs)`), which mean nothing to
 * someone using the page or the CLI; the host swaps that tail (`failure.hint`) for one of these.
 */
export interface Hints {
  /** A job that ran longer than its timeout. */
  JOB_TIMEOUT: string;
}

/** The page and the JSON API: the Timeout field, the `timeoutMs` of the request body. */
export const API_HINTS: Hints = {
  JOB_TIMEOUT: 'Give it a longer timeout (the Timeout field, or "timeoutMs" in the request body)',
};

/** `pnpm plugwork run`. */
export const CLI_HINTS: Hints = {
  JOB_TIMEOUT: 'Give it longer with --timeout <ms>',
};

/** The failure with its advice in the user's terms, where the worker gave advice of its own. */
export function inUsersTerms(failure: JobFailure, hints: Hints): JobFailure {
  const hint = hints[failure.code as keyof Hints];
  if (hint === undefined || failure.hint === undefined || !failure.message.endsWith(failure.hint)) {
    return failure;
  }
  return {
    code: failure.code,
    message: `${failure.message.slice(0, -failure.hint.length)}${hint}`,
    hint,
  };
}
