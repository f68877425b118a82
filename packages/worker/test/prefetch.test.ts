import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkerErrorCode } from '@plugwork/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

// Pipelining: a worker is sent its next jobs while it runs one, so it starts the next the
// moment it sends a result. Jobs sent ahead that a dying worker had not started run again
// elsewhere, exactly once.

let harness: Harness | undefined;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'plugwork-prefetch-'));
});

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function runs(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('prefetch', () => {
  it('jobs sent ahead stay pending (no timers, no job:started) until the worker starts them', async () => {
    harness = await startHarness({ poolSize: 1, prefetch: 2 });
    const file = join(dir, 'runs.txt');
    const first = harness.manager.submit('tally', { file, ms: 200 });
    const second = harness.manager.submit('tally', { file });
    const third = harness.manager.submit('tally', { file });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(first.status).toBe('running');
    expect(second.status).toBe('pending');
    expect(third.status).toBe('pending');
    const done = await Promise.all([first.done, second.done, third.done]);
    expect(done.map((job) => job.status)).toEqual(['completed', 'completed', 'completed']);
    // Each started after the one before it ended: one at a time, in order.
    expect(done[1]!.startedAt!).toBeGreaterThanOrEqual(done[0]!.endedAt! - 5);
    expect(runs(file)).toEqual([first.id, second.id, third.id]);
  });

  it('kill -9 mid-run with jobs sent ahead: each of them runs exactly once, after the restart', async () => {
    harness = await startHarness({ poolSize: 1, prefetch: 3, restart: { baseDelayMs: 0 } });
    const { manager } = harness;
    const file = join(dir, 'runs.txt');
    const running = manager.submit('tally', { file, ms: 60_000 });
    const ahead = Array.from({ length: 3 }, () => manager.submit('tally', { file }));
    const queued = Array.from({ length: 2 }, () => manager.submit('tally', { file }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs(file)).toEqual([running.id]);
    const pid = running.snapshot().workerPid;
    process.kill(pid!, 'SIGKILL');
    const killed = await running.done;
    expect(killed.status).toBe('failed');
    expect(killed.error?.code).toBe(WorkerErrorCode.WORKER_CRASHED);
    const rest = await Promise.all([...ahead, ...queued].map((job) => job.done));
    expect(rest.map((job) => job.status)).toEqual(Array(5).fill('completed'));
    expect(rest.every((job) => job.workerPid !== pid)).toBe(true);
    // The killed job ran once (and died); every other job ran exactly once, in order.
    expect(runs(file)).toEqual([
      running.id,
      ...ahead.map((job) => job.id),
      ...queued.map((job) => job.id),
    ]);
  });

  it('cancelling a job sent ahead ends it at once and the worker never runs it', async () => {
    harness = await startHarness({ poolSize: 1, prefetch: 2 });
    const file = join(dir, 'runs.txt');
    const first = harness.manager.submit('tally', { file, ms: 200 });
    const second = harness.manager.submit('tally', { file });
    const third = harness.manager.submit('tally', { file });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await second.cancel()).toBe(true);
    expect((await second.done).error?.message).toContain('while it was queued');
    await Promise.all([first.done, third.done]);
    expect(runs(file)).toEqual([first.id, third.id]);
  });

  it('prefetch: 0 sends a worker one job at a time', async () => {
    harness = await startHarness({ poolSize: 1, prefetch: 0 });
    const file = join(dir, 'runs.txt');
    const first = harness.manager.submit('tally', { file, ms: 150 });
    const second = harness.manager.submit('tally', { file });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(second.snapshot().workerId).toBeUndefined();
    await Promise.all([first.done, second.done]);
  });
});
