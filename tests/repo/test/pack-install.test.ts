// Every package as someone outside this repository gets it: packed into a tarball, installed with
// npm into a fresh project in a temp directory (third-party dependencies come from the npm
// registry, ours from the tarballs), then the root README's quick start runs there against a
// plugin folder of the project's own, and TypeScript checks it against the packages' types.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'plugwork-packaging-'));
const tarballs = path.join(scratch, 'tarballs');
const app = path.join(scratch, 'my-app');

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The folder names of packages/ that are not private, as npm installs them under @plugwork/. */
function publishedPackages(): string[] {
  const packages = path.join(REPO, 'packages');
  return readdirSync(packages)
    .filter((name) => {
      try {
        const manifest = JSON.parse(
          readFileSync(path.join(packages, name, 'package.json'), 'utf8'),
        );
        return manifest.private !== true;
      } catch {
        return false;
      }
    })
    .sort();
}

/** The root README's quick start: the TypeScript block that builds a JobManager. */
function quickStart(): string {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .find((code) => code.includes('new JobManager(') && code.includes('fsAdapter('));
  if (block === undefined)
    throw new Error('README.md has no quick start (a ts block with new JobManager and fsAdapter)');
  return block;
}

beforeAll(async () => {
  // As the README says: pack every package (they are built: turbo builds them before this test).
  const packed = await run(process.execPath, [
    path.join(REPO, 'scripts/pack-packages.mjs'),
    tarballs,
  ]);
  expect(packed.stdout.trim().split('\n')).toHaveLength(readdirSync(tarballs).length);
  mkdirSync(app, { recursive: true });
  writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'my-app', private: true, type: 'module' }, null, 2),
  );
  const files = readdirSync(tarballs).map((file) => path.join(tarballs, file));
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...files], {
    cwd: app,
  });
});

describe('the packages, packed and installed with npm outside the workspace', () => {
  it('are every package of packages/, installed from their tarballs, with plain version ranges', () => {
    const names = readdirSync(path.join(app, 'node_modules/@plugwork')).sort();
    expect(names).toEqual(publishedPackages());
    for (const name of names) {
      const pkg = readFileSync(
        path.join(app, 'node_modules/@plugwork', name, 'package.json'),
        'utf8',
      );
      expect(pkg, name).not.toContain('workspace:');
      const manifest = JSON.parse(pkg);
      // The Python worker's package holds Python files only: nothing to import from JavaScript.
      for (const file of Object.values(manifest.exports['.'] ?? {}) as string[]) {
        expect(() =>
          readFileSync(path.join(app, 'node_modules/@plugwork', name, file)),
        ).not.toThrow();
      }
    }
  });

  it("runs the root README's quick start against a plugin folder of the project's own", async () => {
    const plugin = path.join(app, 'plugins/text-stats');
    mkdirSync(plugin, { recursive: true });
    writeFileSync(
      path.join(plugin, 'package.json'),
      JSON.stringify({
        name: 'text-stats',
        version: '1.0.0',
        type: 'module',
        plugwork: {
          name: 'text-stats',
          params: { type: 'object', required: ['text'], properties: { text: { type: 'string' } } },
        },
      }),
    );
    writeFileSync(
      path.join(plugin, 'index.js'),
      [
        "import { definePlugin } from '@plugwork/protocol';",
        'export default definePlugin({',
        "  name: 'text-stats',",
        '  execute: ({ text }) => ({ words: text.split(/\\s+/).filter(Boolean).length, pid: process.pid }),',
        '});',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(app, 'quickstart.mjs'), quickStart());
    const { stdout } = await run(process.execPath, ['quickstart.mjs'], { cwd: app });
    // The job ran in a worker process, not in the host.
    expect(stdout).toMatch(/^\{ words: 2, pid: \d+ \}\n$/);
  });

  it('runs an npm plugin package installed in the project (adapter-npm)', async () => {
    writeFileSync(
      path.join(app, 'npm-plugin.mjs'),
      [
        "import { npmAdapter } from '@plugwork/adapter-npm';",
        "import { JobManager } from '@plugwork/worker';",
        "const manager = new JobManager({ adapter: npmAdapter({ root: '.' }) });",
        'await manager.start();',
        "const job = manager.submit('markdown-toc', { markdown: '# One\\n## Two' });",
        'console.log(JSON.stringify(await job.result));',
        'await manager.shutdown();',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['npm-plugin.mjs'], { cwd: app });
    expect(JSON.parse(stdout)).toMatchObject({ toc: '- [One](#one)\n  - [Two](#two)' });
  });

  it('runs a Python plugin folder: the worker finds its Python package among the installed ones', async () => {
    const plugin = path.join(app, 'python-plugins/shout');
    mkdirSync(plugin, { recursive: true });
    writeFileSync(
      path.join(plugin, 'package.json'),
      JSON.stringify({ name: 'shout', plugwork: { runtime: 'python', entry: 'main.py' } }),
    );
    writeFileSync(
      path.join(plugin, 'main.py'),
      'from plugwork_worker import define_plugin\n' +
        'plugin = define_plugin(name="shout", execute=lambda params, ctx: {"text": params["text"].upper()})\n',
    );
    writeFileSync(
      path.join(app, 'python.mjs'),
      [
        "import { fsAdapter } from '@plugwork/adapter-fs';",
        "import { JobManager } from '@plugwork/worker';",
        "const manager = new JobManager({ runtime: 'python', adapter: fsAdapter({ directories: ['python-plugins'] }) });",
        'await manager.start();',
        "console.log(JSON.stringify(await manager.submit('shout', { text: 'packed' }).result));",
        'await manager.shutdown();',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['python.mjs'], { cwd: app });
    expect(JSON.parse(stdout)).toEqual({ text: 'PACKED' });
  });

  it('come with their types: the quick start type-checks, and a misuse does not', async () => {
    writeFileSync(path.join(app, 'quickstart.ts'), quickStart());
    writeFileSync(
      path.join(app, 'misuse.ts'),
      [
        "import { JobManager } from '@plugwork/worker';",
        "import { fsAdapter } from '@plugwork/adapter-fs';",
        "const manager = new JobManager({ adapter: fsAdapter({ directories: ['plugins'] }), poolSize: 'two' });",
        'manager.submit(42);',
        '',
      ].join('\n'),
    );
    writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          // Our declaration files are checked too, not only the code that uses them.
          skipLibCheck: false,
          types: ['node'],
          // The repository's @types/node, rather than downloading it for this project.
          typeRoots: [path.join(REPO, 'node_modules/@types')],
        },
        files: ['quickstart.ts', 'misuse.ts'],
      }),
    );
    const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(result.code).toBe(2);
    const errors = result.stdout.trim().split('\n');
    // Only the misuse fails, exactly where it is wrong: the packages' own types are sound.
    expect(errors).toEqual([
      expect.stringMatching(
        /^misuse\.ts\(3,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
      ),
      expect.stringMatching(
        /^misuse\.ts\(4,16\): error TS2345: Argument of type 'number' is not assignable to parameter of type 'string'/,
      ),
    ]);
  });
});
