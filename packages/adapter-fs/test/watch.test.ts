import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAdapter } from '@plugwork/adapter-fs';
import type { CatalogAdapter } from '@plugwork/adapter-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { echoSource, makeTempDir, nextChange, packageJsonOf, writePlugin } from './fixtures.ts';

const DEBOUNCE_MS = 50;

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let dir: string;
let adapter: CatalogAdapter;

async function watching(directories: string | string[] = dir): Promise<CatalogAdapter> {
  adapter = createAdapter({ directories, watch: true, debounceMs: DEBOUNCE_MS });
  await adapter.discoverPlugins();
  return adapter;
}

function fsWatchHandles(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'FSEventWrap').length;
}

beforeEach(async () => {
  tmp = await makeTempDir();
  dir = path.join(tmp.path, 'plugins');
  await mkdir(dir);
});
afterEach(async () => {
  await adapter?.dispose();
  await tmp.remove();
});

describe('watch mode', () => {
  it('only watch: true gives the adapter a watch method', () => {
    expect(createAdapter({ directories: dir }).watch).toBeUndefined();
    expect(createAdapter({ directories: dir, watch: true }).watch).toBeTypeOf('function');
  });

  it('a folder dropped in becomes available without a restart', async () => {
    await watching();
    const changed = nextChange(adapter, (names) => names.includes('dropped'));
    await writePlugin(dir, 'dropped');
    await changed;
    const plugin = adapter.getPlugins().find((p) => p.name === 'dropped');
    expect(plugin).toBeDefined();
    await adapter.loadPlugin(plugin as NonNullable<typeof plugin>, {});
    expect(await adapter.executePlugin('dropped', { hi: 1 })).toEqual({
      plugin: 'dropped',
      params: { hi: 1 },
    });
  });

  it('a folder removed becomes unavailable, and its loaded plugin is unloaded', async () => {
    const folder = await writePlugin(dir, 'leaving');
    await writePlugin(dir, 'staying');
    await watching();
    await adapter.loadPlugin({ name: 'leaving', source: 'fs', streaming: false }, {});
    const changed = nextChange(adapter, (names) => !names.includes('leaving'));
    await rm(folder, { recursive: true });
    await changed;
    expect(adapter.getPlugins().map((p) => p.name)).toEqual(['staying']);
    expect(adapter.getLoadedPlugins()).toEqual([]);
    expect(await adapter.getDiagnostics()).toEqual([]);
  });

  it('an edited manifest updates the plugin', async () => {
    const folder = await writePlugin(dir, 'edited', { manifest: { name: 'edited' } });
    await watching();
    const changed = nextChange(
      adapter,
      () => adapter.getPlugins()[0]?.description === 'Now with a description',
    );
    await writeFile(
      path.join(folder, 'package.json'),
      packageJsonOf('edited', {
        manifest: { name: 'edited', description: 'Now with a description', category: 'new' },
      }),
    );
    await changed;
    expect(adapter.getPlugins()[0]).toMatchObject({ name: 'edited', category: 'new' });
  });

  it('a renamed plugin (manifest name edited) replaces the old name', async () => {
    const folder = await writePlugin(dir, 'old-name');
    await watching();
    const changed = nextChange(adapter, (names) => names.join() === 'new-name');
    await writeFile(
      path.join(folder, 'package.json'),
      packageJsonOf('x', { manifest: { name: 'new-name' } }),
    );
    await changed;
  });

  it('a half-copied folder is a diagnostic until complete, never a broken plugin', async () => {
    await watching();
    const folder = path.join(dir, 'copying');
    const entry = path.join(folder, 'dist', 'index.js');

    // 1. The folder exists, nothing in it yet.
    let changed = nextChange(adapter, (_names, codes) => codes.includes('MISSING_PACKAGE_JSON'));
    await mkdir(folder);
    await changed;
    expect(adapter.getPlugins()).toEqual([]);

    // 2. package.json is half written.
    changed = nextChange(adapter, (_names, codes) => codes.join() === 'INVALID_JSON');
    const json = packageJsonOf('copying', {
      manifest: { name: 'copying', entry: './dist/index.js' },
    });
    await writeFile(path.join(folder, 'package.json'), json.slice(0, json.length / 2));
    await changed;
    expect(adapter.getPlugins()).toEqual([]);

    // 3. package.json complete, the entry (in a folder that does not exist yet) missing.
    changed = nextChange(adapter, (_names, codes) => codes.join() === 'ENTRY_NOT_FOUND');
    await writeFile(path.join(folder, 'package.json'), json);
    await changed;
    expect(adapter.getPlugins()).toEqual([]);

    // 4. The entry arrives, in a new subfolder: the plugin becomes available.
    changed = nextChange(
      adapter,
      (names, codes) => names.join() === 'copying' && codes.length === 0,
    );
    await mkdir(path.dirname(entry));
    await writeFile(entry, echoSource('copying'));
    await changed;
    await adapter.loadPlugin({ name: 'copying', source: 'fs', streaming: false }, {});
    expect(await adapter.executePlugin('copying', {})).toEqual({ plugin: 'copying', params: {} });
  });

  it('a loaded plugin keeps running while its manifest is rewritten', async () => {
    const folder = await writePlugin(dir, 'busy');
    await watching();
    await adapter.loadPlugin({ name: 'busy', source: 'fs', streaming: false }, {});
    const broken = nextChange(adapter, (_names, codes) => codes.join() === 'INVALID_JSON');
    await writeFile(path.join(folder, 'package.json'), '{ "name": "bu');
    await broken;
    expect(adapter.getPlugins().map((p) => p.name)).toEqual(['busy']);
    expect(await adapter.executePlugin('busy', {})).toEqual({ plugin: 'busy', params: {} });
    const fixed = nextChange(adapter, (_names, codes) => codes.length === 0);
    await writeFile(path.join(folder, 'package.json'), packageJsonOf('busy'));
    await fixed;
    expect(adapter.getLoadedPlugins()).toEqual(['busy']);
  });

  it('a folder staged under a dot-name and renamed into place appears in one step', async () => {
    await watching();
    const seen: string[][] = [];
    const stop = adapter.watch?.(() => {
      void adapter.getDiagnostics().then((diagnostics) => {
        seen.push(diagnostics.map((d) => d.code));
      });
    });
    await writePlugin(dir, '.incoming-atomic', { manifest: { name: 'atomic' } });
    await sleep(DEBOUNCE_MS * 4);
    expect(adapter.getPlugins()).toEqual([]);
    const changed = nextChange(adapter, (names) => names.join() === 'atomic');
    await rename(path.join(dir, '.incoming-atomic'), path.join(dir, 'atomic'));
    await changed;
    stop?.();
    expect(seen.flat()).toEqual([]);
  });

  it('debounces a burst of changes into one notification', async () => {
    // A longer debounce than elsewhere, so a slow machine still writes the burst within it.
    const debounceMs = 300;
    adapter = createAdapter({ directories: dir, watch: true, debounceMs });
    await adapter.discoverPlugins();
    // Let the watcher settle (it rescans once after it starts watching new folders).
    await sleep(debounceMs * 2);
    let calls = 0;
    const stop = adapter.watch?.(() => {
      calls++;
    });
    const changed = nextChange(adapter, (names) => names.length === 5);
    await Promise.all(['b1', 'b2', 'b3', 'b4', 'b5'].map((name) => writePlugin(dir, name)));
    await changed;
    await sleep(debounceMs * 2);
    stop?.();
    expect(calls).toBe(1);
  });

  it('a plugins directory created later is picked up', async () => {
    const later = path.join(tmp.path, 'later', 'plugins');
    await watching([later]);
    expect((await adapter.getDiagnostics()).map((d) => d.code)).toEqual(['DIRECTORY_NOT_FOUND']);
    const changed = nextChange(
      adapter,
      (names, codes) => names.join() === 'late' && codes.length === 0,
    );
    await writePlugin(later, 'late');
    await changed;
  });

  it('dispose stops every watcher', async () => {
    // Closed handles leave the active list on the next turn of the event loop.
    await sleep(20);
    const before = fsWatchHandles();
    await writePlugin(dir, 'one');
    await writePlugin(dir, 'two');
    await watching();
    // The directory and each plugin folder are watched.
    expect(fsWatchHandles() - before).toBeGreaterThanOrEqual(3);
    await adapter.dispose();
    await sleep(20);
    expect(fsWatchHandles()).toBe(before);
  });
});
