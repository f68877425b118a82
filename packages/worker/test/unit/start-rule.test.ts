import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../src/parent/job.ts';
import { StartRule } from '../../src/parent/start-rule.ts';

/** A slot as the rule sees it: jobs in send order, each plugin's concurrency. */
function slotOf(concurrency: Record<string, number>) {
  const jobs = new Map<string, JobRecord>();
  let next = 0;
  const job = (plugin: string) => {
    const record = { id: `job-${++next}`, plugin } as JobRecord;
    jobs.set(record.id, record);
    return record;
  };
  return { jobs, concurrency: new Map(Object.entries(concurrency)), job };
}

const ids = (rule: StartRule) => [...rule.started].map((job) => job.id);

describe('StartRule', () => {
  it('starts a concurrency-1 job alone and the jobs behind it wait', () => {
    const slot = slotOf({});
    const [a, b] = [slot.job('one'), slot.job('one')];
    const rule = StartRule.of(slot);
    expect(ids(rule)).toEqual([a.id]);
    expect(rule.waiting).toBe(true);
    expect(rule.mayStart(slot, 'one')).toBe(false);
    expect(rule.started.has(b)).toBe(false);
  });

  it('starts up to n jobs of a concurrency-n plugin, kept up to date as jobs come and go', () => {
    const slot = slotOf({ many: 3 });
    const rule = StartRule.of(slot);
    const jobs = [slot.job('many'), slot.job('many'), slot.job('many')];
    for (const job of jobs) expect(rule.admit(slot, job)).toBe(true);
    expect(rule.mayStart(slot, 'many')).toBe(false);
    slot.jobs.delete(jobs[1]!.id);
    expect(rule.remove(slot, jobs[1]!)).toBe(true);
    expect(rule.mayStart(slot, 'many')).toBe(true);
    // A concurrency-1 job never starts beside others.
    expect(rule.mayStart(slot, 'one')).toBe(false);
    // Kept up to date, it says what counting from scratch says.
    expect(ids(rule)).toEqual(ids(StartRule.of(slot)));
  });

  it('asks to be counted again when a job ends while another waits', () => {
    const slot = slotOf({ many: 2 });
    const rule = StartRule.of(slot);
    const jobs = [slot.job('many'), slot.job('many'), slot.job('many')];
    expect(jobs.map((job) => rule.admit(slot, job))).toEqual([true, true, false]);
    slot.jobs.delete(jobs[0]!.id);
    expect(rule.remove(slot, jobs[0]!)).toBe(false);
    // Counted again, the waiting job has started.
    expect(ids(StartRule.of(slot))).toEqual([jobs[1]!.id, jobs[2]!.id]);
  });

  it('keeps the head of the line: nothing starts past a waiting job', () => {
    const slot = slotOf({ many: 5 });
    const rule = StartRule.of(slot);
    const [first, exclusive, after] = [slot.job('many'), slot.job('one'), slot.job('many')];
    expect([first, exclusive, after].map((job) => rule.admit(slot, job))).toEqual([
      true,
      false,
      false,
    ]);
    expect(rule.mayStart(slot, 'many')).toBe(false);
  });
});
