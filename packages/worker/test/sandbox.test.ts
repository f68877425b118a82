import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

// A sandboxed plugin that touches what it was not given gets the runtime's access error as its
// job's error; the same worker then serves the next job.

let allowed: string;
let outside: string;
let server: Server;
let port: number;

beforeAll(async () => {
  allowed = mkdtempSync(join(tmpdir(), 'plugwork-allowed-'));
  outside = mkdtempSync(join(tmpdir(), 'plugwork-outside-'));
  writeFileSync(join(allowed, 'data.txt'), 'allowed data\n');
  writeFileSync(join(outside, 'secret.txt'), 'secret\n');
  server = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => {
  server.close();
  rmSync(allowed, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** What each runtime's access error looks like in a job's error. */
const ACCESS_ERROR = {
  node: /ERR_ACCESS_DENIED: Access to this API has been restricted/,
  deno: /NotCapable: Requires \w+ access/,
} as const;

describe.each(['node', 'deno'] as const)('permissions on runtime %s', (runtime) => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({
      runtime,
      permissions: { read: [allowed], write: [join(allowed, 'out')] },
    });
  });

  afterAll(async () => {
    await harness?.close();
  });

  afterEach(async () => {
    // The worker that ran the denied job serves the next one.
    const [pid] = harness.pids;
    await expect(harness.manager.submit('echo', { text: 'next' }).result).resolves.toEqual({
      text: 'next',
      pid,
    });
    expect(harness.pids.size).toBe(1);
  });

  async function denied(params: Record<string, unknown>, what: RegExp): Promise<void> {
    const job = harness.manager.submit('access', params);
    const error = await job.result.then(
      () => expect.fail('the sandbox allowed it'),
      (error: Error) => error,
    );
    expect(error.message).toMatch(ACCESS_ERROR[runtime]);
    expect(error.message).toMatch(what);
    expect(job.status).toBe('failed');
  }

  it('denies reading outside the given folders', async () => {
    await denied({ op: 'read', path: join(outside, 'secret.txt') }, /secret\.txt/);
  });

  it('allows reading the given folders', async () => {
    const job = harness.manager.submit('access', { op: 'read', path: join(allowed, 'data.txt') });
    await expect(job.result).resolves.toEqual({ text: 'allowed data\n' });
  });

  it('denies writing anywhere not given', async () => {
    await denied({ op: 'write', path: join(outside, 'planted.txt') }, /planted\.txt/);
    expect(() => readFileSync(join(outside, 'planted.txt'))).toThrow(/ENOENT/);
  });

  it('allows writing the given paths', async () => {
    const path = join(allowed, 'out');
    await expect(harness.manager.submit('access', { op: 'write', path }).result).resolves.toEqual({
      written: path,
    });
  });

  it('denies starting a process', async () => {
    await denied({ op: 'spawn' }, runtime === 'node' ? /ChildProcess/ : /run access/);
  });

  if (runtime === 'deno') {
    it('denies opening a connection', async () => {
      await denied({ op: 'connect', port }, /net access to "127\.0\.0\.1/);
    });
  } else {
    it('cannot deny a connection: Node < 25 has no network permission (README says so)', async () => {
      const job = harness.manager.submit('access', { op: 'connect', port });
      await expect(job.result).resolves.toEqual({ connected: true });
    });
  }
});

describe('permissions that grant', () => {
  it.each(['node', 'deno'] as const)('childProcess lets a %s plugin spawn', async (runtime) => {
    const harness = await startHarness({ runtime, permissions: { childProcess: true } });
    try {
      // Deno's check for --allow-run passes; what the spawned binary needs is its own matter.
      const job = harness.manager.submit('access', { op: 'spawn' });
      await expect(job.result).resolves.toBeTypeOf('object');
    } finally {
      await harness.close();
    }
  });

  it('net: true lets a Deno plugin connect', async () => {
    const harness = await startHarness({ runtime: 'deno', permissions: { net: true } });
    try {
      const job = harness.manager.submit('access', { op: 'connect', port });
      await expect(job.result).resolves.toEqual({ connected: true });
    } finally {
      await harness.close();
    }
  });
});
