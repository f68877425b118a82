// The example plugin and a few fixture packages, packed and installed into temporary projects by
// real npm and real pnpm, then discovered and run through @plugwork/worker's JobManager. The
// only network use of the suite: installs fetch the packages' own dependencies from the registry.
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { listInstalledPlugins, npmAdapter } from '@plugwork/adapter-npm';
import { JobManager } from '@plugwork/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cjsPlugin, esmPlugin, writeJson } from './fixtures.ts';
import {
  EXAMPLE_DIR,
  npmInstall,
  npmPack,
  PROTOCOL_DIR,
  pnpmInstall,
  pnpmPack,
  run,
  tarballName,
  WORKSPACE,
} from './package-managers.ts';

/** TypeScript using the installed example plugin's types, as a plugin user would. */
const CONSUMER = `import plugin, {
  buildToc,
  extractHeadings,
  type TocEntry,
} from '@plugwork/plugin-example-markdown-toc';
import { isPlugin } from '@plugwork/protocol';

const entries: TocEntry[] = buildToc(extractHeadings('# Title'), {
  minDepth: 1,
  maxDepth: 2,
  bullet: '-',
}).entries;
// @ts-expect-error the bullet is '-' or '*'
buildToc([], { minDepth: 1, maxDepth: 2, bullet: '+' });
export const ok: boolean = isPlugin(plugin) && plugin.name === 'markdown-toc' && entries.length > 0;
`;

const INSTALL_TIMEOUT = 180_000;
const JOB_TIMEOUT = 120_000;

const MARKDOWN = '# Guide\n## Install\n### From npm\n## Usage\n## Usage';

let work: string;
let tarballs: Record<string, string>;

/** Plain packages (no workspace ranges): packed with npm. Each depends on the protocol. */
const FIXTURES: Record<string, Record<string, unknown>> = {
  'plugwork-fixture-cjs': { main: 'index.js', plugwork: { name: 'cjs-echo' } },
  '@plugwork-fixtures/scoped': {
    type: 'module',
    exports: { '.': { import: './index.js' } },
    plugwork: { name: 'scoped-echo' },
  },
  'plugwork-fixture-dev': { type: 'module', plugwork: { name: 'dev-echo' } },
  'plugwork-fixture-ordinary': { main: 'index.js' },
  'plugwork-fixture-broken-entry': { main: 'dist/index.js', plugwork: { name: 'broken-entry' } },
  'plugwork-fixture-broken-exports': {
    exports: { '.': { require: './index.js' } },
    plugwork: { name: 'broken-exports' },
  },
  'plugwork-fixture-broken-engine': {
    type: 'module',
    plugwork: { name: 'broken-engine', engine: '>=99.0.0' },
  },
};

const SOURCES: Record<string, string> = {
  'plugwork-fixture-cjs': cjsPlugin('cjs-echo'),
  '@plugwork-fixtures/scoped': esmPlugin('scoped-echo'),
  'plugwork-fixture-dev': esmPlugin('dev-echo'),
  'plugwork-fixture-ordinary': 'module.exports = { ordinary: true };\n',
  'plugwork-fixture-broken-exports': cjsPlugin('broken-exports'),
  'plugwork-fixture-broken-engine': esmPlugin('broken-engine'),
};

