// Restart policies with real processes: backoff timing, the crash-loop cap, and what happens
// to queued jobs when no worker is left.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JobError,
  ManagerStateError,
  WorkerErrorCode,
  type WorkerEvent,
  type WorkerExitEvent,
  type WorkerFailedEvent,
} from '@plugwork/worker';
import { describe, expect, it } from 'vitest';
import {
  expectHealthy,
  expectProcessesGone,
  nextEvent,
  runningWorkerChildren,
  startHarness,
  TEST_ADAPTER,
} from './helpers.ts';

describe('backoff', () => {
  it('restarts after base * 2^(n-1) ms, capped at maxDelayMs, without blocking the host', async () => {
    const harness = await startHarness({
      restart: { policy: 'backoff', baseDelayMs: 100, maxDelayMs: 400, maxCrashes: 10 },
    });
    const { manager } = harness;
    try {
      const announced: number[] = [];
      const measured: number[] = [];
      for (let crash = 0; crash < 4; crash++) {
        const exited = nextEvent<WorkerExitEvent>(manager, 'worker:exited');
        const restarted = nextEvent<WorkerEvent>(manager, 'worker:restarted');
        const job = manager.submit('exit', { code: 3 });
        const exit = await exited;
        const exitedAt = Date.now();
        // The host's event loop keeps turning during the backoff.
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 10);
        await restarted;
        clearInterval(ticker);
        measured.push(Date.now() - exitedAt);
        announced.push(exit.restartInMs!);
        expect(ticks).toBeGreaterThanOrEqual(Math.floor(exit.restartInMs! / 10 / 2));
        expect((await job.done).error?.message).toContain(
          `The worker will be restarted in ${exit.restartInMs} ms`,
        );
      }
      expect(announced).toEqual([100, 200, 400, 400]);
      announced.forEach((delay, index) => {
        expect(measured[index]).toBeGreaterThanOrEqual(delay - 5);
        expect(measured[index]).toBeLessThan(delay + 3_000);
      });
      await expectHealthy(manager);
      const [state] = await manager.getWorkerStates();
      expect(state).toMatchObject({ restarts: 4, recentCrashes: 4 });
    } finally {
      await harness.close();
    }
  });

  it('kills on purpose restart at once and do not count as crashes', async () => {
    const harness = await startHarness({
      timeouts: { cancelGraceMs: 50 },
      restart: { policy: 'backoff', baseDelayMs: 5_000, maxCrashes: 1 },
    });
    try {
      for (let round = 0; round < 3; round++) {
        const exited = nextEvent<WorkerExitEvent>(harness.manager, 'worker:exited');
        const job = harness.manager.submit('hangs');
        await new Promise((resolve) => setTimeout(resolve, 30));
        await job.cancel();
        expect(await exited).toMatchObject({ killedFor: 'cancel', restartInMs: 0 });
        await expectHealthy(harness.manager);
      }
      const [state] = await harness.manager.getWorkerStates();
      expect(state).toMatchObject({ restarts: 3, recentCrashes: 0 });
    } finally {
      await harness.close();
    }
  });
});

describe('crash-loop cap', () => {
  it('after maxCrashes within the window the worker is failed and pending jobs fail clearly', async () => {
    const harness = await startHarness({
      restart: { policy: 'always', maxCrashes: 3, crashWindowMs: 30_000 },
    });
    const { manager } = harness;
    try {
      const failed = nextEvent<WorkerFailedEvent>(manager, 'worker:failed');
      const crashers = [1, 2, 3].map(() => manager.submit('exit', { code: 7 }));
      const waiting = [
        manager.submit('echo', { text: 'a' }),
        manager.submit('echo', { text: 'b' }),
      ];
      const crashed = await Promise.all(crashers.map((job) => job.done));
      expect(crashed.map((job) => job.error?.code)).toEqual([
        WorkerErrorCode.WORKER_CRASHED,
        WorkerErrorCode.WORKER_CRASHED,
        WorkerErrorCode.WORKER_CRASHED,
      ]);
      expect(crashed[2]?.error?.message).toContain(
        'The worker crashed 3 times within 30000 ms (restart.maxCrashes), so it will not be restarted.',
      );
      const failure = await failed;
      expect(failure.reason).toMatch(
        /worker worker-1 crashed 3 times within 30000 ms and is not restarted any more \(restart.maxCrashes\); last exit: exited with code 7/,
      );
      for (const job of waiting) {
        const error = await job.result.catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(JobError);
        expect((error as JobError).code).toBe(WorkerErrorCode.NO_WORKERS);
        expect((error as JobError).message).toContain('cannot run: no worker is left');
      }
      expect(() => manager.submit('echo')).toThrow(ManagerStateError);
      expect(() => manager.submit('echo')).toThrow(/no worker is left/);
      const [state] = await manager.getWorkerStates();
      expect(state).toMatchObject({ state: 'failed', pid: undefined, failure: failure.reason });
      await expectProcessesGone([...harness.pids]);
    } finally {
      await harness.close();
    }
  });

  it('a worker that cannot start again counts as crashing again, up to the cap', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'plugwork-'));
    const marker = join(folder, 'broken');
    const harness = await startHarness({
      adapter: { module: TEST_ADAPTER, options: { failCreateIfExists: marker } },
      restart: { policy: 'always', maxCrashes: 3, crashWindowMs: 30_000 },
    });
    const { manager } = harness;
    try {
      const failed = nextEvent<WorkerFailedEvent>(manager, 'worker:failed');
      writeFileSync(marker, '');
      const crash = manager.submit('exit');
      const waiting = manager.submit('echo');
      expect((await crash.done).status).toBe('failed');
      expect((await failed).reason).toContain(
        'crashed 3 times within 30000 ms and is not restarted any more (restart.maxCrashes); last exit: Worker worker-1',
      );
      expect((await failed).reason).toContain('createAdapter found its failure marker');
      expect((await waiting.done).error?.code).toBe(WorkerErrorCode.NO_WORKERS);
      expect(
        harness.warnings.filter((line) => line.startsWith('Restarting worker worker-1 failed')),
      ).toHaveLength(2);
      expect(runningWorkerChildren()).toEqual([]);
    } finally {
      await harness.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('with a pool, a failed worker leaves the others serving the queue', async () => {
    const harness = await startHarness({ poolSize: 2, restart: { policy: 'never' } });
    const { manager } = harness;
    try {
      const failed = nextEvent<WorkerFailedEvent>(manager, 'worker:failed');
      const crash = manager.submit('exit');
      const others = Array.from({ length: 5 }, (_, index) =>
        manager.submit('echo', { text: `${index}` }),
      );
      expect((await crash.done).error?.message).toContain(
        'The restart policy "never" does not restart a worker after this, so it stays down.',
      );
      await failed;
      const results = await Promise.all(others.map((job) => job.done));
      expect(results.map((job) => job.status)).toEqual(Array(5).fill('completed'));
      const states = await manager.getWorkerStates();
      expect(states.map((state) => state.state).sort()).toEqual(['failed', 'idle']);
    } finally {
      await harness.close();
    }
  });
});

