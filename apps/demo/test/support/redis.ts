import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

/** A redis-server of the test's own on a free loopback port, nothing written to disk. */
export interface TestRedis {
  readonly url: string;
  /** A key prefix no other test uses. */
  readonly prefix: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

/** Resolves once `child` printed a line containing `text` (rejects if it exits first). */
function waitForLine(child: ChildProcess, text: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 20_000);
    const onLine = (line: string) => {
      output += `${line}\n`;
      if (line.includes(text)) {
        clearTimeout(timer);
        resolve(line);
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      output += `${line}\n`;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}):\n${output}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'plugwork-demo-redis-'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await waitForLine(child, 'Ready to accept connections', 'redis-server');
  return {
    url: `redis://127.0.0.1:${port}`,
    prefix: `demo${randomBytes(4).toString('hex')}`,
    async close() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `plugwork-node` (the built CLI of @plugwork/bullmq) in a process of its own, with `args` (its
 * flags), once it printed that it is ready.
 */
export async function spawnNode(
  args: string[],
  cwd: string,
): Promise<{ pid: number; stop(): Promise<void> }> {
  const require = createRequire(import.meta.url);
  const cli = join(dirname(require.resolve('@plugwork/bullmq/package.json')), 'dist/cli/main.js');
  const child = spawn(process.execPath, [cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForLine(child, '"ready":true', 'plugwork-node');
  child.stdout!.resume();
  child.stderr!.resume();
  return { pid: child.pid!, stop: () => stop(child) };
}