const EXPECTED_DIAGNOSTICS = {
  'node_modules/plugwork-fixture-broken-engine': 'UNSUPPORTED_ENGINE',
  'node_modules/plugwork-fixture-broken-entry': 'ENTRY_NOT_FOUND',
  'node_modules/plugwork-fixture-broken-exports': 'ENTRY_NOT_FOUND',
};

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'plugwork-npm-install-'));
  const packs = path.join(work, 'tarballs');
  await mkdir(packs);
  const folders: string[] = [];
  for (const [name, fields] of Object.entries(FIXTURES)) {
    const folder = path.join(work, 'fixtures', name);
    await writeJson(path.join(folder, 'package.json'), {
      name,
      version: '1.0.0',
      ...fields,
      dependencies: { '@plugwork/protocol': '^0.1.0' },
    });
    if (SOURCES[name] !== undefined) await writeFile(path.join(folder, 'index.js'), SOURCES[name]);
    folders.push(folder);
  }
  const [protocol, example] = await Promise.all([
    pnpmPack(PROTOCOL_DIR, packs),
    pnpmPack(EXAMPLE_DIR, packs),
    npmPack(folders, packs),
  ]);
  tarballs = { '@plugwork/protocol': protocol, '@plugwork/plugin-example-markdown-toc': example };
  for (const name of Object.keys(FIXTURES)) {
    tarballs[name] = path.join(packs, tarballName(name, '1.0.0'));
  }
}, INSTALL_TIMEOUT);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** The project's package.json: everything from tarballs, one fixture as a devDependency. */
function projectPackageJson(name: string, withProtocol: boolean): Record<string, unknown> {
  const dependencies: Record<string, string> = {};
  for (const [pkg, tarball] of Object.entries(tarballs)) {
    if (pkg === 'plugwork-fixture-dev') continue;
    if (pkg === '@plugwork/protocol' && !withProtocol) continue;
    dependencies[pkg] = `file:${tarball}`;
  }
  return {
    name,
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies,
    devDependencies: { 'plugwork-fixture-dev': `file:${tarballs['plugwork-fixture-dev']}` },
  };
}

function codesByLocation(root: string, diagnostics: readonly { code: string; location: string }[]) {
  return Object.fromEntries(diagnostics.map((d) => [path.relative(root, d.location), d.code]));
}

/** Discover, then run jobs on the example, the CommonJS and the scoped plugin in workers. */
async function runJobs(root: string): Promise<void> {
  const manager = new JobManager({
    adapter: npmAdapter({ root }),
    pluginConfigs: { 'markdown-toc': { maxDepth: 2 } },
    maxLoadedPlugins: 3,
  });
  try {
    const catalog = await manager.start();
    expect(catalog.plugins.map((p) => p.name).sort()).toEqual([
      'cjs-echo',
      'markdown-toc',
      'scoped-echo',
    ]);
    expect(catalog.plugins.every((p) => p.source === 'npm')).toBe(true);
    expect(codesByLocation(root, catalog.diagnostics)).toEqual(EXPECTED_DIAGNOSTICS);

    expect(await manager.submit('markdown-toc', { markdown: MARKDOWN }).result).toEqual({
      entries: [
        { depth: 1, text: 'Guide', slug: 'guide' },
        { depth: 2, text: 'Install', slug: 'install' },
        { depth: 2, text: 'Usage', slug: 'usage' },
        { depth: 2, text: 'Usage', slug: 'usage-1' },
      ],
      toc: '- [Guide](#guide)\n  - [Install](#install)\n  - [Usage](#usage)\n  - [Usage](#usage-1)',
    });
    let streamed = '';
    for await (const chunk of manager.submit(
      'markdown-toc',
      { markdown: MARKDOWN },
      { stream: true },
    )) {
      streamed += chunk;
    }
    expect(streamed.split('\n').filter(Boolean)).toHaveLength(4);

    expect(await manager.submit('cjs-echo', { n: 1 }).result).toEqual({
      plugin: 'cjs-echo',
      format: 'cjs',
      params: { n: 1 },
    });
    expect(await manager.submit('scoped-echo', { n: 2 }).result).toEqual({
      plugin: 'scoped-echo',
      params: { n: 2 },
    });
  } finally {
    await manager.shutdown();
  }
}