describe('policies', () => {
  it('on-cancellation: a worker killed to cancel a job comes back, a crashed one does not', async () => {
    const harness = await startHarness({
      timeouts: { cancelGraceMs: 50 },
      restart: { policy: 'on-cancellation' },
    });
    const { manager } = harness;
    try {
      const job = manager.submit('busy-loop');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await job.cancel();
      await expectHealthy(manager);
      const crash = manager.submit('exit');
      expect((await crash.done).error?.message).toContain(
        'The restart policy "on-cancellation" does not restart a worker after this',
      );
      expect(() => manager.submit('echo')).toThrow(/no worker is left/);
    } finally {
      await harness.close();
    }
  });

  it('never: even a worker killed to cancel a job stays down', async () => {
    const harness = await startHarness({
      timeouts: { cancelGraceMs: 50 },
      restart: { policy: 'never' },
    });
    try {
      const job = harness.manager.submit('hangs');
      const queued = harness.manager.submit('echo');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await job.cancel();
      expect((await job.done).error?.message).toMatch(/was killed$/);
      expect((await queued.done).error?.code).toBe(WorkerErrorCode.NO_WORKERS);
    } finally {
      await harness.close();
    }
  });
});

describe('restartWorker', () => {
  it('replaces an idle worker at once, with a fresh process, under any policy', async () => {
    const harness = await startHarness({ poolSize: 2, restart: { policy: 'never' } });
    const { manager } = harness;
    try {
      await manager.submit('counter').result;
      const before = await manager.getWorkerStates();
      const target = before.find((state) => state.loadedPlugins.includes('counter'))!;
      const restarted = nextEvent<WorkerEvent>(manager, 'worker:restarted');
      const state = await manager.restartWorker(target.workerId);
      expect(state).toMatchObject({
        workerId: target.workerId,
        state: 'idle',
        restarts: 1,
        loadedPlugins: [],
      });
      expect(state.pid).not.toBe(target.pid);
      expect(await restarted).toMatchObject({
        workerId: target.workerId,
        previousPid: target.pid,
      });
      await expectProcessesGone([target.pid!]);
      // The other worker was left alone, and both serve jobs.
      const other = (await manager.getWorkerStates()).find((s) => s.workerId !== target.workerId)!;
      expect(other.pid).toBe(before.find((s) => s.workerId === other.workerId)!.pid);
      await expectHealthy(manager);
    } finally {
      await harness.close();
    }
  });

  it('cancels the job a stuck worker runs, then brings the worker back', async () => {
    const harness = await startHarness({ timeouts: { cancelGraceMs: 100 } });
    const { manager } = harness;
    try {
      const job = manager.submit('busy-loop');
      await new Promise((resolve) => setTimeout(resolve, 100));
      const [running] = await manager.getWorkerStates({ timeoutMs: 100 });
      const state = await manager.restartWorker('worker-1');
      const done = await job.done;
      expect(done.status).toBe('cancelled');
      expect(done.error?.code).toBe(WorkerErrorCode.JOB_CANCELLED);
      expect(state).toMatchObject({ workerId: 'worker-1', state: 'idle' });
      expect(state.pid).not.toBe(running!.pid);
      await expectHealthy(manager);
    } finally {
      await harness.close();
    }
  });

  it('brings back a worker the crash-loop cap left failed', async () => {
    const harness = await startHarness({ restart: { policy: 'always', maxCrashes: 1 } });
    const { manager } = harness;
    try {
      await manager.submit('exit', { code: 7 }).done;
      await expect.poll(async () => (await manager.getWorkerStates())[0]?.state).toBe('failed');
      expect(() => manager.submit('echo')).toThrow(/no worker is left/);
      const state = await manager.restartWorker('worker-1');
      expect(state).toMatchObject({ state: 'idle', failure: undefined });
      await expect(manager.submit('echo', { text: 'back' }).result).resolves.toMatchObject({
        text: 'back',
        pid: state.pid,
      });
    } finally {
      await harness.close();
    }
  });

  it('names the workers there are when asked for one that is not', async () => {
    const harness = await startHarness();
    try {
      await expect(harness.manager.restartWorker('worker-9')).rejects.toThrow(
        'No worker "worker-9" in this pool: its workers are "worker-1" (see getWorkerStates())',
      );
    } finally {
      await harness.close();
    }
  });
});
