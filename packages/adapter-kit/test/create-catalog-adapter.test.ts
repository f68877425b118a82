import { readdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  type CatalogAdapter,
  createCatalogAdapter,
  PluginNotLoadedError,
  readPluginPackages,
  UnknownPluginError,
} from '@plugwork/adapter-kit';
import type { PluginDescriptor } from '@plugwork/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, pluginSource, writePlugin, ZOD_URL } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let adapter: CatalogAdapter;

/** Every subfolder of `dirs`, in order: the smallest possible discovery. */
function listDiscover(...dirs: string[]) {
  return async () => {
    const folders: string[] = [];
    for (const dir of dirs) {
      const names = (await readdir(dir)).sort();
      folders.push(...names.map((name) => path.join(dir, name)));
    }
    return readPluginPackages(folders);
  };
}

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await adapter?.dispose();
  await tmp.remove();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e as Error,
  );
}

function byName(plugins: PluginDescriptor[], name: string): PluginDescriptor {
  const found = plugins.find((plugin) => plugin.name === name);
  if (found === undefined) throw new Error(`no descriptor for ${name}`);
  return found;
}

const zodConfigPlugin = (name: string) =>
  pluginSource(
    `{ name: '${name}', configSchema: z.object({ level: z.number().int() }), execute: (_p, { config }) => config, async *stream() { yield 'x'; } }`,
    `import { z } from '${ZOD_URL}';`,
  );

describe('createCatalogAdapter: discovery', () => {
  it('describes candidates and reports bad ones; the first of two equal names wins', async () => {
    const a = path.join(tmp.path, 'a');
    const b = path.join(tmp.path, 'b');
    await writePlugin(a, 'one', {
      manifest: { name: 'one', description: 'First', category: 'demo', streaming: true },
    });
    await writePlugin(a, 'broken', { files: {} });
    await writePlugin(b, 'one');
    await writePlugin(b, 'two');
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(a, b) });

    const plugins = await adapter.discoverPlugins();
    expect(plugins).toEqual([
      {
        name: 'one',
        version: '1.0.0',
        description: 'First',
        category: 'demo',
        streaming: true,
        source: 'test',
        location: path.join(a, 'one'),
      },
      {
        name: 'two',
        version: '1.0.0',
        streaming: false,
        source: 'test',
        location: path.join(b, 'two'),
      },
    ]);
    const diagnostics = await adapter.getDiagnostics();
    expect(diagnostics.map((d) => [d.location, d.code])).toEqual([
      [path.join(a, 'broken'), 'ENTRY_NOT_FOUND'],
      [path.join(b, 'one'), 'DUPLICATE_NAME'],
    ]);
    expect(adapter.watch).toBeUndefined();
  });

  it('getDiagnostics runs discovery when nothing was discovered yet', async () => {
    await writePlugin(tmp.path, 'nope', { manifest: undefined });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    expect((await adapter.getDiagnostics()).map((d) => d.code)).toEqual(['MISSING_MANIFEST']);
  });
});

