import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { CatalogAdapter } from '@plugwork/adapter-kit';
import { createAdapter, listInstalledPlugins } from '@plugwork/adapter-npm';
import { pluginDiagnosticSchema } from '@plugwork/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cjsPlugin,
  codesByPackage,
  esmPlugin,
  installFlat,
  installPnpmStyle,
  makeProject,
  pluginPackage,
  type TempProject,
  tscCjsPlugin,
  writeJson,
} from './fixtures.ts';

/**
 * One project holding every kind of package the adapter meets: plugins in each layout and
 * module format, ordinary packages, and each way a plugin package can be broken.
 */
let project: TempProject;
let adapter: CatalogAdapter | undefined;

beforeAll(async () => {
  project = await makeProject({
    dependencies: {
      '@acme/pnpm-scoped': '1.0.0',
      '@acme/scoped-plugin': '1.0.0',
      'broken-engine': '1.0.0',
      'broken-entry': '1.0.0',
      'broken-exports-condition': '1.0.0',
      'broken-exports-target': '1.0.0',
      'broken-json': '1.0.0',
      'broken-unreadable': '1.0.0',
      'cjs-plugin': '1.0.0',
      'default-condition-plugin': '1.0.0',
      'esm-plugin': '1.0.0',
      'main-plugin': '1.0.0',
      'mentions-plugwork': '1.0.0',
      'not-installed': '^2.0.0',
      ordinary: '1.0.0',
      'pnpm-plugin': '1.0.0',
      'tsc-cjs-plugin': '1.0.0',
      '../escapes': '1.0.0',
    },
    optionalDependencies: { 'optional-missing': '1.0.0', 'optional-plugin': '1.0.0' },
    devDependencies: { 'dev-plugin': '1.0.0' },
  });
  const nm = project.nodeModules;

  await installFlat(nm, 'esm-plugin', {
    packageJson: {
      type: 'module',
      description: 'An ESM plugin',
      exports: { '.': { import: './lib/esm.js' }, './package.json': './package.json' },
      plugwork: { name: 'esm', category: 'test' },
    },
    files: { 'lib/esm.js': esmPlugin('esm') },
  });
  // Conditions are tried in their order; `require` is not one plugwork follows.
  await installFlat(nm, 'default-condition-plugin', {
    packageJson: {
      type: 'module',
      exports: { require: './index.cjs', default: './index.js' },
      plugwork: { name: 'default-condition' },
    },
    files: { 'index.js': esmPlugin('default-condition'), 'index.cjs': 'module.exports = 1;' },
  });
  await installFlat(nm, 'main-plugin', {
    packageJson: { type: 'module', main: 'lib/main', plugwork: { name: 'main' } },
    files: { 'lib/main.js': esmPlugin('main') },
  });
  await installFlat(nm, 'cjs-plugin', {
    packageJson: { main: 'index.js', plugwork: { name: 'cjs' } },
    files: { 'index.js': cjsPlugin('cjs') },
  });
  await installFlat(nm, 'tsc-cjs-plugin', {
    packageJson: {
      type: 'commonjs',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      plugwork: { name: 'tsc-cjs' },
    },
    files: { 'dist/index.js': tscCjsPlugin('tsc-cjs') },
  });
  await installFlat(nm, '@acme/scoped-plugin', pluginPackage('scoped'));
  await installPnpmStyle(nm, 'pnpm-plugin', pluginPackage('pnpm'));
  await installPnpmStyle(nm, '@acme/pnpm-scoped', pluginPackage('pnpm-scoped'));
  await installFlat(nm, 'optional-plugin', pluginPackage('optional'));
  await installFlat(nm, 'dev-plugin', pluginPackage('dev'));
  await installFlat(nm, 'unlisted-plugin', pluginPackage('unlisted'));

  // Ordinary packages: not plugins, so not diagnostics either.
  await installFlat(nm, 'ordinary', { packageJson: { main: 'index.js' } });
  await installFlat(nm, 'mentions-plugwork', {
    packageJson: { keywords: ['plugwork'], description: 'Works with "plugwork"' },
  });

  // Broken plugin packages, one per way of being broken.
  await mkdir(path.join(nm, 'broken-unreadable', 'package.json'), { recursive: true });
  await mkdir(path.join(nm, 'broken-json'), { recursive: true });
  await writeFile(path.join(nm, 'broken-json', 'package.json'), '{ "plugwork": { "name": ');
  await installFlat(nm, 'broken-entry', {
    packageJson: { main: 'dist/missing.js', plugwork: { name: 'broken-entry' } },
  });
  await installFlat(nm, 'broken-exports-condition', {
    packageJson: { exports: { '.': { require: './index.cjs' } }, plugwork: {} },
    files: { 'index.cjs': cjsPlugin('broken-exports-condition') },
  });
  await installFlat(nm, 'broken-exports-target', {
    packageJson: { type: 'module', exports: { import: './dist/index.js' }, plugwork: {} },
  });
  await installFlat(
    nm,
    'broken-engine',
    pluginPackage('broken-engine', { plugwork: { engine: '>=99' } }),
  );

  // Package-manager bookkeeping that must be ignored.
  await mkdir(path.join(nm, '.bin'), { recursive: true });
  await writeFile(path.join(nm, '.package-lock.json'), '{}');
});

