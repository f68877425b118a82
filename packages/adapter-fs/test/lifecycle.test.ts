import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createAdapter } from '@plugwork/adapter-fs';
import { type CatalogAdapter, canRunTypeScript } from '@plugwork/adapter-kit';
import type { PluginDescriptor } from '@plugwork/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, PROTOCOL_URL, pluginSource, writePlugin, ZOD_URL } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let adapter: CatalogAdapter;
beforeEach(async () => {
  tmp = await makeTempDir();
  adapter = createAdapter({ directories: tmp.path });
});
afterEach(async () => {
  await adapter.dispose();
  await tmp.remove();
});

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e as Error,
  );
}

async function descriptor(name: string): Promise<PluginDescriptor> {
  const found = (await adapter.discoverPlugins()).find((plugin) => plugin.name === name);
  if (found === undefined) throw new Error(`${name} was not discovered`);
  return found;
}

/** A counter plugin that logs its lifecycle into `log.txt` next to it. */
function counterSource(version: number): string {
  return pluginSource(
    `{
      name: 'counter',
      configSchema: z.object({ start: z.number().int(), step: z.number().int().positive() }),
      setup: (config) => { log('setup v${version} ' + config.start); return { count: config.start }; },
      execute: (_params, { state, config }) => {
        state.count += config.step;
        return { version: ${version}, count: state.count };
      },
      async *stream({ n }, { state }) {
        for (let i = 0; i < n; i++) yield String(state.count + i);
      },
      dispose: (state) => log('dispose v${version} ' + state.count),
    }`,
    `import { z } from '${ZOD_URL}';
import { appendFileSync } from 'node:fs';
const log = (line) => appendFileSync(new URL('./log.txt', import.meta.url), line + '\\n');`,
  );
}

describe('loading and running folder plugins', () => {
  it('loads with a validated config, executes, streams, unloads with dispose', async () => {
    const folder = await writePlugin(tmp.path, 'counter', {
      files: { 'index.js': counterSource(1) },
    });
    await adapter.loadPlugin(await descriptor('counter'), { start: 10, step: 5 });
    expect(await adapter.executePlugin('counter', {})).toEqual({ version: 1, count: 15 });
    expect(await adapter.executePlugin('counter', {})).toEqual({ version: 1, count: 20 });
    const chunks: string[] = [];
    for await (const chunk of await adapter.executePluginStream('counter', { n: 3 })) {
      chunks.push(chunk);
    }
    expect(chunks).toEqual(['20', '21', '22']);
    await adapter.unloadPlugin('counter');
    expect(adapter.getLoadedPlugins()).toEqual([]);
    expect(await readFile(path.join(folder, 'log.txt'), 'utf8')).toBe(
      'setup v1 10\ndispose v1 20\n',
    );
  });

  it('an invalid config is refused with every failing field, and shows up as a diagnostic', async () => {
    await writePlugin(tmp.path, 'counter', { files: { 'index.js': counterSource(1) } });
    const error = await rejection(
      adapter.loadPlugin(await descriptor('counter'), { start: 'ten', step: 0 }),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('start:');
    expect(error.message).toContain('step:');
    expect(error.message).toContain(path.join(tmp.path, 'counter'));
    expect((await adapter.getDiagnostics()).map((d) => [d.plugin_name, d.code])).toEqual([
      ['counter', 'INVALID_CONFIG'],
    ]);
  });

  it('refuses an entry whose default export is not made by definePlugin', async () => {
    await writePlugin(tmp.path, 'impostor', {
      files: { 'index.js': `export default { name: 'impostor', execute: () => ({}) };` },
    });
    const error = await rejection(adapter.loadPlugin(await descriptor('impostor'), {}));
    expect(error.code).toBe('NOT_A_PLUGIN');
    // One broken plugin does not stop the others.
    await writePlugin(tmp.path, 'honest');
    await adapter.loadPlugin(await descriptor('honest'), {});
    expect(adapter.getLoadedPlugins()).toEqual(['honest']);
  });

  it('a reload after the files changed runs the new code with the kept config', async () => {
    const folder = await writePlugin(tmp.path, 'counter', {
      files: { 'index.js': counterSource(1) },
    });
    await adapter.loadPlugin(await descriptor('counter'), { start: 0, step: 1 });
    expect(await adapter.executePlugin('counter', {})).toEqual({ version: 1, count: 1 });

    await writeFile(path.join(folder, 'index.js'), counterSource(2));
    await adapter.reloadPlugin('counter');
    expect(await adapter.executePlugin('counter', {})).toEqual({ version: 2, count: 1 });

    await adapter.reloadPlugin('counter', { start: 100, step: 10 });
    expect(await adapter.executePlugin('counter', {})).toEqual({ version: 2, count: 110 });
    expect(await readFile(path.join(folder, 'log.txt'), 'utf8')).toBe(
      'setup v1 0\ndispose v1 1\nsetup v2 0\ndispose v2 1\nsetup v2 100\n',
    );
  });

  it('a reload with a bad config keeps the running plugin', async () => {
    await writePlugin(tmp.path, 'counter', { files: { 'index.js': counterSource(1) } });
    await adapter.loadPlugin(await descriptor('counter'), { start: 0, step: 1 });
    expect((await rejection(adapter.reloadPlugin('counter', { step: -1 }))).code).toBe(
      'INVALID_CONFIG',
    );
    expect(await adapter.executePlugin('counter', {})).toEqual({ version: 1, count: 1 });
  });

  it('a reload whose new entry is gone fails with the folder problem and keeps the plugin', async () => {
    const folder = await writePlugin(tmp.path, 'counter', {
      files: { 'index.js': counterSource(1) },
    });
    await adapter.loadPlugin(await descriptor('counter'), { start: 0, step: 1 });
    await writeFile(
      path.join(folder, 'package.json'),
      JSON.stringify({ name: 'counter', plugwork: { name: 'counter', entry: './gone.js' } }),
    );
    expect((await rejection(adapter.reloadPlugin('counter'))).code).toBe('ENTRY_NOT_FOUND');
    expect(await adapter.executePlugin('counter', {})).toEqual({ version: 1, count: 1 });
  });

  it('TypeScript entries: loaded where the runtime strips types, else a clear error', async () => {
    await writePlugin(tmp.path, 'typed', {
      manifest: { name: 'typed', entry: './src/index.ts' },
      files: {
        'src/index.ts': `import { definePlugin } from '${PROTOCOL_URL}';
interface Params { a: number; b: number }
export default definePlugin({ name: 'typed', execute: ({ a, b }: Params): { sum: number } => ({ sum: a + b }) });
`,
      },
    });
    const attempt = adapter.loadPlugin(await descriptor('typed'), {});
    if (canRunTypeScript()) {
      await attempt;
      expect(await adapter.executePlugin('typed', { a: 1, b: 2 })).toEqual({ sum: 3 });
    } else {
      const error = await rejection(attempt);
      expect(error.code).toBe('TYPESCRIPT_UNSUPPORTED');
      expect(error.message).toContain(path.join(tmp.path, 'typed', 'src', 'index.ts'));
      expect(error.message).toContain(
        'Build the plugin to JavaScript and point "plugwork.entry" at the .js file, or run the worker on Node >= 22.18 (type stripping) or Deno.',
      );
    }
  });
});
