import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createAdapter } from '@plugwork/adapter-fs';
import type { CatalogAdapter } from '@plugwork/adapter-kit';
import { pluginDiagnosticSchema, readyResponseSchema } from '@plugwork/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { echoSource, makeTempDir, writePlugin } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let adapter: CatalogAdapter | undefined;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await adapter?.dispose();
  adapter = undefined;
  await tmp.remove();
});

describe('discovery: every bad folder becomes a diagnostic, the good plugins still load', () => {
  it('reports each broken folder with its code and location, and loads the rest', async () => {
    const dir = path.join(tmp.path, 'plugins');
    const elsewhere = path.join(tmp.path, 'elsewhere');
    await mkdir(elsewhere, { recursive: true });
    await writeFile(path.join(elsewhere, 'evil.js'), echoSource('evil'));

    await writePlugin(dir, 'good-one');
    await writePlugin(dir, 'good-two');
    const invalidJson = await writePlugin(dir, 'invalid-json');
    await writeFile(path.join(invalidJson, 'package.json'), '{ "name": "invalid-json", ');
    await writePlugin(dir, 'no-manifest', { manifest: undefined });
    await writePlugin(dir, 'bad-manifest', { manifest: { name: 'bad-manifest', streaming: 1 } });
    await writePlugin(dir, 'no-entry', {
      manifest: { name: 'no-entry', entry: './dist/index.js' },
      files: {},
    });
    await writePlugin(dir, 'climbs-out', {
      manifest: { name: 'climbs-out', entry: '../../elsewhere/evil.js' },
    });
    await writePlugin(dir, 'absolute', {
      manifest: { name: 'absolute', entry: path.join(elsewhere, 'evil.js') },
    });
    const linked = await writePlugin(dir, 'escaping-link', { files: {} });
    await symlink(path.join(elsewhere, 'evil.js'), path.join(linked, 'index.js'));
    await writePlugin(dir, 'too-new', { manifest: { name: 'too-new', engine: '^9.0.0' } });
    await writePlugin(dir, 'zz-duplicate', { manifest: { name: 'good-one' } });
    await mkdir(path.join(dir, 'empty-folder'));

    adapter = createAdapter({ directories: dir });
    const plugins = await adapter.discoverPlugins();
    expect(plugins.map((plugin) => plugin.name)).toEqual(['good-one', 'good-two']);
    expect(plugins[0]).toEqual({
      name: 'good-one',
      version: '1.0.0',
      streaming: false,
      source: 'fs',
      location: path.join(dir, 'good-one'),
    });

    const diagnostics = await adapter.getDiagnostics();
    const summary = diagnostics.map((d) => [path.basename(d.location), d.plugin_name, d.code]);
    expect(summary).toEqual([
      ['absolute', 'absolute', 'ENTRY_OUTSIDE_FOLDER'],
      ['bad-manifest', 'bad-manifest', 'INVALID_MANIFEST'],
      ['climbs-out', 'climbs-out', 'ENTRY_OUTSIDE_FOLDER'],
      ['empty-folder', undefined, 'MISSING_PACKAGE_JSON'],
      ['escaping-link', 'escaping-link', 'ENTRY_OUTSIDE_FOLDER'],
      ['invalid-json', undefined, 'INVALID_JSON'],
      ['no-entry', 'no-entry', 'ENTRY_NOT_FOUND'],
      ['no-manifest', undefined, 'MISSING_MANIFEST'],
      ['too-new', 'too-new', 'UNSUPPORTED_ENGINE'],
      ['zz-duplicate', 'good-one', 'DUPLICATE_NAME'],
    ]);
    // Every diagnostic is a valid wire object, and the worker's ready answer can carry them.
    for (const diagnostic of diagnostics) pluginDiagnosticSchema.parse(diagnostic);
    readyResponseSchema.parse({ type: 'ready', plugins, diagnostics });
    for (const diagnostic of diagnostics) {
      expect(diagnostic.message, diagnostic.code).toContain(diagnostic.location);
    }

    for (const plugin of plugins) await adapter.loadPlugin(plugin, {});
    expect(await adapter.executePlugin('good-two', { x: 1 })).toEqual({
      plugin: 'good-two',
      params: { x: 1 },
    });
  });

  it('imports no plugin code during discovery', async () => {
    const marker = path.join(tmp.path, 'imported.txt');
    await writePlugin(tmp.path, 'side-effect', {
      files: {
        'index.js': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\n${echoSource('side-effect')}`,
      },
    });
    adapter = createAdapter({ directories: [tmp.path] });
    expect((await adapter.discoverPlugins()).map((plugin) => plugin.name)).toEqual(['side-effect']);
    expect(await readdir(tmp.path)).not.toContain('imported.txt');
    await adapter.loadPlugin({ name: 'side-effect', source: 'fs', streaming: false }, {});
    expect(await readdir(tmp.path)).toContain('imported.txt');
  });

  it('searches several directories in order: the first directory wins a name clash', async () => {
    const first = path.join(tmp.path, 'first');
    const second = path.join(tmp.path, 'second');
    await writePlugin(first, 'shared', {
      files: { 'index.js': echoSource('shared', ", tag: 'first'") },
    });
    await writePlugin(second, 'shared');
    await writePlugin(second, 'only-second');
    adapter = createAdapter({ directories: [first, second] });
    const plugins = await adapter.discoverPlugins();
    expect(plugins.map((plugin) => [plugin.name, plugin.location])).toEqual([
      ['shared', path.join(first, 'shared')],
      ['only-second', path.join(second, 'only-second')],
    ]);
    expect(await adapter.getDiagnostics()).toEqual([
      {
        location: path.join(second, 'shared'),
        plugin_name: 'shared',
        code: 'DUPLICATE_NAME',
        message: expect.stringContaining(`${path.join(first, 'shared')} already provides`),
      },
    ]);
  });

  it('a missing directory is a diagnostic; the other directories still work', async () => {
    const missing = path.join(tmp.path, 'not-there');
    const file = path.join(tmp.path, 'a-file');
    await writeFile(file, '');
    await writePlugin(path.join(tmp.path, 'ok'), 'fine');
    adapter = createAdapter({ directories: [missing, file, path.join(tmp.path, 'ok')] });
    expect((await adapter.discoverPlugins()).map((plugin) => plugin.name)).toEqual(['fine']);
    expect((await adapter.getDiagnostics()).map((d) => [d.location, d.code])).toEqual([
      [missing, 'DIRECTORY_NOT_FOUND'],
      [file, 'DIRECTORY_NOT_FOUND'],
    ]);
  });

  it('skips files, dot-folders and node_modules; follows symlinks to plugin folders', async () => {
    const dir = path.join(tmp.path, 'plugins');
    await writePlugin(dir, '.staging');
    await writePlugin(dir, 'node_modules');
    await writeFile(path.join(dir, 'README.md'), '# my plugins');
    const outside = await writePlugin(path.join(tmp.path, 'shelf'), 'shelved');
    await symlink(outside, path.join(dir, 'linked'));
    await symlink(path.join(tmp.path, 'nowhere'), path.join(dir, 'dangling'));
    adapter = createAdapter({ directories: dir });
    const plugins = await adapter.discoverPlugins();
    expect(plugins.map((plugin) => [plugin.name, plugin.location])).toEqual([
      ['shelved', path.join(dir, 'linked')],
    ]);
    expect(await adapter.getDiagnostics()).toEqual([]);
    await adapter.loadPlugin(plugins[0] as (typeof plugins)[number], {});
    expect(await adapter.executePlugin('shelved', {})).toEqual({ plugin: 'shelved', params: {} });
  });

  it('discovers 1,000 plugin folders', async () => {
    const dir = path.join(tmp.path, 'many');
    const names = Array.from({ length: 1000 }, (_, i) => `plugin-${String(i).padStart(4, '0')}`);
    await mkdir(dir);
    // Written in batches: 1,000 folders at once would exhaust file descriptors on small machines.
    for (let i = 0; i < names.length; i += 100) {
      await Promise.all(
        names.slice(i, i + 100).map((name) =>
          writePlugin(dir, name, {
            manifest: { name, engine: '>=0.1.0' },
            files: { 'index.js': 'export default null;' },
          }),
        ),
      );
    }
    adapter = createAdapter({ directories: dir });
    const plugins = await adapter.discoverPlugins();
    expect(plugins.map((plugin) => plugin.name)).toEqual(names);
    expect(await adapter.getDiagnostics()).toEqual([]);
  });
});
