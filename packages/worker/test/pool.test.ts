// A pool of two workers: real parallelism, plugin affinity, pool-wide reload/unload.
import { describe, expect, it } from 'vitest';
import { startHarness } from './helpers.ts';

describe('a pool of 2', () => {
  it('runs two jobs at the same time on two processes', async () => {
    const harness = await startHarness({ poolSize: 2 });
    try {
      const jobs = [
        harness.manager.submit('sleep', { ms: 600 }),
        harness.manager.submit('sleep', { ms: 600 }),
      ];
      const [a, b] = (await Promise.all(jobs.map((job) => job.result))) as {
        pid: number;
        started: number;
        ended: number;
      }[];
      expect(a!.pid).not.toBe(b!.pid);
      // Each started before the other ended: they overlapped.
      expect(a!.started).toBeLessThan(b!.ended);
      expect(b!.started).toBeLessThan(a!.ended);
      expect(Math.abs(a!.started - b!.started)).toBeLessThan(400);
    } finally {
      await harness.close();
    }
  });

  it('affinity: a job goes to the idle worker that already has its plugin loaded', async () => {
    const harness = await startHarness({ poolSize: 2, maxLoadedPlugins: 1 });
    const { manager } = harness;
    try {
      // First use: counter lands on worker-1, echo on worker-2 (which has room: nothing loaded).
      const first = await manager.submit('counter').done;
      const firstEcho = await manager.submit('echo', { text: '' }).done;
      expect(first.workerId).not.toBe(firstEcho.workerId);
      for (let round = 0; round < 5; round++) {
        const counter = await manager.submit('counter').done;
        const echo = await manager.submit('echo', { text: '' }).done;
        expect(counter.workerId).toBe(first.workerId);
        expect(echo.workerId).toBe(firstEcho.workerId);
        // Loaded once, never evicted by the other plugin: the same instance serves every call.
        expect(counter.result).toMatchObject({ loadNumber: 1, calls: round + 2 });
      }
      const states = await manager.getWorkerStates();
      expect(states.map((state) => state.loadedPlugins)).toEqual(
        first.workerId === 'worker-1' ? [['counter'], ['echo']] : [['echo'], ['counter']],
      );
    } finally {
      await harness.close();
    }
  });

  it('affinity prefers, it does not wait: a busy worker with the plugin is passed over', async () => {
    const harness = await startHarness({ poolSize: 2, maxLoadedPlugins: 1 });
    const { manager } = harness;
    try {
      const sleepHome = (await manager.submit('sleep', { ms: 1 }).done).workerId;
      const echoHome = (await manager.submit('echo', { text: '' }).done).workerId;
      expect(sleepHome).not.toBe(echoHome);
      const long = manager.submit('sleep', { ms: 600 });
      const short = manager.submit('sleep', { ms: 10 });
      const [a, b] = await Promise.all([long.done, short.done]);
      expect(a.workerId).toBe(sleepHome);
      expect(b.workerId).toBe(echoHome);
      expect(b.endedAt!).toBeLessThan(a.endedAt!);
    } finally {
      await harness.close();
    }
  });

  it('reload and unload apply to every worker', async () => {
    const harness = await startHarness({
      poolSize: 2,
      maxLoadedPlugins: 2,
      pluginConfigs: { echo: { prefix: 'A ' } },
    });
    const { manager } = harness;
    try {
      await manager.reloadPlugin('echo', { prefix: 'B ' });
      // Submitted together, the two jobs run on both workers.
      const jobs = await Promise.all([
        manager.submit('echo', { text: '1' }).done,
        manager.submit('echo', { text: '2' }).done,
      ]);
      expect(new Set(jobs.map((job) => job.workerPid)).size).toBe(2);
      expect(jobs.map((job) => job.result?.text)).toEqual(['B 1', 'B 2']);
      await manager.unloadPlugin('echo');
      const states = await manager.getWorkerStates();
      expect(states).toHaveLength(2);
      for (const state of states) expect(state.loadedPlugins).not.toContain('echo');
    } finally {
      await harness.close();
    }
  });

  it('a crash on one worker leaves the job on the other untouched', async () => {
    const harness = await startHarness({ poolSize: 2, restart: { baseDelayMs: 20 } });
    try {
      const survivor = harness.manager.submit('sleep', { ms: 400 });
      const crash = harness.manager.submit('exit');
      expect((await crash.done).status).toBe('failed');
      expect((await survivor.done).status).toBe('completed');
    } finally {
      await harness.close();
    }
  });
});
