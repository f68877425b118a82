import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  RestartPolicy,
  type RestartSettings,
} from '../../src/parent/restart-policy.ts';

const settings = (overrides: Partial<RestartSettings> = {}): RestartSettings => ({
  policy: 'backoff',
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  maxCrashes: 5,
  crashWindowMs: 10_000,
  ...overrides,
});

describe('backoffDelay', () => {
  it('doubles from the base per crash and stops at the ceiling', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, 100, 1_000))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('never overflows into Infinity or NaN', () => {
    expect(backoffDelay(5_000, 100, 30_000)).toBe(30_000);
  });
});

describe('RestartPolicy', () => {
  it('backoff: crashes restart after growing delays, then the cap fails the worker', () => {
    const policy = new RestartPolicy(settings({ maxCrashes: 4 }));
    expect(policy.afterCrash(0)).toEqual({ restart: true, delayMs: 100, crashesInWindow: 1 });
    expect(policy.afterCrash(10)).toEqual({ restart: true, delayMs: 200, crashesInWindow: 2 });
    expect(policy.afterCrash(20)).toEqual({ restart: true, delayMs: 400, crashesInWindow: 3 });
    expect(policy.afterCrash(30)).toEqual({
      restart: false,
      reason: 'crash-loop',
      crashesInWindow: 4,
    });
  });

  it('backoff: crashes older than the window are forgotten, so the delay starts over', () => {
    const policy = new RestartPolicy(settings());
    policy.afterCrash(0);
    policy.afterCrash(1_000);
    expect(policy.afterCrash(2_000)).toMatchObject({ delayMs: 400, crashesInWindow: 3 });
    expect(policy.afterCrash(12_500)).toMatchObject({ delayMs: 100, crashesInWindow: 1 });
  });

  it('kills on purpose restart at once and never count toward the cap', () => {
    const policy = new RestartPolicy(settings({ maxCrashes: 2 }));
    for (let index = 0; index < 10; index++) {
      expect(policy.afterKill(index)).toEqual({ restart: true, delayMs: 0, crashesInWindow: 0 });
    }
    expect(policy.afterCrash(20)).toMatchObject({ restart: true, crashesInWindow: 1 });
  });

  it('always: restarts at once, with the same crash-loop cap', () => {
    const policy = new RestartPolicy(settings({ policy: 'always', maxCrashes: 3 }));
    expect(policy.afterCrash(0)).toMatchObject({ restart: true, delayMs: 0 });
    expect(policy.afterCrash(1)).toMatchObject({ restart: true, delayMs: 0 });
    expect(policy.afterCrash(2)).toMatchObject({ restart: false, reason: 'crash-loop' });
    expect(policy.afterKill(3)).toMatchObject({ restart: true, delayMs: 0 });
  });

  it('on-cancellation: restarts after kills on purpose, not after crashes', () => {
    const policy = new RestartPolicy(settings({ policy: 'on-cancellation' }));
    expect(policy.afterKill(0)).toMatchObject({ restart: true, delayMs: 0 });
    expect(policy.afterCrash(1)).toMatchObject({ restart: false, reason: 'policy' });
  });

  it('never: restarts nothing', () => {
    const policy = new RestartPolicy(settings({ policy: 'never' }));
    expect(policy.afterKill(0)).toMatchObject({ restart: false, reason: 'policy' });
    expect(policy.afterCrash(1)).toMatchObject({ restart: false, reason: 'policy' });
  });
});
