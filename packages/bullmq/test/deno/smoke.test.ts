/// <reference lib="deno.ns" />
// Deno 2 as a BullMQ node and as a runner: the built package, a redis-server of the test's own
// (free loopback port, nothing on disk). Run with `pnpm test:deno` (deno test -A). The node's
// worker processes are Node (`worker.nodePath` or `node` on the PATH: under Deno
// `process.execPath` is deno). test/deno/import-map.json points the workspace packages at their
// built output: inside the Deno workspace they would resolve to their TypeScript sources, and the
// JobManager would then start its worker processes from TypeScript, which Node 20 cannot run.
import { deepStrictEqual, ok } from 'node:assert';
import { createServer } from 'node:net';
import { fsAdapter } from '@plugwork/adapter-fs';
import { BullmqNode, BullmqRunner } from '../../dist/index.js';

const PLUGINS = new URL('../fixtures/plugins', import.meta.url).pathname;

async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

async function withRedis(run: (url: string) => Promise<void>): Promise<void> {
  const port = await freePort();
  const child = new Deno.Command('redis-server', {
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    stdout: 'null',
    stderr: 'null',
  }).spawn();
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        (await Deno.connect({ hostname: '127.0.0.1', port })).close();
        break;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    await run(`redis://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGTERM');
    await child.status;
  }
}

Deno.test({
  name: 'a Deno node runs jobs a Deno runner submits: result, stream, cancel',
  // BullMQ's and ioredis's sockets and timers outlive close() by a tick under Deno's sanitizers.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: () =>
    withRedis(async (url) => {
      const warnings: string[] = [];
      const node = new BullmqNode({
        connection: url,
        prefix: 'deno',
        logger: { warn: (message: string) => warnings.push(message) },
        manager: {
          adapter: fsAdapter({ directories: [PLUGINS] }),
          poolSize: 1,
          timeouts: { cancelGraceMs: 500 },
          logger: { output: () => {}, warn: (message: string) => warnings.push(message) },
        },
      });
      const runner = new BullmqRunner({ connection: url, prefix: 'deno' });
      try {
        await node.start();
        const job = await runner.submit('echo', { from: 'deno' });
        deepStrictEqual((await job.result).echo, { from: 'deno' });
        const streamed = await runner.submit('chunks', { count: 5 }, { stream: true });
        let text = '';
        for await (const chunk of streamed) text += chunk;
        deepStrictEqual(text, 'chunk-0;chunk-1;chunk-2;chunk-3;chunk-4;');
        const long = await runner.submit('sleep', { ms: 30_000 });
        while (long.snapshot().progressMessage !== 'asleep') {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        ok(await long.cancel());
        deepStrictEqual((await long.done).status, 'cancelled');
        deepStrictEqual((await runner.listNodes()).length, 1);
      } catch (error) {
        console.error(warnings.join('\n'));
        throw error;
      } finally {
        await runner.close();
        await node.close({ drainMs: 0 });
      }
    }),
});
