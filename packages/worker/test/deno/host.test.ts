/// <reference lib="deno.ns" />
// A Deno host: the built package's JobManager running streaming jobs in Node workers and in
// Deno workers, over the socket channel. Run with `pnpm test:deno` (deno test -A). The Node
// workers need a real node binary: under Deno `process.execPath` is deno, so the manager takes
// `worker.nodePath`, else $PLUGWORK_NODE_PATH, else `node` on the PATH.
import { deepStrictEqual, match, ok } from 'node:assert';
import { JobManager } from '../../dist/index.js';

const TEST_ADAPTER = new URL('../fixtures/test-adapter.mjs', import.meta.url).href;

async function streamJob(runtime: 'node' | 'deno') {
  const output: string[] = [];
  const manager = new JobManager({
    adapter: { module: TEST_ADAPTER },
    runtime,
    logger: {
      output: (line: string) => output.push(line),
      warn: (line: string) => output.push(line),
    },
  });
  try {
    const catalog = await manager.start();
    ok(catalog.plugins.some((plugin: { name: string }) => plugin.name === 'stream'));
    const job = manager.submit('stream', { count: 3, delayMs: 5 }, { stream: true });
    const chunks: string[] = [];
    for await (const chunk of job.stream()) chunks.push(chunk);
    deepStrictEqual(chunks.join(''), 'chunk-0;chunk-1;chunk-2;');
    const result = await job.result;
    deepStrictEqual(result.streamed, true);
    const echo = await manager.submit('echo', { text: `from a ${runtime} worker` }).result;
    deepStrictEqual(echo.text, `from a ${runtime} worker`);
  } catch (error) {
    console.error(output.join('\n'));
    throw error;
  } finally {
    await manager.shutdown();
  }
}

Deno.test('a Deno host runs a streaming job in a Node worker', async () => {
  await streamJob('node');
});

Deno.test('a Deno host runs a streaming job in a Deno worker', async () => {
  await streamJob('deno');
});

/** A sandboxed worker of `runtime` with no extra read access: a read outside is the job's error. */
async function deniedRead(runtime: 'node' | 'deno', expected: RegExp): Promise<void> {
  const manager = new JobManager({
    adapter: { module: TEST_ADAPTER },
    runtime,
    permissions: { read: [] },
    logger: { output: () => {}, warn: () => {} },
  });
  try {
    await manager.start();
    const denied = manager.submit('access', { op: 'read', path: '/etc/hostname' });
    const error = await denied.result.then(
      () => new Error('the sandbox allowed it'),
      (error: Error) => error,
    );
    match(error.message, expected);
    const echo = await manager.submit('echo', { text: 'next' }).result;
    deepStrictEqual(echo.text, 'next');
  } finally {
    await manager.shutdown();
  }
}

Deno.test('a Deno host sandboxes a Node worker: a denied read is the job error', async () => {
  await deniedRead('node', /ERR_ACCESS_DENIED/);
});

Deno.test('a Deno host sandboxes a Deno worker: a denied read is the job error', async () => {
  await deniedRead('deno', /NotCapable: Requires read access/);
});