afterAll(async () => {
  await project.remove();
});

afterEach(async () => {
  await adapter?.dispose();
  adapter = undefined;
});

const LOADABLE_DEPENDENCIES = [
  'cjs',
  'default-condition',
  'esm',
  'main',
  'optional',
  'pnpm',
  'pnpm-scoped',
  'scoped',
  'tsc-cjs',
];

const BROKEN = {
  'broken-engine': 'UNSUPPORTED_ENGINE',
  'broken-entry': 'ENTRY_NOT_FOUND',
  'broken-exports-condition': 'ENTRY_NOT_FOUND',
  'broken-exports-target': 'ENTRY_NOT_FOUND',
  'broken-json': 'INVALID_JSON',
  'broken-unreadable': 'UNREADABLE_PACKAGE_JSON',
};

describe('scope "dependencies" (the default)', () => {
  it('offers the plugin packages among dependencies and optionalDependencies, in every layout', async () => {
    adapter = createAdapter({ root: project.root });
    const plugins = await adapter.discoverPlugins();
    expect(plugins.map((p) => p.name).sort()).toEqual(LOADABLE_DEPENDENCIES);
    expect(plugins.find((p) => p.name === 'esm')).toEqual({
      name: 'esm',
      version: '1.0.0',
      description: 'An ESM plugin',
      category: 'test',
      streaming: false,
      source: 'npm',
      location: path.join(project.nodeModules, 'esm-plugin'),
    });
  });

  it('reports each broken package and each missing dependency; ordinary packages stay silent', async () => {
    adapter = createAdapter({ root: project.root });
    const diagnostics = await adapter.getDiagnostics();
    for (const diagnostic of diagnostics) pluginDiagnosticSchema.parse(diagnostic);
    expect(codesByPackage(diagnostics, project.nodeModules)).toEqual({
      ...BROKEN,
      'not-installed': 'DEPENDENCY_NOT_INSTALLED',
    });
    const missing = diagnostics.find((d) => d.code === 'DEPENDENCY_NOT_INSTALLED');
    expect(missing?.message).toContain('"not-installed" is listed in "dependencies"');
    expect(missing?.message).toContain('npm install');
    const engine = diagnostics.find((d) => d.code === 'UNSUPPORTED_ENGINE');
    expect(engine?.plugin_name).toBe('broken-engine');
    expect(engine?.message).toContain('>=99');
  });

  it('leaves devDependencies out: they are not installed in production', async () => {
    const { plugins } = await listInstalledPlugins({ root: project.root });
    expect(plugins.map((p) => p.packageName)).not.toContain('dev-plugin');
    expect(plugins.map((p) => p.packageName)).not.toContain('unlisted-plugin');
  });

  it('loads and runs ESM, CommonJS, scoped and pnpm-linked plugins alike', async () => {
    adapter = createAdapter({ root: project.root });
    for (const plugin of await adapter.discoverPlugins()) {
      await adapter.loadPlugin(plugin, {});
      const result = await adapter.executePlugin(plugin.name, { n: 1 });
      expect(result, plugin.name).toMatchObject({ plugin: plugin.name, params: { n: 1 } });
    }
    expect(await adapter.executePlugin('cjs', {})).toMatchObject({ format: 'cjs' });
    expect(await adapter.executePlugin('tsc-cjs', {})).toMatchObject({ format: 'tsc-cjs' });
    expect(adapter.getLoadedPlugins().sort()).toEqual(LOADABLE_DEPENDENCIES);
  });
});

