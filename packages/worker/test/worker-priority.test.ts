import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { InvalidOptionsError, JobManager } from '@plugwork/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness, TEST_ADAPTER } from './helpers.ts';

/** The nice value of every thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

describe.skipIf(process.platform !== 'linux')('worker.niceIncrement', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('runs every thread of every worker, restarted ones too, that much below the host', async () => {
    harness = await startHarness({ poolSize: 2, worker: { niceIncrement: 7 } });
    const { manager } = harness;
    const expected = Math.min(19, getPriority() + 7);
    const pids = (await manager.getWorkerStates()).map((state) => state.pid!);
    expect(pids).toHaveLength(2);
    // The jobs still run, and the host itself keeps its priority.
    await expect(manager.submit('echo', { text: 'hi' }).result).resolves.toMatchObject({
      text: 'hi',
    });
    for (const pid of pids) {
      const nices = threadNices(pid);
      // A Node worker has its V8 and libuv threads besides the main one.
      expect(nices.length).toBeGreaterThan(1);
      expect(new Set(nices)).toEqual(new Set([expected]));
    }
    expect(getPriority()).toBe(expected - 7);
    const restarted = await manager.restartWorker('worker-1');
    expect(restarted.pid).not.toBe(pids[0]);
    expect(new Set(threadNices(restarted.pid!))).toEqual(new Set([expected]));
  });

  it('leaves workers at the host priority by default', async () => {
    harness = await startHarness();
    const [state] = await harness.manager.getWorkerStates();
    expect(new Set(threadNices(state!.pid!))).toEqual(new Set([getPriority()]));
  });
});

describe('worker.niceIncrement option', () => {
  it.each([-1, 20, 1.5])('refuses %s, naming the option', (value) => {
    expect(
      () => new JobManager({ adapter: { module: TEST_ADAPTER }, worker: { niceIncrement: value } }),
    ).toThrow(InvalidOptionsError);
    try {
      new JobManager({ adapter: { module: TEST_ADAPTER }, worker: { niceIncrement: value } });
    } catch (error) {
      expect((error as InvalidOptionsError).option).toBe('worker.niceIncrement');
    }
  });
});
