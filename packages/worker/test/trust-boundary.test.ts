import type { WorkerProtocolErrorEvent } from '@plugwork/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

// Plugin code shares its process with the worker loop, but not the loop's authority: only the
// loop's messages carry the channel token, so whatever a plugin writes to the channel itself is
// dropped. One worker, so the job after the forger's runs on the forger's process.

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ poolSize: 1 });
});

afterAll(async () => {
  await harness?.close();
});

describe.each([
  ["writes to the channel's file descriptor", 'fd'],
  ['forged error messages', 'error'],
  ['several forgeries in one write', 'several'],
] as const)('a plugin that forges through %s', (_label, how) => {
  it('ends, feeds or frees no job: its own ends with its real result, the next with its own', async () => {
    const { manager } = harness;
    const dropped: (string | undefined)[] = [];
    const onDropped = (event: WorkerProtocolErrorEvent) => {
      if (event.message.includes('without the channel token')) dropped.push(event.jobId);
    };
    manager.on('worker:protocol-error', onDropped);
    const forger = manager.submit('forger', { how });
    // Queued behind the forger on the same worker: the forger sniffs or guesses its id.
    const next = manager.submit('echo', { text: 'mine' }, { stream: false });
    const progress: number[] = [];
    manager.on('job:progress', (event) => {
      if (event.jobId === next.id) progress.push(event.progress);
    });
    const forgerDone = await forger.done;
    expect(forgerDone.status).toBe('completed');
    expect(forgerDone.result).toEqual({ real: true });
    const nextDone = await next.done;
    expect(nextDone.status).toBe('completed');
    expect(nextDone.result).toMatchObject({ text: 'mine' });
    // The worker was not freed early: the next job started after the forger really ended.
    expect(nextDone.startedAt!).toBeGreaterThanOrEqual(forgerDone.endedAt!);
    expect(forgerDone.endedAt! - forgerDone.startedAt!).toBeGreaterThanOrEqual(140);
    expect(progress).toEqual([]);
    manager.off('worker:protocol-error', onDropped);
    // Both its own job's forgery and the next job's were seen and dropped.
    expect(dropped).toContain(forger.id);
    expect(dropped).toContain(next.id);
  });
});

describe('a lingering forger', () => {
  it('cannot end a job that runs after it on the same worker', async () => {
    const { manager } = harness;
    const forger = manager.submit('forger', { how: 'fd' });
    await forger.done;
    // The forger's interval keeps writing results for the job id after its own while this runs.
    const slow = manager.submit('sleep', { ms: 300 });
    const done = await slow.done;
    expect(done.status).toBe('completed');
    expect(done.result).toHaveProperty('ended');
    expect(done.endedAt! - done.startedAt!).toBeGreaterThanOrEqual(290);
  });
});
