// The SQLite store builds its JSON columns by hand (faster than JSON.stringify of an object
// made for it): what it writes must parse back to exactly what JSON.stringify would have kept.
import { describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import { attemptsJson, specJson } from '../../src/store/sqlite/rows.ts';
import type { JobAttempt } from '../../src/store/stored-job.ts';
import { newJob } from './store-helpers.ts';

const error = { code: WorkerErrorCode.JOB_TIMEOUT, message: 'Job "j" timed out: "quoted" é ✓\n' };

describe('SQLite row encoding', () => {
  const attempts: JobAttempt[][] = [
    [],
    [
      {
        startedAt: 1,
        endedAt: undefined,
        workerId: undefined,
        workerPid: undefined,
        error: undefined,
      },
    ],
    [{ startedAt: 1, endedAt: 2, workerId: 'worker-"1"', workerPid: 42, error: undefined }],
    [
      { startedAt: 1, endedAt: 2, workerId: 'w', workerPid: 7, error },
      { startedAt: 3, endedAt: undefined, workerId: 'w2', workerPid: 8, error: undefined },
    ],
  ];
  it.each(attempts.map((list) => [list.length, list] as const))(
    'writes %i attempts as JSON.stringify would',
    (_count, list) => {
      expect(attemptsJson(list)).toBe(JSON.stringify(list));
      expect(JSON.parse(attemptsJson(list))).toEqual(JSON.parse(JSON.stringify(list)));
    },
  );

  it.each([
    newJob(),
    newJob({
      params: { text: 'é "q" \u2028', n: [1, null, { deep: true }] },
      metadata: { u: 'x' },
    }),
    newJob({ stream: true, timeoutMs: 1_500, stallMs: 700 }),
    newJob({
      backoff: { type: 'exponential', delayMs: 100, maxDelayMs: 1_000 },
      retryOn: ['timeout', 'error'],
    }),
  ])('writes a spec as JSON.stringify would (%#)', (job) => {
    const expected = JSON.stringify({
      params: job.params,
      stream: job.stream,
      metadata: job.metadata,
      timeoutMs: job.timeoutMs,
      stallMs: job.stallMs,
      backoff: job.backoff,
      retryOn: job.retryOn.length === 0 ? undefined : job.retryOn,
    });
    expect(specJson(job)).toBe(expected);
  });
});