describe('createCatalogAdapter: loading and running', () => {
  it('loads, executes and streams; the descriptor learns streaming and config schema', async () => {
    await writePlugin(tmp.path, 'cfg', { files: { 'index.js': zodConfigPlugin('cfg') } });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    const [descriptor] = await adapter.discoverPlugins();
    expect(descriptor).toMatchObject({ name: 'cfg', streaming: false });
    expect(descriptor?.config_schema).toBeUndefined();
    expect(await adapter.checkStreamingSupport('cfg')).toBe(false);

    await adapter.loadPlugin(descriptor as PluginDescriptor, { level: 2 });
    expect(adapter.getLoadedPlugins()).toEqual(['cfg']);
    expect(await adapter.checkStreamingSupport('cfg')).toBe(true);
    expect(await adapter.executePlugin('cfg', {})).toEqual({ level: 2 });
    const chunks: string[] = [];
    for await (const chunk of await adapter.executePluginStream('cfg', {})) chunks.push(chunk);
    expect(chunks).toEqual(['x']);

    const after = byName(await adapter.discoverPlugins(), 'cfg');
    expect(after.streaming).toBe(true);
    expect(after.config_schema).toMatchObject({
      type: 'object',
      properties: { level: { type: 'integer' } },
      required: ['level'],
    });
  });

  it('prefers the JSON Schema written in the manifest', async () => {
    const schema = { type: 'object', properties: { level: { type: 'number', title: 'Level' } } };
    await writePlugin(tmp.path, 'cfg', {
      manifest: { name: 'cfg', config: schema },
      files: { 'index.js': zodConfigPlugin('cfg') },
    });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    const [descriptor] = await adapter.discoverPlugins();
    expect(descriptor?.config_schema).toEqual(schema);
    await adapter.loadPlugin(descriptor as PluginDescriptor, { level: 1 });
    expect((await adapter.discoverPlugins())[0]?.config_schema).toEqual(schema);
  });

  it('unknown and not-loaded plugins are errors saying which and why', async () => {
    await writePlugin(tmp.path, 'here');
    await writePlugin(tmp.path, 'future', { manifest: { name: 'future', engine: '>=50' } });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    await adapter.discoverPlugins();

    const unknown = await rejection(adapter.loadPlugin({ name: 'ghost' } as PluginDescriptor, {}));
    expect(unknown).toBeInstanceOf(UnknownPluginError);
    expect(unknown.message).toBe('No plugin named "ghost". Known plugins: here.');
    const explained = await rejection(
      adapter.loadPlugin({ name: 'future' } as PluginDescriptor, {}),
    );
    expect(explained.message).toContain('could not be offered: Plugin "future"');
    expect(explained.message).toContain('requires plugwork >=50');

    expect(await rejection(adapter.executePlugin('here', {}))).toBeInstanceOf(PluginNotLoadedError);
    expect(await rejection(adapter.executePluginStream('ghost', {}))).toBeInstanceOf(
      UnknownPluginError,
    );
    expect(await rejection(adapter.checkStreamingSupport('ghost'))).toBeInstanceOf(
      UnknownPluginError,
    );
  });

  it('a job submitted while its plugin is loading waits for the load', async () => {
    await writePlugin(tmp.path, 'slow-setup', {
      files: {
        'index.js': pluginSource(
          `{ name: 'slow-setup', setup: () => new Promise((r) => setTimeout(() => r('ready'), 50)), execute: (_p, { state }) => state }`,
        ),
      },
    });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    const [descriptor] = await adapter.discoverPlugins();
    const loading = adapter.loadPlugin(descriptor as PluginDescriptor, {});
    const job = adapter.executePlugin('slow-setup', {});
    await loading;
    expect(await job).toBe('ready');
  });

  it('finds a plugin added after discovery when asked to load it', async () => {
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    expect(await adapter.discoverPlugins()).toEqual([]);
    await writePlugin(tmp.path, 'late');
    await adapter.loadPlugin({ name: 'late' } as PluginDescriptor, {});
    expect(await adapter.executePlugin('late', { a: 1 })).toEqual({ echo: { a: 1 } });
  });

  it('records a failed load as a diagnostic until the plugin loads', async () => {
    await writePlugin(tmp.path, 'cfg', { files: { 'index.js': zodConfigPlugin('cfg') } });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    const [descriptor] = await adapter.discoverPlugins();
    await rejection(adapter.loadPlugin(descriptor as PluginDescriptor, { level: 'high' }));
    expect(await adapter.getDiagnostics()).toEqual([
      {
        location: path.join(tmp.path, 'cfg'),
        plugin_name: 'cfg',
        code: 'INVALID_CONFIG',
        message: expect.stringContaining('level:'),
      },
    ]);
    await adapter.loadPlugin(descriptor as PluginDescriptor, { level: 3 });
    expect(await adapter.getDiagnostics()).toEqual([]);
  });

  it('re-reads the package when loading: an entry changed since discovery is honoured', async () => {
    const folder = await writePlugin(tmp.path, 'moving', {
      files: {
        'index.js': pluginSource(`{ name: 'moving', execute: () => 'old entry' }`),
        'next.js': pluginSource(`{ name: 'moving', execute: () => 'new entry' }`),
      },
    });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    const [descriptor] = await adapter.discoverPlugins();
    await writeFile(
      path.join(folder, 'package.json'),
      JSON.stringify({ name: 'moving', plugwork: { name: 'moving', entry: './next.js' } }),
    );
    await adapter.loadPlugin(descriptor as PluginDescriptor, {});
    expect(await adapter.executePlugin('moving', {})).toBe('new entry');
  });
});

describe('createCatalogAdapter: reload and unload', () => {
  it('reload picks up changed code and keeps the config; null unloads', async () => {
    const folder = await writePlugin(tmp.path, 'live', {
      files: {
        'index.js': pluginSource(
          `{ name: 'live', execute: (_p, { config }) => ({ v: 1, config }) }`,
        ),
      },
    });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    await adapter.loadPlugin(byName(await adapter.discoverPlugins(), 'live'), { keep: true });
    await writeFile(
      path.join(folder, 'index.js'),
      pluginSource(`{ name: 'live', execute: (_p, { config }) => ({ v: 2, config }) }`),
    );
    await adapter.reloadPlugin('live');
    expect(await adapter.executePlugin('live', {})).toEqual({ v: 2, config: { keep: true } });
    await adapter.reloadPlugin('live', { keep: false });
    expect(await adapter.executePlugin('live', {})).toEqual({ v: 2, config: { keep: false } });
    await adapter.reloadPlugin('live', null);
    expect(adapter.getLoadedPlugins()).toEqual([]);
    // Reloading a plugin that is not loaded loads it.
    await adapter.reloadPlugin('live', { again: 1 });
    expect(adapter.getLoadedPlugins()).toEqual(['live']);
    await adapter.unloadPlugin('live');
    await adapter.unloadPlugin('live');
    expect(adapter.getLoadedPlugins()).toEqual([]);
  });
});

