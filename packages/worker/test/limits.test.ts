import { PayloadTooLargeError, WorkerErrorCode } from '@plugwork/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

// Every payload has a limit, and every send that fails ends its job with a reason; the worker
// that ran it goes on serving.

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    limits: { paramsBytes: 10_000, resultBytes: 20_000, chunkBytes: 5_000 },
  });
});

afterAll(async () => {
  await harness?.close();
});

async function expectSameWorkerServes(pid: number | undefined): Promise<void> {
  const done = await harness.manager.submit('echo', { text: 'after' }).done;
  expect(done.status).toBe('completed');
  expect(done.workerPid).toBe(pid);
}

describe('payload limits', () => {
  it('refuses params over limits.paramsBytes at submit, naming size and limit', () => {
    let error: unknown;
    try {
      harness.manager.submit('echo', { text: 'é'.repeat(6_000) });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).code).toBe(WorkerErrorCode.PARAMS_TOO_LARGE);
    // 6,000 two-byte characters: 12,011 bytes of UTF-8 JSON (bytes, not characters).
    expect((error as PayloadTooLargeError).bytes).toBe(12_011);
    expect((error as Error).message).toMatch(
      /params are 11\.7 KiB of JSON, over the limit of 9\.8 KiB \(limits\.paramsBytes\)/,
    );
    expect(harness.manager.listJobs({ plugin: 'echo', status: 'pending' })).toEqual([]);
  });

  it('accepts params just under the limit', async () => {
    const done = await harness.manager.submit('echo', { text: 'x'.repeat(9_900) }).done;
    expect(done.status).toBe('completed');
  });

  it('fails a result over limits.resultBytes with RESULT_TOO_LARGE; the worker goes on', async () => {
    const done = await harness.manager.submit('big', { size: 30_000 }).done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.RESULT_TOO_LARGE);
    expect(done.error?.message).toBe(
      `Plugin "big" failed on job ${done.id}: its result is 29.3 KiB of JSON, over the limit of 19.5 KiB (limits.resultBytes). Return a reference (a file path, a URL) instead, or raise limits.resultBytes`,
    );
    await expectSameWorkerServes(done.workerPid);
  });

  it('fails a stream with one chunk over limits.chunkBytes with CHUNK_TOO_LARGE', async () => {
    const job = harness.manager.submit('big', { size: 8_000 }, { stream: true });
    const chunks: string[] = [];
    const streamed = (async () => {
      for await (const chunk of job) chunks.push(chunk);
    })().catch((error: Error) => error);
    const done = await job.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.CHUNK_TOO_LARGE);
    expect(done.error?.message).toMatch(
      /one chunk of 7\.8 KiB of JSON, over the limit of 4\.9 KiB \(limits\.chunkBytes\)/,
    );
    await streamed;
    expect(chunks.join('')).toBe('small chunk');
    await expectSameWorkerServes(done.workerPid);
  });
});

describe('sends that fail', () => {
  it('an execute request the channel cannot serialise fails its job with SEND_FAILED', async () => {
    // Queued behind a running job, so that it is sent after the trap below is armed: a value
    // that was fine at submit and fails when the channel serialises the request.
    const busy = harness.manager.submit('sleep', { ms: 100 });
    let armed = false;
    const params = {
      nested: {
        get text() {
          if (armed) throw new Error('this getter gave up');
          return 'hi';
        },
      },
    };
    const job = harness.manager.submit('echo', params);
    armed = true;
    const done = await job.done;
    expect(done.status).toBe('failed');
    expect(done.error?.code).toBe(WorkerErrorCode.SEND_FAILED);
    expect(done.error?.message).toMatch(
      /its execute request could not be sent to the worker \(.*this getter gave up/,
    );
    const busyDone = await busy.done;
    expect(busyDone.status).toBe('completed');
    await expectSameWorkerServes(busyDone.workerPid);
  });

  it('a request that cannot go fails alone when it would have shared a write with others', async () => {
    // Three jobs handed to the worker in one turn leave in one write (a batch); the one whose
    // params fail to serialise fails, the two beside it run.
    const busy = harness.manager.submit('sleep', { ms: 100 });
    let armed = false;
    const trap = {
      get text() {
        if (armed) throw new Error('this getter gave up');
        return 'hi';
      },
    };
    const before = harness.manager.submit('echo', { text: 'before' });
    const bad = harness.manager.submit('echo', { nested: trap });
    const after = harness.manager.submit('echo', { text: 'after' });
    armed = true;
    const [beforeDone, badDone, afterDone] = await Promise.all([before.done, bad.done, after.done]);
    expect(badDone.error?.code).toBe(WorkerErrorCode.SEND_FAILED);
    expect(beforeDone.result).toMatchObject({ text: 'before' });
    expect(afterDone.result).toMatchObject({ text: 'after' });
    expect((await busy.done).status).toBe('completed');
  });
});

describe('the channel carries what the limits allow', () => {
  // The channel reads lines up to the largest limit plus 1 MiB (launch-plan.ts): a result the
  // limits accept arrives whole on every plugwork worker, past the protocol's 16 MiB default.
  it.each(['node', 'deno'] as const)(
    'a 17 MB result from a %s worker arrives whole',
    async (runtime) => {
      const big = await startHarness({ runtime, limits: { resultBytes: 20_000_000 } });
      try {
        const done = await big.manager.submit('big', { size: 17_000_000 }).done;
        expect(done.status).toBe('completed');
        expect((done.result as { text: string }).text.length).toBe(17_000_000);
      } finally {
        await big.close();
      }
    },
    30_000,
  );
});
