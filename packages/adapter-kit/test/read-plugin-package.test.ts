import { mkdir, symlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  AdapterErrorCode,
  dedupeCandidates,
  PluginPackageError,
  readPluginPackage,
  readPluginPackages,
} from '@plugwork/adapter-kit';
import { PLUGWORK_VERSION } from '@plugwork/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, writePlugin } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await tmp.remove();
});

async function problemOf(folder: string): Promise<PluginPackageError> {
  const error = await readPluginPackage(folder).then(
    () => expect.unreachable('expected readPluginPackage to reject'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PluginPackageError);
  return error as PluginPackageError;
}

describe('readPluginPackage: a valid folder', () => {
  it('returns the candidate with manifest, package.json and a real entry path', async () => {
    const folder = await writePlugin(tmp.path, 'hello', {
      manifest: { name: 'hello', description: 'Says hello', streaming: true },
    });
    const candidate = await readPluginPackage(folder);
    expect(candidate).toMatchObject({
      name: 'hello',
      folder,
      entryPath: path.join(candidate.realFolder, 'index.js'),
      manifest: { name: 'hello', description: 'Says hello', streaming: true },
      packageJson: { name: 'fixture-hello', version: '1.0.0' },
    });
  });

  it('names the plugin after the package when the manifest has no name', async () => {
    const folder = await writePlugin(tmp.path, 'unnamed', { manifest: {} });
    expect((await readPluginPackage(folder)).name).toBe('fixture-unnamed');
  });

  it('accepts a byte order mark before the JSON', async () => {
    const folder = await writePlugin(tmp.path, 'bom');
    await writeFile(
      path.join(folder, 'package.json'),
      `\uFEFF${JSON.stringify({ name: 'bom', plugwork: {} })}`,
    );
    expect((await readPluginPackage(folder)).name).toBe('bom');
  });
});

describe('readPluginPackage: entry resolution order', () => {
  const files = {
    'manifest-entry.js': '',
    'exported.js': '',
    'imported.js': '',
    'main.js': '',
    'index.js': '',
  };

  it('prefers plugwork.entry over exports, main and index.js', async () => {
    const folder = await writePlugin(tmp.path, 'p', {
      manifest: { entry: './manifest-entry.js' },
      packageJson: { exports: './exported.js', main: './main.js' },
      files,
    });
    expect(path.basename((await readPluginPackage(folder)).entryPath)).toBe('manifest-entry.js');
  });

  it('uses the "." target of exports, following import / default conditions in key order', async () => {
    const cases: [unknown, string][] = [
      ['./exported.js', 'exported.js'],
      [{ '.': './exported.js', './extra': './main.js' }, 'exported.js'],
      [{ types: './x.d.ts', require: './main.js', default: './exported.js' }, 'exported.js'],
      [{ '.': { import: './imported.js', default: './exported.js' } }, 'imported.js'],
      [{ '.': { default: './exported.js', import: './imported.js' } }, 'exported.js'],
      [{ '.': { node: { import: './imported.js' }, default: './exported.js' } }, 'exported.js'],
      [{ '.': { import: { default: './imported.js' } } }, 'imported.js'],
      [{ '.': [{ require: './main.js' }, './exported.js'] }, 'exported.js'],
    ];
    for (const [index, [exportsField, expected]] of cases.entries()) {
      const folder = await writePlugin(tmp.path, `exports-${index}`, {
        manifest: {},
        packageJson: { exports: exportsField, main: './main.js' },
        files,
      });
      expect(
        path.basename((await readPluginPackage(folder)).entryPath),
        JSON.stringify(exportsField),
      ).toBe(expected);
    }
  });

  it('falls back to main, then index.js', async () => {
    const withMain = await writePlugin(tmp.path, 'main', {
      packageJson: { main: 'main.js' },
      files,
    });
    expect(path.basename((await readPluginPackage(withMain)).entryPath)).toBe('main.js');
    const bare = await writePlugin(tmp.path, 'bare', { files });
    expect(path.basename((await readPluginPackage(bare)).entryPath)).toBe('index.js');
  });

  it('resolves an extensionless main the way Node does', async () => {
    const folder = await writePlugin(tmp.path, 'legacy', {
      packageJson: { main: './lib' },
      files: { 'lib/index.js': '' },
    });
    expect((await readPluginPackage(folder)).entryPath).toBe(
      path.join(tmp.path, 'legacy', 'lib', 'index.js'),
    );
  });

  it('accepts a symlinked entry that stays inside the folder', async () => {
    const folder = await writePlugin(tmp.path, 'linked', {
      manifest: { entry: './link.js' },
      files: { 'dist/real.js': '' },
    });
    await symlink(path.join(folder, 'dist/real.js'), path.join(folder, 'link.js'));
    expect((await readPluginPackage(folder)).entryPath).toBe(path.join(folder, 'dist/real.js'));
  });
});

describe('readPluginPackage: every bad folder is a PluginPackageError with a code', () => {
  it('MISSING_PACKAGE_JSON', async () => {
    const folder = path.join(tmp.path, 'empty');
    await mkdir(folder);
    const problem = await problemOf(folder);
    expect(problem.code).toBe(AdapterErrorCode.MISSING_PACKAGE_JSON);
    expect(problem.toDiagnostic()).toEqual({
      location: folder,
      code: 'MISSING_PACKAGE_JSON',
      message: expect.stringContaining(folder),
    });
  });

  it('UNREADABLE_PACKAGE_JSON when package.json is a directory', async () => {
    const folder = path.join(tmp.path, 'weird');
    await mkdir(path.join(folder, 'package.json'), { recursive: true });
    expect((await problemOf(folder)).code).toBe(AdapterErrorCode.UNREADABLE_PACKAGE_JSON);
  });

  it('INVALID_JSON, quoting the parser', async () => {
    const folder = await writePlugin(tmp.path, 'broken');
    await writeFile(path.join(folder, 'package.json'), '{ "name": "broken", "plugwork": {');
    const problem = await problemOf(folder);
    expect(problem.code).toBe(AdapterErrorCode.INVALID_JSON);
    expect(problem.message).toMatch(/not valid JSON \(.+\)/);
  });

  it('INVALID_PACKAGE_JSON for JSON that is not a package', async () => {
    const folder = await writePlugin(tmp.path, 'array');
    await writeFile(path.join(folder, 'package.json'), '[1, 2]');
    expect((await problemOf(folder)).code).toBe(AdapterErrorCode.INVALID_PACKAGE_JSON);
    const nameless = await writePlugin(tmp.path, 'nameless', {
      packageJson: { name: undefined },
    });
    const problem = await problemOf(nameless);
    expect(problem.code).toBe(AdapterErrorCode.INVALID_PACKAGE_JSON);
    expect(problem.message).toContain('name:');
    expect(problem.pluginName).toBe('nameless');
  });

  it('MISSING_MANIFEST naming the package', async () => {
    const folder = await writePlugin(tmp.path, 'plain', { manifest: undefined });
    const problem = await problemOf(folder);
    expect(problem.code).toBe(AdapterErrorCode.MISSING_MANIFEST);
    expect(problem.message).toContain('"fixture-plain"');
  });

  it('INVALID_MANIFEST listing every failing field', async () => {
    const folder = await writePlugin(tmp.path, 'bad-manifest', {
      manifest: { name: 'bad', streaming: 'yes', entry: 42, config: 'nope' },
    });
    const problem = await problemOf(folder);
    expect(problem.code).toBe(AdapterErrorCode.INVALID_MANIFEST);
    expect(problem.pluginName).toBe('bad');
    for (const field of ['plugwork.streaming', 'plugwork.entry', 'plugwork.config']) {
      expect(problem.message).toContain(`${field}:`);
    }
    const notAnObject = await writePlugin(tmp.path, 'manifest-true', { manifest: true as never });
    expect((await problemOf(notAnObject)).code).toBe(AdapterErrorCode.INVALID_MANIFEST);
  });

  it('INVALID_MANIFEST for an engine that is not a semver range', async () => {
    const folder = await writePlugin(tmp.path, 'bad-engine', {
      manifest: { name: 'bad-engine', engine: 'banana' },
    });
    const problem = await problemOf(folder);
    expect(problem.code).toBe(AdapterErrorCode.INVALID_MANIFEST);
    expect(problem.message).toContain('engine: "banana" is not a valid semver range');
  });

  it('UNSUPPORTED_ENGINE when the range excludes this plugwork', async () => {
    const folder = await writePlugin(tmp.path, 'future', {
      manifest: { name: 'future', engine: '>=99.0.0' },
    });
    const problem = await problemOf(folder);
    expect(problem.code).toBe(AdapterErrorCode.UNSUPPORTED_ENGINE);
    expect(problem.message).toContain(
      `requires plugwork >=99.0.0, but this is plugwork ${PLUGWORK_VERSION}`,
    );
    const fits = await writePlugin(tmp.path, 'current', {
      manifest: { name: 'current', engine: `^${PLUGWORK_VERSION}` },
    });
    await expect(readPluginPackage(fits)).resolves.toMatchObject({ name: 'current' });
  });

  it('OTHER_RUNTIME for a Python plugin, before its .py entry is even resolved', async () => {
    const folder = await writePlugin(tmp.path, 'py', {
      manifest: { name: 'py', runtime: 'python', entry: 'main.py' },
      files: { 'main.py': 'raise SystemExit("a JavaScript worker must never run this")\n' },
    });
    const problem = await problemOf(folder);
    expect(problem.code).toBe(AdapterErrorCode.OTHER_RUNTIME);
    expect(problem.pluginName).toBe('py');
    expect(problem.message).toContain(
      `Plugin "py" (${folder}) is a Python plugin ("plugwork.runtime": "python"), and this worker runs JavaScript`,
    );
    expect(problem.message).toContain("runtime: 'python'");
    const js = await writePlugin(tmp.path, 'js', {
      manifest: { name: 'js', runtime: 'javascript' },
    });
    await expect(readPluginPackage(js)).resolves.toMatchObject({ name: 'js' });
    const typo = await writePlugin(tmp.path, 'typo', {
      manifest: { name: 'typo', runtime: 'pyhton' },
    });
    expect((await problemOf(typo)).code).toBe(AdapterErrorCode.INVALID_MANIFEST);
  });

  it('ENTRY_NOT_FOUND with the path it expected', async () => {
    const folder = await writePlugin(tmp.path, 'unbuilt', {
      manifest: { name: 'unbuilt', entry: './dist/index.js' },
      files: {},
    });
    const problem = await problemOf(folder);
    expect(problem.code).toBe(AdapterErrorCode.ENTRY_NOT_FOUND);
    expect(problem.message).toContain('"./dist/index.js" (from "plugwork.entry") does not exist');
    expect(problem.entryPath).toBe(path.join(folder, 'dist/index.js'));
  });

  it('ENTRY_NOT_FOUND when the entry is a directory or exports has no importable "."', async () => {
    const dirEntry = await writePlugin(tmp.path, 'dir-entry', {
      manifest: { entry: './lib' },
      files: { 'lib/x.js': '' },
    });
    expect((await problemOf(dirEntry)).code).toBe(AdapterErrorCode.ENTRY_NOT_FOUND);
    const requireOnly = await writePlugin(tmp.path, 'require-only', {
      packageJson: { exports: { require: './index.cjs' } },
      files: { 'index.cjs': '' },
    });
    const problem = await problemOf(requireOnly);
    expect(problem.code).toBe(AdapterErrorCode.ENTRY_NOT_FOUND);
    expect(problem.message).toContain('no "." target');
  });

  it('ENTRY_OUTSIDE_FOLDER for ../, absolute paths, URLs and escaping symlinks', async () => {
    await writeFile(path.join(tmp.path, 'outside.js'), 'export default 1;');
    const climbs = await writePlugin(tmp.path, 'climbs', {
      manifest: { name: 'climbs', entry: '../outside.js' },
    });
    const absolute = await writePlugin(tmp.path, 'absolute', {
      manifest: { name: 'absolute', entry: path.join(tmp.path, 'outside.js') },
    });
    const url = await writePlugin(tmp.path, 'url', {
      manifest: { name: 'url', entry: 'file:///etc/passwd' },
    });
    const viaExports = await writePlugin(tmp.path, 'via-exports', {
      manifest: { name: 'via-exports' },
      packageJson: { exports: { '.': { import: './../outside.js' } } },
    });
    const linked = await writePlugin(tmp.path, 'linked', {
      manifest: { name: 'linked', entry: './index.js' },
      files: {},
    });
    await symlink(path.join(tmp.path, 'outside.js'), path.join(linked, 'index.js'));
    const linkedDir = await writePlugin(tmp.path, 'linked-dir', {
      manifest: { name: 'linked-dir', entry: './lib/outside.js' },
      files: {},
    });
    await symlink(tmp.path, path.join(linkedDir, 'lib'));

    for (const folder of [climbs, absolute, url, viaExports, linked, linkedDir]) {
      const problem = await problemOf(folder);
      expect(problem.code, folder).toBe(AdapterErrorCode.ENTRY_OUTSIDE_FOLDER);
      expect(problem.pluginName).toBe(path.basename(folder));
    }
    expect((await problemOf(linked)).message).toContain('is a symlink to');
  });
});

describe('readPluginPackages and dedupeCandidates', () => {
  it('reads many folders in order; bad ones become diagnostics, unless ignored', async () => {
    const a = await writePlugin(tmp.path, 'a');
    const b = await writePlugin(tmp.path, 'b', { manifest: undefined });
    const c = await writePlugin(tmp.path, 'c', { manifest: { name: 'c', entry: './nope.js' } });
    const d = await writePlugin(tmp.path, 'd');
    const scan = await readPluginPackages([d, a, b, c], { concurrency: 2 });
    expect(scan.candidates.map((candidate) => candidate.name)).toEqual(['d', 'a']);
    expect(scan.diagnostics.map((diagnostic) => [diagnostic.location, diagnostic.code])).toEqual([
      [b, 'MISSING_MANIFEST'],
      [c, 'ENTRY_NOT_FOUND'],
    ]);
    expect(scan.diagnostics[1]?.plugin_name).toBe('c');
    expect(scan.problems.map((problem) => problem.entryPath)).toEqual([
      undefined,
      path.join(c, 'nope.js'),
    ]);

    const npmStyle = await readPluginPackages([a, b], {
      ignore: (problem) => problem.code === AdapterErrorCode.MISSING_MANIFEST,
    });
    expect(npmStyle.diagnostics).toEqual([]);
  });

  it('keeps the first candidate of a name and reports the others, naming the winner', async () => {
    const first = await writePlugin(tmp.path, 'first', { manifest: { name: 'same' } });
    const second = await writePlugin(tmp.path, 'second', { manifest: { name: 'same' } });
    const { candidates } = await readPluginPackages([first, second]);
    const deduped = dedupeCandidates(candidates);
    expect(deduped.candidates.map((candidate) => candidate.folder)).toEqual([first]);
    expect(deduped.problems).toHaveLength(1);
    expect(deduped.problems[0]?.toDiagnostic()).toEqual({
      location: second,
      plugin_name: 'same',
      code: 'DUPLICATE_NAME',
      message: expect.stringContaining(`${first} already provides`),
    });
  });
});
