import { afterEach, describe, expect, it } from 'vitest';
import {
  expectWorkerGoneWhenHostKilled,
  type Harness,
  nextEvent,
  startHarness,
  TEST_ADAPTER,
} from './helpers.ts';

const HOST = new URL('./fixtures/host.mjs', import.meta.url);

// A Node host running its plugins in Deno workers, over the socket channel.

describe('runtime deno (Node host)', () => {
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('runs a streaming job in a Deno worker', async () => {
    harness = await startHarness({ runtime: 'deno' });
    const job = harness.manager.submit('stream', { count: 4, delayMs: 5 }, { stream: true });
    const chunks: string[] = [];
    for await (const chunk of job.stream()) chunks.push(chunk);
    expect(chunks.join('')).toBe('chunk-0;chunk-1;chunk-2;chunk-3;');
    await expect(job.result).resolves.toMatchObject({ streamed: true, characters: 32 });
    const [state] = await harness.manager.getWorkerStates();
    expect(state?.state).toBe('idle');
  });

  it('keeps plugin output off the channel', async () => {
    harness = await startHarness({ runtime: 'deno' });
    await expect(harness.manager.submit('garbage', {}).result).resolves.toBeDefined();
    await expect(harness.manager.submit('echo', { text: 'ok' }).result).resolves.toMatchObject({
      text: 'ok',
    });
  });

  it('detects a Deno worker that exits mid-job and restarts it', async () => {
    harness = await startHarness({ runtime: 'deno', restart: { policy: 'always' } });
    const exited = nextEvent<{ code: number | null }>(harness.manager, 'worker:exited');
    await expect(harness.manager.submit('exit', { code: 7 }).result).rejects.toThrow(
      /exited with code 7/,
    );
    expect((await exited).code).toBe(7);
    await expect(harness.manager.submit('echo', { text: 'again' }).result).resolves.toMatchObject({
      text: 'again',
    });
  });

  it('detects a killed Deno worker', async () => {
    harness = await startHarness({ runtime: 'deno', restart: { policy: 'always' } });
    const started = nextEvent(harness.manager, 'job:started');
    const job = harness.manager.submit('sleep', { ms: 10_000 });
    await started;
    const [pid] = harness.pids;
    process.kill(pid!, 'SIGKILL');
    await expect(job.result).rejects.toThrow(/SIGKILL/);
  });

  it('a Deno worker exits by itself when its host is killed (the socket closes)', async () => {
    await expectWorkerGoneWhenHostKilled(HOST, ['idle', TEST_ADAPTER, 'deno'], 5_000);
  });

  it('a Deno worker stuck in a synchronous loop is killed when its host is SIGKILLed (the host watchdog)', async () => {
    // The host gave its workers shutdownMs = 1 000 to exit; the loop never lets this one.
    await expectWorkerGoneWhenHostKilled(HOST, ['busy', TEST_ADAPTER, 'deno'], 6_000);
  });

  it('a deno binary that does not exist: the start fails naming the option to set', async () => {
    await expect(
      startHarness({ runtime: 'deno', worker: { denoPath: '/nonexistent/deno' } }),
    ).rejects.toThrow(/"\/nonexistent\/deno" was not found: .*worker\.denoPath/);
  });
});