describe('installed with npm', () => {
  let root: string;

  beforeAll(async () => {
    root = path.join(work, 'npm-project');
    // The protocol is not on the registry: listing its tarball at the top satisfies the plugins'
    // dependency on it, so npm never asks the registry for it.
    await writeJson(path.join(root, 'package.json'), projectPackageJson('npm-project', true));
    await npmInstall(root);
  }, INSTALL_TIMEOUT);

  it(
    "lists the plugin packages in npm's flat layout, with versions and diagnostics",
    async () => {
      const { plugins, diagnostics } = await listInstalledPlugins({ root });
      expect(plugins.map((p) => [p.pluginName, p.packageName, p.version])).toEqual([
        ['scoped-echo', '@plugwork-fixtures/scoped', '1.0.0'],
        ['markdown-toc', '@plugwork/plugin-example-markdown-toc', '0.1.0'],
        ['cjs-echo', 'plugwork-fixture-cjs', '1.0.0'],
      ]);
      const example = plugins.find((p) => p.pluginName === 'markdown-toc')!;
      // Flat: a real folder, where the package manager put it.
      expect((await lstat(example.location)).isSymbolicLink()).toBe(false);
      expect(example.realLocation).toBe(
        path.join(root, 'node_modules/@plugwork/plugin-example-markdown-toc'),
      );
      expect(example.entryPath).toBe(path.join(example.realLocation, 'dist/index.js'));
      expect(example.streaming).toBe(true);
      expect(codesByLocation(root, diagnostics)).toEqual(EXPECTED_DIAGNOSTICS);
    },
    JOB_TIMEOUT,
  );

  it('runs jobs through the JobManager', () => runJobs(root), JOB_TIMEOUT);

  it(
    'scope "all" also finds the devDependency, and passes over zod, github-slugger and the protocol',
    async () => {
      const { plugins, diagnostics } = await listInstalledPlugins({ root, scope: 'all' });
      expect(plugins.map((p) => p.pluginName)).toEqual([
        'scoped-echo',
        'markdown-toc',
        'cjs-echo',
        'dev-echo',
      ]);
      expect(codesByLocation(root, diagnostics)).toEqual(EXPECTED_DIAGNOSTICS);
    },
    JOB_TIMEOUT,
  );

  it(
    'a dependency added to package.json but not installed is a diagnostic',
    async () => {
      const file = path.join(root, 'package.json');
      const original = await readFile(file, 'utf8');
      try {
        const pkg = JSON.parse(original);
        pkg.dependencies['plugwork-fixture-not-installed'] = '^1.0.0';
        await writeJson(file, pkg);
        const { plugins, diagnostics } = await listInstalledPlugins({ root });
        expect(plugins).toHaveLength(3);
        expect(codesByLocation(root, diagnostics)).toEqual({
          ...EXPECTED_DIAGNOSTICS,
          'node_modules/plugwork-fixture-not-installed': 'DEPENDENCY_NOT_INSTALLED',
        });
      } finally {
        await writeFile(file, original);
      }
    },
    JOB_TIMEOUT,
  );

  it(
    'the allow-list keeps everything else out',
    async () => {
      const { plugins, diagnostics } = await listInstalledPlugins({
        root,
        allow: ['@plugwork/plugin-example-markdown-toc'],
      });
      expect(plugins.map((p) => p.pluginName)).toEqual(['markdown-toc']);
      expect(diagnostics).toEqual([]);
    },
    JOB_TIMEOUT,
  );

  it(
    "the example plugin's published types work for a TypeScript consumer",
    async () => {
      await writeFile(path.join(root, 'consumer.ts'), CONSUMER);
      await writeJson(path.join(root, 'tsconfig.json'), {
        compilerOptions: {
          strict: true,
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          noEmit: true,
          skipLibCheck: false,
          types: [],
        },
        files: ['consumer.ts'],
      });
      const tsc = path.join(WORKSPACE, 'node_modules/typescript/bin/tsc');
      await run(process.execPath, [tsc, '-p', 'tsconfig.json'], root);
      // The check has teeth: a wrong call is reported.
      await writeFile(
        path.join(root, 'consumer.ts'),
        CONSUMER.replace(/\/\/ @ts-expect-error.*\n/, ''),
      );
      await expect(run(process.execPath, [tsc, '-p', 'tsconfig.json'], root)).rejects.toThrow(
        /consumer\.ts\(\d+,\d+\): error TS2322: Type '"\+"' is not assignable/,
      );
    },
    JOB_TIMEOUT,
  );

  describe('README examples, run against this project', () => {
    const packageDir = path.join(import.meta.dirname, '..');
    const readme = () => readFile(path.join(packageDir, 'README.md'), 'utf8');
    const block = (language: string, content: string) =>
      `\`\`\`${language}\n${content}${content.endsWith('\n') ? '' : '\n'}\`\`\``;

    /** Run the command the README shows for `example`, with the project folder as argument. */
    async function runShown(example: string): Promise<string> {
      const pattern = new RegExp(`\`\`\`sh\\n(node examples/${example} [^\\n]+)\\n\`\`\``);
      const command = pattern.exec(await readme())?.[1];
      expect(command, `README shows how to run ${example}`).toBeDefined();
      const args = (command ?? '').split(' ').slice(1, 2);
      const { stdout } = await promisify(execFile)(process.execPath, [...args, root], {
        cwd: packageDir,
      });
      return stdout;
    }

    for (const example of ['list-plugins.mjs', 'with-job-manager.mjs']) {
      it(
        `${example} is shown unchanged, with the output it prints`,
        async () => {
          const source = await readFile(path.join(packageDir, 'examples', example), 'utf8');
          expect(await readme()).toContain(block('js', source));
          expect(await readme()).toContain(block('text', await runShown(example)));
        },
        JOB_TIMEOUT,
      );
    }
  });
});

