// Starting, stopping and the host going away: no worker process is ever left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PluginRegistry } from '@plugwork/protocol';
import {
  JobManager,
  ManagerStateError,
  WorkerErrorCode,
  type WorkerExitEvent,
  WorkerStartError,
} from '@plugwork/worker';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createHarness,
  expectHealthy,
  expectProcessesGone,
  isRunning,
  nextEvent,
  runningWorkerChildren,
  startHarness,
  TEST_ADAPTER,
} from './helpers.ts';

async function startError(options: ConstructorParameters<typeof JobManager>[0]) {
  const manager = new JobManager({ logger: { output: () => {}, warn: () => {} }, ...options });
  const error = await manager.start().then(
    () => expect.fail('start() resolved'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkerStartError);
  const { pid } = error as WorkerStartError;
  expect(pid).toBeTypeOf('number');
  await expectProcessesGone([pid!]);
  expect(() => manager.submit('echo')).toThrow(ManagerStateError);
  return error as WorkerStartError;
}

describe('start failures leave nothing behind', () => {
  it('an adapter slower than timeouts.startMs', async () => {
    const error = await startError({
      adapter: { module: TEST_ADAPTER, options: { initDelayMs: 5_000 } },
      timeouts: { startMs: 400 },
    });
    expect(error.code).toBe(WorkerErrorCode.WORKER_START_TIMEOUT);
    expect(error.message).toBe(
      `Worker worker-1 (pid ${error.pid}) did not become ready within 400 ms, so it was killed. Its adapter or the setup of a plugin in pluginConfigs is too slow or hangs; raise timeouts.startMs if it is just slow`,
    );
  });

  it('an adapter factory that throws', async () => {
    const error = await startError({
      adapter: { module: TEST_ADAPTER, options: { failCreate: true } },
    });
    expect(error.code).toBe(WorkerErrorCode.WORKER_START_FAILED);
    expect(error.message).toBe(
      `Worker worker-1 (pid ${error.pid}) could not start: the adapter factory createAdapter() of "${TEST_ADAPTER}" threw: createAdapter was told to fail`,
    );
  });

  it('discovery that throws', async () => {
    const error = await startError({
      adapter: { module: TEST_ADAPTER, options: { failDiscover: true } },
    });
    expect(error.message).toContain('plugin discovery failed: discovery was told to fail');
  });

  it('an adapter whose plugin descriptors break the protocol: fails fast, naming the field', async () => {
    const before = Date.now();
    const error = await startError({
      adapter: { module: TEST_ADAPTER, options: { badDescriptors: true } },
    });
    expect(Date.now() - before).toBeLessThan(5_000);
    expect(error.code).toBe(WorkerErrorCode.WORKER_START_FAILED);
    expect(error.message).toMatch(
      /could not start: it sent a malformed answer \(Invalid "ready" response: field "plugins\.0\.(streaming|source)"/,
    );
  });

  it('an adapter module that does not exist', async () => {
    const missing = new URL('./fixtures/no-such-adapter.mjs', import.meta.url).href;
    const error = await startError({ adapter: { module: missing } });
    expect(error.message).toContain(`cannot import adapter module "${missing}"`);
  });

  it('a wrong export name, listing the functions the module has', async () => {
    const error = await startError({ adapter: { module: TEST_ADAPTER, export: 'makeAdapter' } });
    expect(error.message).toContain('has no function export "makeAdapter" (found: createAdapter)');
  });

  it('a pool where one worker cannot start stops the others too', async () => {
    const manager = new JobManager({
      adapter: { module: TEST_ADAPTER, options: { initDelayMs: 5_000 } },
      poolSize: 2,
      timeouts: { startMs: 300 },
    });
    const starting = manager.start();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const spawned = runningWorkerChildren();
    expect(spawned).toHaveLength(2);
    await expect(starting).rejects.toThrow(WorkerStartError);
    await expectProcessesGone(spawned);
    expect(runningWorkerChildren()).toEqual([]);
  });
});

describe('worker process settings', () => {
  it('workers get worker.env, worker.cwd and worker.execArgv', async () => {
    const cwd = realpathSync(tmpdir());
    const harness = await startHarness({
      worker: {
        env: { ...process.env, PLUGWORK_TEST_SETTING: 'from the host' },
        cwd,
        execArgv: ['--no-warnings'],
      },
    });
    try {
      await expect(
        harness.manager.submit('environment', { name: 'PLUGWORK_TEST_SETTING' }).result,
      ).resolves.toEqual({ value: 'from the host', cwd, execArgv: ['--no-warnings'] });
    } finally {
      await harness.close();
    }
  });

  it('a worker that cannot be spawned (missing cwd) fails start() saying so', async () => {
    const manager = new JobManager({
      adapter: { module: TEST_ADAPTER },
      worker: { cwd: '/no/such/directory' },
    });
    const error = await manager.start().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WorkerStartError);
    expect((error as WorkerStartError).message).toMatch(
      /Worker worker-1 could not be spawned: .*ENOENT.*Check worker.cwd and worker.execArgv/,
    );
    expect(runningWorkerChildren()).toEqual([]);
  });
});

describe('plugin loading', () => {
  it('a plugin that fails to load is a diagnostic, not a start failure; its jobs fail clearly', async () => {
    const harness = await startHarness({
      maxLoadedPlugins: 3,
      pluginConfigs: { 'failing-load': {}, echo: {}, nonexistent: {} },
    });
    try {
      expect(harness.manager.catalog.diagnostics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            plugin_name: 'failing-load',
            code: 'LOAD_FAILED',
            message: 'failing-load refuses to load',
          }),
          expect.objectContaining({ plugin_name: 'nonexistent', code: 'UNKNOWN_PLUGIN' }),
        ]),
      );
      const job = harness.manager.submit('failing-load');
      const done = await job.done;
      expect(done.error).toEqual({
        code: WorkerErrorCode.PLUGIN_LOAD_FAILED,
        message: `Job ${job.id} could not run because plugin "failing-load" could not be loaded: failing-load refuses to load`,
      });
      await expectHealthy(harness.manager);
    } finally {
      await harness.close();
    }
  });

  it('with a registry, a plugin is loaded with the config the registry gives', async () => {
    const asked: string[] = [];
    const registry: PluginRegistry = {
      getPluginsByCategory: () => [],
      getPlugin: () => undefined,
      loadPluginConfig: async (name) => {
        asked.push(name);
        if (name === 'counter') throw new Error('registry offline');
        return name === 'echo' ? { prefix: 'from registry: ' } : undefined;
      },
    };
    const harness = await startHarness({ registry, maxLoadedPlugins: 2 });
    try {
      await expect(harness.manager.submit('echo', { text: 'x' }).result).resolves.toMatchObject({
        text: 'from registry: x',
      });
      await expect(harness.manager.submit('noop').result).resolves.toEqual({});
      const failed = await harness.manager.submit('counter').done;
      expect(failed.error?.message).toContain(
        'could not be loaded: the registry could not provide its config: registry offline',
      );
      expect(asked).toEqual(['echo', 'noop', 'counter']);
    } finally {
      await harness.close();
    }
  });

  it('a plugin setup slower than timeouts.requestMs: the job fails and the worker is replaced', async () => {
    const harness = await startHarness({ timeouts: { requestMs: 300 } });
    try {
      // Not loaded anywhere: the config is kept for when it is.
      await harness.manager.reloadPlugin('slow-setup', { delayMs: 5_000 });
      const exited = nextEvent<WorkerExitEvent>(harness.manager, 'worker:exited');
      const job = harness.manager.submit('slow-setup');
      const done = await job.done;
      expect(done.error?.code).toBe(WorkerErrorCode.PLUGIN_LOAD_FAILED);
      expect(done.error?.message).toContain(
        'did not answer "reload" plugin "slow-setup" within 300 ms, so it was killed and will be restarted',
      );
      expect(await exited).toMatchObject({ killedFor: 'request-timeout' });
      await expectHealthy(harness.manager);
    } finally {
      await harness.close();
    }
  });
});