describe('createCatalogAdapter: refresh and watch', () => {
  const disposing = (name: string) =>
    pluginSource(
      `{ name: '${name}', execute: () => 'ok', dispose: () => { (globalThis.__kitDisposed ??= []).push('${name}'); } }`,
    );
  const disposed = () => ((globalThis as { __kitDisposed?: string[] }).__kitDisposed ??= []);

  it('unloads loaded plugins whose folder vanished or now holds another plugin', async () => {
    disposed().length = 0;
    const gone = await writePlugin(tmp.path, 'gone', { files: { 'index.js': disposing('gone') } });
    const renamed = await writePlugin(tmp.path, 'renamed', {
      files: { 'index.js': disposing('renamed') },
    });
    await writePlugin(tmp.path, 'stays', { files: { 'index.js': disposing('stays') } });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    for (const plugin of await adapter.discoverPlugins()) await adapter.loadPlugin(plugin, {});

    await rm(gone, { recursive: true });
    await writeFile(
      path.join(renamed, 'package.json'),
      JSON.stringify({ name: 'x', plugwork: { name: 'other-name' } }),
    );
    const names = (await adapter.discoverPlugins()).map((plugin) => plugin.name);
    expect(names.sort()).toEqual(['other-name', 'stays']);
    expect(disposed().sort()).toEqual(['gone', 'renamed']);
    expect(adapter.getLoadedPlugins()).toEqual(['stays']);
  });

  it('keeps a loaded plugin running while its folder is momentarily broken', async () => {
    const folder = await writePlugin(tmp.path, 'editing');
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    await adapter.loadPlugin(byName(await adapter.discoverPlugins(), 'editing'), {});
    await writeFile(path.join(folder, 'package.json'), '{ "name": "editing", "plug');
    const plugins = await adapter.discoverPlugins();
    expect(plugins.map((plugin) => plugin.name)).toEqual(['editing']);
    expect((await adapter.getDiagnostics()).map((d) => d.code)).toEqual(['INVALID_JSON']);
    expect(await adapter.executePlugin('editing', { still: 'here' })).toEqual({
      echo: { still: 'here' },
    });
  });

  it('watch: listeners hear of changes the source reports, only when something changed', async () => {
    let trigger: () => void = () => {};
    let stopped = 0;
    adapter = createCatalogAdapter({
      source: 'test',
      discover: listDiscover(tmp.path),
      watch: (changed) => {
        trigger = changed;
        return () => {
          stopped++;
        };
      },
    });
    await adapter.discoverPlugins();
    let calls = 0;
    let heard: () => void = () => {};
    const stop = adapter.watch?.(() => {
      calls++;
      heard();
    });
    expect(stop).toBeTypeOf('function');

    const arrived = new Promise<void>((resolve) => {
      heard = resolve;
    });
    await writePlugin(tmp.path, 'fresh');
    trigger();
    await arrived;
    expect(calls).toBe(1);
    // The listener is called once the catalogue is up to date.
    expect((await adapter.discoverPlugins()).map((plugin) => plugin.name)).toEqual(['fresh']);

    // Nothing changed: refreshing must not bother listeners.
    trigger();
    await adapter.refresh();
    expect(calls).toBe(1);

    stop?.();
    await writePlugin(tmp.path, 'unheard');
    trigger();
    await adapter.refresh();
    expect(calls).toBe(1);
    expect((await adapter.discoverPlugins()).map((plugin) => plugin.name)).toEqual([
      'fresh',
      'unheard',
    ]);

    await adapter.dispose();
    await adapter.dispose();
    expect(stopped).toBe(1);
  });

  it('dispose unloads every plugin', async () => {
    disposed().length = 0;
    await writePlugin(tmp.path, 'd1', { files: { 'index.js': disposing('d1') } });
    await writePlugin(tmp.path, 'd2', { files: { 'index.js': disposing('d2') } });
    adapter = createCatalogAdapter({ source: 'test', discover: listDiscover(tmp.path) });
    for (const plugin of await adapter.discoverPlugins()) await adapter.loadPlugin(plugin, {});
    await adapter.dispose();
    expect(disposed().sort()).toEqual(['d1', 'd2']);
    expect(adapter.getLoadedPlugins()).toEqual([]);
  });
});
