/// <reference lib="deno.ns" />
// Deno smoke test: a temp project whose node_modules holds the example plugin package (linked,
// as pnpm and `deno install` link packages) plus an ordinary and a broken package; discover,
// load, execute and stream through the built adapter. Run with `pnpm test:deno`.
import { deepStrictEqual, ok } from 'node:assert';
import { createAdapter, listInstalledPlugins } from '../../dist/index.js';

const EXAMPLE = new URL('../../../plugin-example-markdown-toc', import.meta.url).pathname;
const MARKDOWN = '# Deno\n## Node modules\n### Deep\n## Done';

async function writeJson(file: string, value: unknown) {
  await Deno.mkdir(file.slice(0, file.lastIndexOf('/')), { recursive: true });
  await Deno.writeTextFile(file, JSON.stringify(value));
}

async function withProject(test: (root: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: 'plugwork-npm-deno-' });
  try {
    await writeJson(`${root}/package.json`, {
      name: 'deno-project',
      private: true,
      dependencies: {
        '@plugwork/plugin-example-markdown-toc': '0.1.0',
        ordinary: '1.0.0',
        'broken-plugin': '1.0.0',
      },
    });
    await Deno.mkdir(`${root}/node_modules/@plugwork`, { recursive: true });
    await Deno.symlink(EXAMPLE, `${root}/node_modules/@plugwork/plugin-example-markdown-toc`);
    await writeJson(`${root}/node_modules/ordinary/package.json`, { name: 'ordinary' });
    await writeJson(`${root}/node_modules/broken-plugin/package.json`, {
      name: 'broken-plugin',
      main: 'missing.js',
      plugwork: {},
    });
    await test(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test('discovers, loads, executes and streams an installed plugin package', () =>
  withProject(async (root) => {
    const adapter = createAdapter({ root });
    try {
      const plugins = await adapter.discoverPlugins();
      deepStrictEqual(
        plugins.map((p: { name: string; source: string }) => [p.name, p.source]),
        [['markdown-toc', 'npm']],
      );
      deepStrictEqual(
        (await adapter.getDiagnostics()).map((d: { code: string }) => d.code),
        ['ENTRY_NOT_FOUND'],
      );
      await adapter.loadPlugin(plugins[0], { maxDepth: 2 });
      const result = (await adapter.executePlugin('markdown-toc', { markdown: MARKDOWN })) as {
        toc: string;
      };
      deepStrictEqual(
        result.toc,
        '- [Deno](#deno)\n  - [Node modules](#node-modules)\n  - [Done](#done)',
      );
      ok(await adapter.checkStreamingSupport('markdown-toc'));
      const chunks: string[] = [];
      for await (const chunk of await adapter.executePluginStream('markdown-toc', {
        markdown: MARKDOWN,
      })) {
        chunks.push(chunk);
      }
      deepStrictEqual(chunks.length, 3);
    } finally {
      await adapter.dispose();
    }
  }));

Deno.test('lists installed plugins with versions, scope "all" included', () =>
  withProject(async (root) => {
    for (const scope of ['dependencies', 'all'] as const) {
      const { plugins, diagnostics } = await listInstalledPlugins({ root, scope });
      deepStrictEqual(
        plugins.map((p: { pluginName: string; packageName: string; version?: string }) => [
          p.pluginName,
          p.packageName,
          p.version,
        ]),
        [['markdown-toc', '@plugwork/plugin-example-markdown-toc', '0.1.0']],
      );
      deepStrictEqual(diagnostics.length, 1);
    }
  }));
