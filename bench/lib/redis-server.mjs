// A redis-server of the bench's own on a free loopback port, nothing written to disk.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

// The same install-when-missing step as @plugwork/bullmq's tests.
const ENSURE_REDIS = fileURLToPath(
  new URL('../../packages/bullmq/scripts/ensure-redis.mjs', import.meta.url),
);

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** @returns {Promise<{ url: string, port: number, stop(): Promise<void> }>} */
export async function startRedisServer() {
  if (spawnSync(process.execPath, [ENSURE_REDIS], { stdio: 'inherit' }).status !== 0) {
    throw new Error('the bullmq benchmarks need redis-server (see the line above)');
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
