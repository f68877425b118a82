import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, startHarness, TEST_ADAPTER } from './helpers.ts';

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

describe('a sandboxed worker gets only an allow-list of the host environment', () => {
  const secret = 'PLUGWORK_TEST_SECRET_API_KEY';

  beforeAll(() => {
    process.env[secret] = 'sk-do-not-leak';
  });

  afterAll(() => {
    delete process.env[secret];
  });

  async function variable(
    options: Parameters<typeof startHarness>[0],
    name: string,
  ): Promise<unknown> {
    const harness = await startHarness(options);
    try {
      const done = await harness.manager.submit('environment', { name }).done;
      return (done.result as { value: unknown }).value;
    } finally {
      await harness.close();
    }
  }

  it('keeps secrets out, PATH and HOME in, and adds worker.env', async () => {
    const permissions = { read: [allowed] };
    expect(await variable({ permissions }, secret)).toBeNull();
    expect(await variable({ permissions }, 'PATH')).toBe(process.env.PATH);
    expect(
      await variable({ permissions, worker: { env: { PLUGIN_SETTING: 'on' } } }, 'PLUGIN_SETTING'),
    ).toBe('on');
  });

  it.each(['node', 'deno'] as const)(
    'the %s worker process itself holds no secret of the host (its /proc environ)',
    async (runtime) => {
      const harness = await startHarness({ runtime, permissions: { read: [allowed] } });
      try {
        const [pid] = harness.pids;
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        expect(environ.some((entry) => entry.startsWith(`${secret}=`))).toBe(false);
        expect(environ).toContain(`PATH=${process.env.PATH}`);
      } finally {
        await harness.close();
      }
    },
  );

  it('passes the whole environment only when told to (worker.inheritEnv)', async () => {
    expect(
      await variable({ permissions: { read: [allowed] }, worker: { inheritEnv: true } }, secret),
    ).toBe('sk-do-not-leak');
  });

  it('leaves an unsandboxed worker the host environment, as before', async () => {
    expect(await variable({}, secret)).toBe('sk-do-not-leak');
  });
});

describe.each(['node', 'deno'] as const)('symbolic links under a grant (%s)', (runtime) => {
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'plugwork-links-'));
    mkdirSync(join(root, 'plugins', 'evil'), { recursive: true });
    mkdirSync(join(root, 'plugins', 'fine', 'lib'), { recursive: true });
    mkdirSync(join(root, 'shared'));
    writeFileSync(join(root, 'shared', 'words.txt'), 'granted words\n');
    // Leads outside every grant: the runtimes would follow it.
    symlinkSync(outside, join(root, 'plugins', 'evil', 'data'));
    // Leads to a granted place: harmless.
    symlinkSync(join(root, 'shared'), join(root, 'plugins', 'fine', 'lib', 'shared'));
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a plugin whose folder holds a link out of the sandbox, naming the link; others serve', async () => {
    const harness = await startHarness({
      runtime,
      adapter: {
        module: TEST_ADAPTER,
        options: {
          locations: { access: join(root, 'plugins', 'evil'), echo: join(root, 'plugins', 'fine') },
        },
      },
      permissions: { read: [join(root, 'plugins'), join(root, 'shared')] },
    });
    try {
      const { catalog } = harness.manager;
      expect(catalog.plugins.map((plugin) => plugin.name)).not.toContain('access');
      expect(catalog.plugins.map((plugin) => plugin.name)).toContain('echo');
      expect(catalog.diagnostics).toContainEqual(
        expect.objectContaining({
          plugin_name: 'access',
          code: 'SANDBOX_LINK_ESCAPES',
          location: join(root, 'plugins', 'evil', 'data'),
        }),
      );
      const diagnostic = catalog.diagnostics.find((d) => d.plugin_name === 'access');
      expect(diagnostic?.message).toContain(`-> ${realpathSync(outside)}`);
      expect(() =>
        harness.manager.submit('access', {
          op: 'read',
          path: join(root, 'plugins', 'evil', 'data', 'secret.txt'),
        }),
      ).toThrow(/access/);
      await expect(harness.manager.submit('echo', { text: 'ok' }).result).resolves.toMatchObject({
        text: 'ok',
      });
    } finally {
      await harness.close();
    }
  });

  it('refuses to start over a link out of the sandbox that no plugin owns', async () => {
    const harness = createHarness({
      runtime,
      permissions: { read: [join(root, 'plugins')] },
    });
    await expect(harness.manager.start()).rejects.toThrow(
      new RegExp(
        `holds the symbolic link ${join(root, 'plugins', 'evil', 'data')} -> .*Remove the link, or grant its target`,
      ),
    );
    await harness.close();
  });
});