describe('scope "all"', () => {
  it('offers every plugin package at the top of node_modules, devDependencies and unlisted ones too', async () => {
    adapter = createAdapter({ root: project.root, scope: 'all' });
    const plugins = await adapter.discoverPlugins();
    expect(plugins.map((p) => p.name).sort()).toEqual(
      [...LOADABLE_DEPENDENCIES, 'dev', 'unlisted'].sort(),
    );
    // Nothing is "not installed" when node_modules itself is the list.
    expect(codesByPackage(await adapter.getDiagnostics(), project.nodeModules)).toEqual(BROKEN);
  });
});

describe('allow-list', () => {
  it('with scope "dependencies": only the named packages; names that cannot be honoured are reported', async () => {
    const { plugins, diagnostics } = await listInstalledPlugins({
      root: project.root,
      allow: ['esm-plugin', '@acme/pnpm-scoped', 'ordinary', 'dev-plugin', 'absent'],
    });
    expect(plugins.map((p) => p.packageName)).toEqual(['@acme/pnpm-scoped', 'esm-plugin']);
    expect(diagnostics.map((d) => [d.code, d.message.match(/names "([^"]+)"/)?.[1]])).toEqual([
      ['ALLOWED_PACKAGE_NOT_FOUND', 'absent'],
      ['ALLOWED_PACKAGE_NOT_FOUND', 'dev-plugin'],
      ['ALLOWED_PACKAGE_NOT_A_PLUGIN', 'ordinary'],
    ]);
  });

  it('with scope "all": looks the names up directly', async () => {
    const { plugins, diagnostics } = await listInstalledPlugins({
      root: project.root,
      scope: 'all',
      allow: ['dev-plugin', 'mentions-plugwork', 'absent', 'broken-engine'],
    });
    expect(plugins.map((p) => p.packageName)).toEqual(['dev-plugin']);
    expect(codesByPackage(diagnostics, project.nodeModules)).toEqual({
      '.': 'ALLOWED_PACKAGE_NOT_FOUND',
      'broken-engine': 'UNSUPPORTED_ENGINE',
      'mentions-plugwork': 'ALLOWED_PACKAGE_NOT_A_PLUGIN',
    });
  });

  it('an empty allow-list allows nothing', async () => {
    const { plugins, diagnostics } = await listInstalledPlugins({ root: project.root, allow: [] });
    expect(plugins).toEqual([]);
    expect(diagnostics).toEqual([]);
  });
});

describe('listInstalledPlugins', () => {
  it('gives package name, version, plugin name and where it lives, pnpm symlinks resolved', async () => {
    const { plugins } = await listInstalledPlugins({ root: project.root });
    const pnpm = plugins.find((p) => p.pluginName === 'pnpm-scoped');
    expect(pnpm).toEqual({
      pluginName: 'pnpm-scoped',
      packageName: '@acme/pnpm-scoped',
      version: '1.0.0',
      description: undefined,
      category: undefined,
      streaming: false,
      engine: undefined,
      location: path.join(project.nodeModules, '@acme', 'pnpm-scoped'),
      realLocation: path.join(
        project.nodeModules,
        '.pnpm',
        '@acme+pnpm-scoped@1.0.0',
        'node_modules',
        '@acme',
        'pnpm-scoped',
      ),
      entryPath: path.join(
        project.nodeModules,
        '.pnpm/@acme+pnpm-scoped@1.0.0/node_modules/@acme/pnpm-scoped/index.js',
      ),
    });
  });
});

