// The manager-facing store options, and retention on a timer.
import { describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import { openJobStore } from '../../src/store/open-store.ts';
import { scheduleRetention } from '../../src/store/retention-schedule.ts';
import {
  retentionOptionSchema,
  retentionRules,
  storeOptionSchema,
} from '../../src/store/store-options.ts';
import { newJob } from './store-helpers.ts';

describe('store and retention options', () => {
  it('take memory or a SQLite file, and nothing else', () => {
    expect(storeOptionSchema.parse('memory')).toBe('memory');
    expect(storeOptionSchema.parse({ sqlite: './jobs.db', flushMs: 10 })).toEqual({
      sqlite: './jobs.db',
      flushMs: 10,
    });
    for (const bad of [
      'sqlite',
      { sqlite: '' },
      { sqlite: 'a.db', flushMs: 0 },
      { file: 'a.db' },
    ]) {
      expect(storeOptionSchema.safeParse(bad).success).toBe(false);
    }
  });

  it('keep only the statuses that have a bound', () => {
    const option = retentionOptionSchema.parse({
      completed: { maxCount: 10 },
      failed: {},
      cancelled: { maxAgeMs: 0 },
      intervalMs: 1_000,
    });
    expect(retentionRules(option)).toEqual({
      completed: { maxCount: 10 },
      cancelled: { maxAgeMs: 0 },
    });
    expect(retentionOptionSchema.safeParse({ completed: { maxCount: -1 } }).success).toBe(false);
    expect(retentionOptionSchema.safeParse({ done: {} }).success).toBe(false);
  });
});

describe('scheduleRetention', () => {
  it('prunes on its timer until stopped', async () => {
    const store = await openJobStore('memory');
    const cancelled = { code: WorkerErrorCode.JOB_CANCELLED, message: 'x' };
    const finishOne = () => {
      const { job } = store.insert(newJob());
      store.finish(job.id, { status: 'cancelled', error: cancelled });
    };
    for (let index = 0; index < 5; index++) finishOne();
    const errors: unknown[] = [];
    const schedule = scheduleRetention(store, { cancelled: { maxCount: 2 } }, 20, (error) =>
      errors.push(error),
    );
    while (store.list().jobs.length > 2) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(store.list().jobs).toHaveLength(2);
    await schedule.stop();
    for (let index = 0; index < 3; index++) finishOne();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(store.list().jobs).toHaveLength(5);
    expect(await schedule.runNow()).toEqual({ completed: 0, failed: 0, cancelled: 3 });
    expect(errors).toEqual([]);
    await store.close();
  });
});
