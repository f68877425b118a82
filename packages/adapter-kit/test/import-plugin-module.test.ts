import { writeFile } from 'node:fs/promises';
import {
  AdapterErrorCode,
  canRunTypeScript,
  importPluginModule,
  PluginLoadError,
  readPluginPackage,
} from '@plugwork/adapter-kit';
import type { PluginContext } from '@plugwork/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, pluginSource, writePlugin } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.remove();
});

const context = {} as PluginContext<unknown, unknown>;

async function importFolder(name: string, files: Record<string, string>, manifest = {}) {
  const folder = await writePlugin(tmp.path, name, { files, manifest: { name, ...manifest } });
  return importPluginModule(await readPluginPackage(folder));
}

async function loadError(promise: Promise<unknown>): Promise<PluginLoadError> {
  const error = await promise.then(
    () => expect.unreachable('expected the import to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PluginLoadError);
  return error as PluginLoadError;
}

describe('importPluginModule', () => {
  it('returns the definePlugin default export', async () => {
    const plugin = await importFolder('ok', {
      'index.js': pluginSource(`{ name: 'ok', execute: () => ({ fine: true }) }`),
    });
    expect(plugin.name).toBe('ok');
    expect(await plugin.execute({}, context)).toEqual({ fine: true });
  });

  it('recognises the plugin mark set by another copy of the SDK (Symbol.for)', async () => {
    const plugin = await importFolder('foreign', {
      'index.js': `export default { name: 'foreign', execute: () => 'x', [Symbol.for('plugwork.plugin')]: true };`,
    });
    expect(plugin.name).toBe('foreign');
  });

  it('NOT_A_PLUGIN: no default export, a plain object, a function', async () => {
    const cases: [string, string, string][] = [
      ['no-default', `export const plugin = 1;`, 'missing (the module has no default export)'],
      [
        'plain',
        `export default { name: 'plain', execute: () => ({}) };`,
        'a plain object without the definePlugin mark',
      ],
      ['fn', `export default function execute() {}`, 'a function'],
    ];
    for (const [name, source, found] of cases) {
      const error = await loadError(importFolder(name, { 'index.js': source }));
      expect(error.code).toBe(AdapterErrorCode.NOT_A_PLUGIN);
      expect(error.message).toContain(`is ${found}, not a plugin made by definePlugin`);
      expect(error.pluginName).toBe(name);
    }
  });

  it('IMPORT_FAILED when the module throws, with the cause kept', async () => {
    const error = await loadError(
      importFolder('throws', { 'index.js': `throw new Error('boom at import');` }),
    );
    expect(error.code).toBe(AdapterErrorCode.IMPORT_FAILED);
    expect(error.message).toContain('boom at import');
    expect((error.cause as Error).message).toBe('boom at import');
  });

  it('IMPORT_FAILED with an install hint when a dependency is missing', async () => {
    const error = await loadError(
      importFolder('needs-dep', { 'index.js': `import 'surely-not-installed-plugwork-dep';` }),
    );
    expect(error.code).toBe(AdapterErrorCode.IMPORT_FAILED);
    expect(error.message).toContain("install the plugin's dependencies");
  });

  it('loads a CommonJS entry, including one compiled from `export default`', async () => {
    // Node 20 cannot require() the ESM protocol build, so these set the plugin mark by hand.
    const definition = (name: string) =>
      `{ name: '${name}', execute: () => 'cjs', [Symbol.for('plugwork.plugin')]: true }`;
    const plain = await importFolder(
      'cjs',
      { 'index.cjs': `module.exports = ${definition('cjs')};` },
      { entry: './index.cjs' },
    );
    expect(plain.name).toBe('cjs');
    const compiled = await importFolder(
      'cjs-default',
      {
        'index.cjs': `Object.defineProperty(exports, '__esModule', { value: true });\nexports.default = ${definition('cjs-default')};`,
      },
      { entry: './index.cjs' },
    );
    expect(compiled.name).toBe('cjs-default');
  });

  it('evaluates the entry again on a later import, so edited code runs', async () => {
    const folder = await writePlugin(tmp.path, 'changing', {
      files: { 'index.js': pluginSource(`{ name: 'changing', execute: () => 'v1' }`) },
    });
    const candidate = await readPluginPackage(folder);
    const first = await importPluginModule(candidate);
    await writeFile(candidate.entryPath, pluginSource(`{ name: 'changing', execute: () => 'v2' }`));
    const second = await importPluginModule(candidate);
    expect(await first.execute({}, context)).toBe('v1');
    expect(await second.execute({}, context)).toBe('v2');
  });

  it('re-evaluates a CommonJS entry too', async () => {
    const body = (v: string) =>
      `module.exports = { name: 'cjs-change', execute: () => '${v}', [Symbol.for('plugwork.plugin')]: true };`;
    const folder = await writePlugin(tmp.path, 'cjs-change', {
      manifest: { name: 'cjs-change', entry: './index.cjs' },
      files: { 'index.cjs': body('v1') },
    });
    const candidate = await readPluginPackage(folder);
    expect(await (await importPluginModule(candidate)).execute({}, context)).toBe('v1');
    await writeFile(candidate.entryPath, body('v2'));
    expect(await (await importPluginModule(candidate)).execute({}, context)).toBe('v2');
  });

  it('TypeScript entries load where types can be stripped, else TYPESCRIPT_UNSUPPORTED', async () => {
    const files = {
      'index.ts': pluginSource(
        `{ name: 'typed', execute: (params: Record<string, unknown>): { n: number } => ({ n: Object.keys(params).length }) }`,
      ),
    };
    const attempt = importFolder('typed', files, { entry: './index.ts' });
    if (canRunTypeScript()) {
      const plugin = await attempt;
      expect(await plugin.execute({ a: 1 }, context)).toEqual({ n: 1 });
    } else {
      const error = await loadError(attempt);
      expect(error.code).toBe(AdapterErrorCode.TYPESCRIPT_UNSUPPORTED);
      expect(error.message).toMatch(/cannot run TypeScript\. Build the plugin to JavaScript/);
      expect(error.message).toContain('Node >= 22.18');
    }
  });
});
