/// <reference lib="deno.ns" />
// Deno smoke test: discover, load, execute, stream and reload folder plugins from a temp
// directory through the built package. Run with `pnpm test:deno` (deno test -A).
import { deepStrictEqual, ok, rejects } from 'node:assert';
import { createAdapter } from '../../dist/index.js';

const PROTOCOL_URL = new URL('../../../protocol/dist/index.js', import.meta.url).href;

function plugin(definition: string): string {
  return `import { definePlugin } from '${PROTOCOL_URL}';\nexport default definePlugin(${definition});\n`;
}

async function writePlugin(
  dir: string,
  name: string,
  files: Record<string, string>,
  manifest = {},
) {
  const folder = `${dir}/${name}`;
  await Deno.mkdir(folder, { recursive: true });
  const pkg = { name, version: '1.0.0', type: 'module', plugwork: { name, ...manifest } };
  await Deno.writeTextFile(`${folder}/package.json`, JSON.stringify(pkg));
  for (const [file, content] of Object.entries(files)) {
    await Deno.writeTextFile(`${folder}/${file}`, content);
  }
  return folder;
}

async function withAdapter(
  test: (dir: string, adapter: ReturnType<typeof createAdapter>) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: 'plugwork-deno-' });
  const adapter = createAdapter({ directories: dir });
  try {
    await test(dir, adapter);
  } finally {
    await adapter.dispose();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test('discovers, loads and executes a JavaScript folder plugin; bad folders are diagnostics', () =>
  withAdapter(async (dir, adapter) => {
    await writePlugin(dir, 'upper', {
      'index.js': plugin(
        `{ name: 'upper', execute: ({ text }) => ({ text: text.toUpperCase() }) }`,
      ),
    });
    await writePlugin(dir, 'unbuilt', {}, { entry: './dist/index.js' });
    const plugins = await adapter.discoverPlugins();
    deepStrictEqual(
      plugins.map((p: { name: string }) => p.name),
      ['upper'],
    );
    deepStrictEqual(
      (await adapter.getDiagnostics()).map((d: { code: string }) => d.code),
      ['ENTRY_NOT_FOUND'],
    );
    await adapter.loadPlugin(plugins[0], {});
    deepStrictEqual(await adapter.executePlugin('upper', { text: 'deno' }), { text: 'DENO' });
  }));

Deno.test('streams chunks', () =>
  withAdapter(async (dir, adapter) => {
    await writePlugin(dir, 'count', {
      'index.js': plugin(
        `{ name: 'count', execute: () => ({}), async *stream({ n }) { for (let i = 1; i <= n; i++) yield String(i); } }`,
      ),
    });
    const [descriptor] = await adapter.discoverPlugins();
    await adapter.loadPlugin(descriptor, {});
    ok(await adapter.checkStreamingSupport('count'));
    const chunks: string[] = [];
    for await (const chunk of await adapter.executePluginStream('count', { n: 3 }))
      chunks.push(chunk);
    deepStrictEqual(chunks, ['1', '2', '3']);
  }));

Deno.test('loads a TypeScript entry (Deno strips types)', () =>
  withAdapter(async (dir, adapter) => {
    await writePlugin(
      dir,
      'typed',
      {
        'index.ts': plugin(
          `{ name: 'typed', execute: ({ a, b }: { a: number; b: number }): { sum: number } => ({ sum: a + b }) }`,
        ),
      },
      { entry: './index.ts' },
    );
    const [descriptor] = await adapter.discoverPlugins();
    await adapter.loadPlugin(descriptor, {});
    deepStrictEqual(await adapter.executePlugin('typed', { a: 2, b: 3 }), { sum: 5 });
  }));

Deno.test('a reload after the code changed runs the new code', () =>
  withAdapter(async (dir, adapter) => {
    const folder = await writePlugin(dir, 'live', {
      'index.js': plugin(`{ name: 'live', execute: () => ({ version: 1 }) }`),
    });
    const [descriptor] = await adapter.discoverPlugins();
    await adapter.loadPlugin(descriptor, {});
    deepStrictEqual(await adapter.executePlugin('live', {}), { version: 1 });
    await Deno.writeTextFile(
      `${folder}/index.js`,
      plugin(`{ name: 'live', execute: () => ({ version: 2 }) }`),
    );
    await adapter.reloadPlugin('live');
    deepStrictEqual(await adapter.executePlugin('live', {}), { version: 2 });
    await rejects(adapter.executePlugin('ghost', {}), /No plugin named "ghost"/);
  }));
