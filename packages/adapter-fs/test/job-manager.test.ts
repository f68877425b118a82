// Folder plugins run through @plugwork/worker's JobManager: the adapter is built from the
// fsAdapter() spec inside real worker processes.
import { rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fsAdapter } from '@plugwork/adapter-fs';
import { JobManager } from '@plugwork/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { echoSource, makeTempDir, pluginSource, writePlugin, ZOD_URL } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let manager: JobManager | undefined;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await manager?.shutdown();
  manager = undefined;
  await tmp.remove();
});

const upper = (suffix: string) =>
  pluginSource(
    `{ name: 'upper', execute: ({ text }) => ({ text: text.toUpperCase() + '${suffix}' }) }`,
  );

describe('a run through the JobManager', () => {
  it('executes, streams, validates configs, reports diagnostics and reloads changed code', async () => {
    const dir = path.join(tmp.path, 'plugins');
    const upperFolder = await writePlugin(dir, 'upper', { files: { 'index.js': upper('') } });
    await writePlugin(dir, 'count', {
      manifest: { name: 'count', streaming: true },
      files: {
        'index.js': pluginSource(
          `{ name: 'count', execute: ({ n }) => ({ n }), async *stream({ n }) { for (let i = 1; i <= n; i++) yield i + ';'; } }`,
        ),
      },
    });
    await writePlugin(dir, 'strict', {
      files: {
        'index.js': pluginSource(
          `{ name: 'strict', configSchema: z.object({ level: z.number().int(), mode: z.enum(['a', 'b']) }), execute: (_p, { config }) => config }`,
          `import { z } from '${ZOD_URL}';`,
        ),
      },
    });
    await writePlugin(dir, 'not-a-plugin', { manifest: undefined });

    manager = new JobManager({
      adapter: fsAdapter({ directories: [dir] }),
      pluginConfigs: { strict: { level: 'high', mode: 'c' } },
      maxLoadedPlugins: 3,
    });
    const catalog = await manager.start();
    expect(catalog.plugins.map((plugin) => plugin.name).sort()).toEqual([
      'count',
      'strict',
      'upper',
    ]);
    expect(catalog.plugins.every((plugin) => plugin.source === 'fs')).toBe(true);
    // The ready answer carries the adapter's diagnostics: the bad folder, and (the worker loads
    // configured plugins as it starts) the invalid config, every failing field named.
    expect(catalog.diagnostics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          location: path.join(dir, 'not-a-plugin'),
          code: 'MISSING_MANIFEST',
        }),
        expect.objectContaining({
          location: path.join(dir, 'strict'),
          plugin_name: 'strict',
          code: 'INVALID_CONFIG',
          message: expect.stringMatching(/level: .*mode: /),
        }),
      ]),
    );
    // Reported once: the worker adds no LOAD_FAILED of its own for a failure the adapter named.
    expect(catalog.diagnostics.filter((d) => d.plugin_name === 'strict')).toHaveLength(1);

    expect(await manager.submit('upper', { text: 'hello' }).result).toEqual({ text: 'HELLO' });

    const streamed = manager.submit('count', { n: 4 }, { stream: true });
    let output = '';
    for await (const chunk of streamed) output += chunk;
    expect(output).toBe('1;2;3;4;');
    await streamed.result;

    // The config from pluginConfigs is validated in the worker; every failing field is named.
    const refused = await manager.submit('strict', {}).result.then(
      () => expect.unreachable('the invalid config must fail the job'),
      (error: Error) => error,
    );
    expect(refused.message).toContain('level');
    expect(refused.message).toContain('mode');
    await manager.reloadPlugin('strict', { level: 2, mode: 'b' });
    expect(await manager.submit('strict', {}).result).toEqual({ level: 2, mode: 'b' });

    // Edit the plugin's code, reload it: the workers run the new code.
    await writeFile(path.join(upperFolder, 'index.js'), upper('!'));
    await manager.reloadPlugin('upper');
    expect(await manager.submit('upper', { text: 'again' }).result).toEqual({ text: 'AGAIN!' });
  });

  it('watch mode: a folder dropped in while the manager runs takes jobs', async () => {
    const dir = path.join(tmp.path, 'plugins');
    await writePlugin(dir, 'first');
    manager = new JobManager({
      adapter: fsAdapter({ directories: dir, watch: true, debounceMs: 50 }),
    });
    expect((await manager.start()).plugins.map((plugin) => plugin.name)).toEqual(['first']);

    const changed = new Promise<string[]>((resolve) => {
      manager?.on('catalog:changed', (catalog) => {
        const names = catalog.plugins.map((plugin) => plugin.name);
        if (names.includes('second')) resolve(names);
      });
    });
    // Staged under a dot-name and renamed into place, as the README recommends.
    await writePlugin(dir, '.copying', {
      manifest: { name: 'second' },
      files: { 'index.js': echoSource('second') },
    });
    await rename(path.join(dir, '.copying'), path.join(dir, 'second'));
    expect((await changed).sort()).toEqual(['first', 'second']);
    expect(await manager.submit('second', { x: 1 }).result).toEqual({
      plugin: 'second',
      params: { x: 1 },
    });
  });

  it('a refused reload leaves manager.catalog.diagnostics clean and the plugin serving', async () => {
    const dir = path.join(tmp.path, 'plugins');
    await writePlugin(dir, 'strict', {
      files: {
        'index.js': pluginSource(
          `{ name: 'strict', configSchema: z.object({ level: z.number().int() }), execute: (_p, { config }) => config }`,
          `import { z } from '${ZOD_URL}';`,
        ),
      },
    });
    manager = new JobManager({
      adapter: fsAdapter({ directories: [dir], watch: true }),
      pluginConfigs: { strict: { level: 1 } },
    });
    await manager.start();
    expect(await manager.submit('strict').result).toEqual({ level: 1 });
    await expect(manager.reloadPlugin('strict', { level: 'high' })).rejects.toThrow(/level: /);
    expect(manager.catalog.diagnostics).toEqual([]);
    // A change in the folder (a catalog change) lists no problem either.
    const changed = new Promise((resolve) => manager!.once('catalog:changed', resolve));
    await writePlugin(dir, 'other');
    await changed;
    expect(manager.catalog.diagnostics).toEqual([]);
    expect(await manager.submit('strict').result).toEqual({ level: 1 });
    await manager.reloadPlugin('strict', { level: 2 });
    expect(await manager.submit('strict').result).toEqual({ level: 2 });
    expect(manager.catalog.diagnostics).toEqual([]);
  });
});