describe('signals', () => {
  it('a worker ignores SIGINT (a terminal Ctrl-C reaches the whole process group): the host decides', async () => {
    const harness = await startHarness();
    try {
      const running = harness.manager.submit('sleep', { ms: 300 });
      const pid = running.snapshot().workerPid!;
      process.kill(pid, 'SIGINT');
      expect(await running.done).toMatchObject({ status: 'completed', workerPid: pid });
      const next = await harness.manager.submit('pid').result;
      expect(next.pid).toBe(pid);
    } finally {
      await harness.close();
    }
  });
});

describe('shutdown', () => {
  it('stops gracefully: plugins are disposed, workers exit 0', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'plugwork-'));
    const marker = join(folder, 'disposed.txt');
    try {
      const harness = await startHarness({ pluginConfigs: { echo: { disposeMarker: marker } } });
      const exited = nextEvent<WorkerExitEvent>(harness.manager, 'worker:exited');
      await harness.manager.submit('echo', { text: 'x' }).result;
      await harness.close();
      expect(await exited).toMatchObject({ code: 0, signal: null });
      expect(readFileSync(marker, 'utf8')).toBe('echo disposed\n');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('kills a worker whose plugin does not finish disposing within shutdownMs', async () => {
    const harness = await startHarness({
      pluginConfigs: { 'dispose-hangs': {} },
      timeouts: { shutdownMs: 400 },
    });
    const exited = nextEvent<WorkerExitEvent>(harness.manager, 'worker:exited');
    const before = Date.now();
    await harness.close();
    expect(Date.now() - before).toBeLessThan(3_000);
    expect(await exited).toMatchObject({ signal: 'SIGKILL' });
  });

  it('cancels queued and running jobs, saying why', async () => {
    const harness = await startHarness();
    const running = harness.manager.submit('hangs', { honourSignal: true });
    const queued = harness.manager.submit('echo');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await harness.close();
    for (const job of [running, queued]) {
      expect(await job.done).toMatchObject({
        status: 'cancelled',
        error: {
          code: WorkerErrorCode.JOB_CANCELLED,
          message: `Job ${job.id} (plugin "${job.plugin}") was cancelled because the JobManager shut down`,
        },
      });
    }
  });

  it('with { drain: true } runs every accepted job first', async () => {
    const harness = await startHarness();
    const jobs = [1, 2, 3].map((index) => harness.manager.submit('sleep', { ms: 50 * index }));
    await harness.manager.shutdown({ drain: true });
    expect((await Promise.all(jobs.map((job) => job.done))).map((job) => job.status)).toEqual([
      'completed',
      'completed',
      'completed',
    ]);
    await expectProcessesGone([...harness.pids]);
  });

  it('start and shutdown are idempotent where they should be', async () => {
    const harness = createHarness();
    await harness.manager.start();
    await expect(harness.manager.start()).rejects.toThrow(/already called/);
    await Promise.all([harness.manager.shutdown(), harness.manager.shutdown()]);
    await harness.close();
    await expect(
      new JobManager({ adapter: { module: TEST_ADAPTER } }).shutdown(),
    ).resolves.toBeUndefined();
  });
});