describe('the project itself', () => {
  it('reports a root without package.json, or with a broken one, instead of throwing', async () => {
    const empty = await makeProject();
    try {
      await writeFile(path.join(empty.root, 'package.json'), '{ "dependencies": ');
      let result = await listInstalledPlugins({ root: empty.root });
      expect(result.diagnostics.map((d) => d.code)).toEqual(['ROOT_PACKAGE_JSON_INVALID']);

      await writeJson(path.join(empty.root, 'package.json'), { dependencies: ['a'] });
      result = await listInstalledPlugins({ root: empty.root });
      expect(result.diagnostics[0]?.message).toContain('"dependencies" is not an object');

      adapter = createAdapter({ root: path.join(empty.root, 'node_modules', '@plugwork') });
      expect(await adapter.discoverPlugins()).toEqual([]);
      expect((await adapter.getDiagnostics()).map((d) => d.code)).toEqual([
        'ROOT_PACKAGE_JSON_NOT_FOUND',
      ]);
    } finally {
      await empty.remove();
    }
  });

  it('scope "all" reports a project that has no node_modules', async () => {
    const { plugins, diagnostics } = await listInstalledPlugins({
      root: path.join(project.root, 'src'),
      scope: 'all',
    });
    expect(plugins).toEqual([]);
    expect(diagnostics.map((d) => d.code)).toEqual(['NODE_MODULES_NOT_FOUND']);
    expect(diagnostics[0]?.message).toContain('npm install');
  });

  it('finds dependencies hoisted to a node_modules above the project (workspaces)', async () => {
    const workspace = await makeProject({ workspaces: ['packages/*'] });
    try {
      const app = path.join(workspace.root, 'packages', 'app');
      await writeJson(path.join(app, 'package.json'), {
        name: 'app',
        dependencies: { 'hoisted-plugin': '1.0.0', 'local-plugin': '1.0.0' },
      });
      await installFlat(workspace.nodeModules, 'hoisted-plugin', pluginPackage('hoisted'));
      await installFlat(workspace.nodeModules, 'local-plugin', pluginPackage('shadowed'));
      // The nearest copy wins, as it does for import.
      await installFlat(path.join(app, 'node_modules'), 'local-plugin', pluginPackage('local'));
      const { plugins } = await listInstalledPlugins({ root: app });
      expect(plugins.map((p) => [p.pluginName, p.location])).toEqual([
        ['hoisted', path.join(workspace.nodeModules, 'hoisted-plugin')],
        ['local', path.join(app, 'node_modules', 'local-plugin')],
      ]);
    } finally {
      await workspace.remove();
    }
  });

  it('two packages providing the same plugin name: the first package name wins', async () => {
    const clash = await makeProject({ dependencies: { 'a-plugin': '1.0.0', 'b-plugin': '1.0.0' } });
    try {
      await installFlat(clash.nodeModules, 'a-plugin', pluginPackage('same'));
      await installFlat(clash.nodeModules, 'b-plugin', pluginPackage('same'));
      adapter = createAdapter({ root: clash.root });
      expect((await adapter.discoverPlugins()).map((p) => p.location)).toEqual([
        path.join(clash.nodeModules, 'a-plugin'),
      ]);
      expect(codesByPackage(await adapter.getDiagnostics(), clash.nodeModules)).toEqual({
        'b-plugin': 'DUPLICATE_NAME',
      });
    } finally {
      await clash.remove();
    }
  });
});