describe('installed with pnpm', () => {
  let root: string;

  beforeAll(async () => {
    root = path.join(work, 'pnpm-project');
    await writeJson(path.join(root, 'package.json'), projectPackageJson('pnpm-project', false));
    // The protocol is not on the registry: pnpm takes every request for it from the tarball.
    // pnpm reads overrides from pnpm-workspace.yaml (it no longer reads package.json's "pnpm").
    await writeFile(
      path.join(root, 'pnpm-workspace.yaml'),
      `overrides:\n  "@plugwork/protocol": ${JSON.stringify(`file:${tarballs['@plugwork/protocol']}`)}\n`,
    );
    await pnpmInstall(root);
  }, INSTALL_TIMEOUT);

  it(
    "lists the plugin packages through pnpm's symlinks into node_modules/.pnpm",
    async () => {
      const { plugins, diagnostics } = await listInstalledPlugins({ root });
      expect(plugins.map((p) => [p.pluginName, p.packageName, p.version])).toEqual([
        ['scoped-echo', '@plugwork-fixtures/scoped', '1.0.0'],
        ['markdown-toc', '@plugwork/plugin-example-markdown-toc', '0.1.0'],
        ['cjs-echo', 'plugwork-fixture-cjs', '1.0.0'],
      ]);
      for (const plugin of plugins) {
        expect(plugin.location).toBe(path.join(root, 'node_modules', plugin.packageName));
        expect((await lstat(plugin.location)).isSymbolicLink()).toBe(true);
        expect(plugin.realLocation.startsWith(path.join(root, 'node_modules/.pnpm/'))).toBe(true);
      }
      expect(codesByLocation(root, diagnostics)).toEqual(EXPECTED_DIAGNOSTICS);
    },
    JOB_TIMEOUT,
  );

  it('runs jobs through the JobManager', () => runJobs(root), JOB_TIMEOUT);

  it(
    'scope "all" finds the devDependency too; .pnpm and .modules.yaml are passed over',
    async () => {
      const { plugins, diagnostics } = await listInstalledPlugins({ root, scope: 'all' });
      expect(plugins.map((p) => p.pluginName)).toEqual([
        'scoped-echo',
        'markdown-toc',
        'cjs-echo',
        'dev-echo',
      ]);
      expect(codesByLocation(root, diagnostics)).toEqual(EXPECTED_DIAGNOSTICS);
    },
    JOB_TIMEOUT,
  );
});