describe('the host goes away', () => {
  let host: ChildProcess | undefined;

  afterEach(() => {
    if (host?.exitCode === null && host.signalCode === null) host.kill('SIGKILL');
  });

  async function startHost(mode: 'idle' | 'busy' | 'exit') {
    host = spawn(
      process.execPath,
      [new URL('./fixtures/host.mjs', import.meta.url).pathname, mode, TEST_ADAPTER],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: host.stdout! });
    const [line] = (await once(lines, 'line')) as [string];
    const info = JSON.parse(line) as { hostPid: number; workerPid: number };
    expect(isRunning(info.workerPid)).toBe(mode !== 'exit' || isRunning(info.workerPid));
    return info;
  }

  it('host killed with SIGKILL: its idle worker exits by itself', async () => {
    const { workerPid } = await startHost('idle');
    expect(isRunning(workerPid)).toBe(true);
    host!.kill('SIGKILL');
    await once(host!, 'exit');
    await expectProcessesGone([workerPid], 5_000);
  });

  it('host killed with SIGKILL while its worker is stuck in a synchronous loop: the watchdog ends it', async () => {
    const { workerPid } = await startHost('busy');
    expect(isRunning(workerPid)).toBe(true);
    host!.kill('SIGKILL');
    await once(host!, 'exit');
    // The host gave its workers shutdownMs = 1 000 to exit cleanly; the loop never lets it.
    await expectProcessesGone([workerPid], 6_000);
  });

  it('host exits without shutdown(): its exit hook ends the worker', async () => {
    const { workerPid } = await startHost('exit');
    await once(host!, 'exit');
    expect(host!.exitCode).toBe(0);
    await expectProcessesGone([workerPid], 5_000);
  });
});
