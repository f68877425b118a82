import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of the test's own, on a free loopback port, removed by stop(). */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** A key prefix no other test uses. */
  readonly prefix: string;
  /** Stops the server (SIGTERM, SIGKILL if it lingers); `start()` again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** stop() and remove its folder. */
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
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

/**
 * `persist: true` keeps an append-only file in the server's folder (fsync always), so a
 * restarted server has the jobs it had: what a production Redis does, and what a test of a
 * Redis restart needs. Otherwise nothing is ever written to disk.
 */
export async function startRedis(options: { persist?: boolean } = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'plugwork-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
    args.push(
      ...(options.persist === true
        ? ['--appendonly', 'yes', '--appendfsync', 'always']
        : ['--appendonly', 'no']),
    );
    const spawned = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = spawned;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start:\n${output}`)),
        10_000,
      );
      spawned.stdout!.on('data', (data: Buffer) => {
        output += data.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      spawned.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output}`));
      });
    });
    spawned.stdout!.resume();
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    prefix: `t${randomBytes(4).toString('hex')}`,
    stop,
    start,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
