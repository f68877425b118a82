// The DemoHost: choosing the adapter, two sources side by side (a name both offer), and a plugin
// folder dropped in while it runs.

import { once } from 'node:events';
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CatalogView, DemoError, DemoHost, resolveSettings } from '../src/index.ts';
import { quietLogger } from './support/server.ts';

const CLASH_PLUGINS = path.join(import.meta.dirname, 'fixtures/clash-plugins');
const WORD_STREAM = path.join(import.meta.dirname, '../plugins/word-stream');
const BROKEN_EXAMPLE = path.join(import.meta.dirname, '../plugins-extra/broken-example');
const SLUGIFY = path.join(import.meta.dirname, '../plugins/slugify');
const DEMO_NODE_MODULES = path.join(import.meta.dirname, '../node_modules');

/** A plugin folder copied without its own node_modules (they resolve from the directory's). */
function copyPlugin(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => !source.includes('node_modules') });
}

let host: DemoHost | undefined;
afterEach(async () => {
  await host?.shutdown();
  host = undefined;
});

async function start(config: Record<string, unknown>): Promise<DemoHost> {
  host = await DemoHost.start({
    settings: resolveSettings({ config, env: {} }),
    logger: quietLogger(),
  });
  return host;
}

describe('DemoHost', () => {
  it('runs only the npm adapter when asked', async () => {
    const demo = await start({ adapter: 'npm' });
    expect(demo.sources).toEqual(['npm']);
    const { plugins, diagnostics } = demo.catalog();
    expect(plugins.map((plugin) => `${plugin.source}:${plugin.id}`)).toEqual(['npm:markdown-toc']);
    expect(diagnostics).toEqual([]);
    expect(() => demo.plugin('word-stream')).toThrow(/No plugin named "word-stream"/);
  });

  it('runs both side by side; a name both offer is reached as fs:name or npm:name', async () => {
    const demo = await start({
      adapter: 'both',
      fs: { directories: [CLASH_PLUGINS], watch: false },
    });
    const { plugins } = demo.catalog();
    expect(plugins.map((plugin) => [plugin.id, plugin.source, plugin.version])).toEqual([
      ['fs:markdown-toc', 'fs', '9.9.9'],
      ['npm:markdown-toc', 'npm', '0.1.0'],
    ]);
    let ambiguous: unknown;
    try {
      demo.submit('markdown-toc', {});
    } catch (error) {
      ambiguous = error;
    }
    expect(ambiguous).toBeInstanceOf(DemoError);
    expect(ambiguous).toMatchObject({
      code: 'AMBIGUOUS_PLUGIN',
      status: 409,
      message: expect.stringContaining('"fs:markdown-toc" or "npm:markdown-toc"'),
    });
    const fromFolder = demo.submit('fs:markdown-toc', {});
    expect(await fromFolder.handle.result).toEqual({ from: 'the folder' });
    const fromNpm = demo.submit('npm:markdown-toc', { markdown: '# One' });
    expect(await fromNpm.handle.result).toMatchObject({ toc: '- [One](#one)' });
    expect(demo.jobs().map((job) => `${job.source}:${job.plugin}`)).toEqual([
      'npm:markdown-toc',
      'fs:markdown-toc',
    ]);
    expect(demo.jobs({ plugin: 'npm:markdown-toc' })).toHaveLength(1);
  });

  it('announces a plugin folder dropped into a watched directory, and a broken one fixed', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'plugwork-demo-watch-'));
    try {
      cpSync(BROKEN_EXAMPLE, path.join(directory, 'broken-example'), { recursive: true });
      const demo = await start({
        adapter: 'fs',
        fs: { directories: [directory], watch: true, poolSize: 1 },
      });
      expect(demo.catalog().plugins).toEqual([]);
      expect(demo.catalog().diagnostics.map((each) => each.code)).toEqual(['INVALID_MANIFEST']);

      // Copy under a dot name (ignored), then rename: the folder appears complete.
      let changed = once(demo, 'catalog');
      cpSync(WORD_STREAM, path.join(directory, '.incoming'), { recursive: true });
      renameSync(path.join(directory, '.incoming'), path.join(directory, 'word-stream'));
      let [catalog] = (await changed) as [CatalogView];
      expect(catalog.plugins.map((plugin) => plugin.id)).toEqual(['word-stream']);

      // What the README says: fix the broken manifest while it runs, and the plugin appears.
      changed = once(demo, 'catalog');
      const manifest = path.join(directory, 'broken-example/package.json');
      writeFileSync(
        manifest,
        readFileSync(manifest, 'utf8').replace('"streaming": "sometimes"', '"streaming": false'),
      );
      [catalog] = (await changed) as [CatalogView];
      expect(catalog.plugins.map((plugin) => plugin.id).sort()).toEqual([
        'broken-example',
        'word-stream',
      ]);
      expect(catalog.diagnostics).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a refused reload lists no problem; a failed load does, until the plugin loads', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'plugwork-demo-reload-'));
    try {
      symlinkSync(DEMO_NODE_MODULES, path.join(directory, 'node_modules'));
      copyPlugin(SLUGIFY, path.join(directory, 'slugify'));
      const demo = await start({
        adapter: 'fs',
        fs: { directories: [directory], watch: true, poolSize: 1 },
      });
      const slugify = () => demo.submit('slugify', { text: 'Hello World' }).handle.done;
      expect((await slugify()).result).toEqual({ slug: 'hello-world' });

      await expect(demo.reload('slugify', { separator: '~' })).rejects.toThrow(/separator/);
      // The next catalog change (a folder dropped in) lists no problem: slugify still runs.
      const changed = once(demo, 'catalog');
      copyPlugin(WORD_STREAM, path.join(directory, 'word-stream'));
      const [catalog] = (await changed) as [CatalogView];
      expect(catalog.plugins.map((plugin) => plugin.id).sort()).toEqual(['slugify', 'word-stream']);
      expect(catalog.diagnostics).toEqual([]);
      expect((await slugify()).result).toEqual({ slug: 'hello-world' });
      await demo.reload('slugify', { separator: '_' });
      expect(demo.catalog().diagnostics).toEqual([]);

      // A config the plugin refuses when it next loads is a real problem, shown at once...
      await demo.unload('slugify');
      await demo.reload('slugify', { maxLength: 0 });
      const problem = once(demo, 'catalog');
      expect((await slugify()).error?.code).toBe('PLUGIN_LOAD_FAILED');
      const [failed] = (await problem) as [CatalogView];
      expect(failed.diagnostics).toEqual([
        expect.objectContaining({ plugin_name: 'slugify', code: 'INVALID_CONFIG', source: 'fs' }),
      ]);
      // ...and gone once the plugin loads with a good one.
      await demo.reload('slugify', { maxLength: 5 });
      const fixed = once(demo, 'catalog');
      expect((await slugify()).result).toEqual({ slug: 'hello' });
      const [clean] = (await fixed) as [CatalogView];
      expect(clean.diagnostics).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
