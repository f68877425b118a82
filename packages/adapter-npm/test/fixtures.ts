// Projects with hand-made node_modules trees, written to temp directories. They reproduce the
// layouts package managers produce (npm's flat folders, pnpm's symlinks into .pnpm, scopes), so
// each case can be set up exactly; install.test.ts checks the same against real npm and pnpm.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** The workspace's @plugwork/protocol: fixture plugins import it by name, as published ones do. */
export const PROTOCOL_FOLDER = path.join(import.meta.dirname, '../../protocol');

export interface TempProject {
  root: string;
  nodeModules: string;
  remove: () => Promise<void>;
}

/**
 * A temp project: package.json with the given fields, and node_modules holding a link to
 * @plugwork/protocol so fixture plugins can `import { definePlugin } from '@plugwork/protocol'`.
 */
export async function makeProject(packageJson: Record<string, unknown> = {}): Promise<TempProject> {
  const base = await mkdtemp(path.join(tmpdir(), 'plugwork-npm-'));
  const root = path.join(base, 'project');
  const nodeModules = path.join(root, 'node_modules');
  await mkdir(path.join(nodeModules, '@plugwork'), { recursive: true });
  await symlink(PROTOCOL_FOLDER, path.join(nodeModules, '@plugwork', 'protocol'), 'dir');
  await writeJson(path.join(root, 'package.json'), {
    name: 'project',
    private: true,
    ...packageJson,
  });
  return { root, nodeModules, remove: () => rm(base, { recursive: true, force: true }) };
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(value, null, 2));
}

/** ESM source of an echo plugin: `{ plugin, params }`. */
export function esmPlugin(name: string, extra = ''): string {
  return (
    "import { definePlugin } from '@plugwork/protocol';\n" +
    `export default definePlugin({ name: '${name}', execute: (params) => ({ plugin: '${name}', params }) ${extra} });\n`
  );
}

/** CommonJS source, `module.exports = definePlugin(…)` (require of the ESM protocol package). */
export function cjsPlugin(name: string): string {
  return (
    "const { definePlugin } = require('@plugwork/protocol');\n" +
    `module.exports = definePlugin({ name: '${name}', execute: (params) => ({ plugin: '${name}', format: 'cjs', params }) });\n`
  );
}

/** CommonJS as tsc compiles `export default definePlugin(…)`: `exports.default = …`. */
export function tscCjsPlugin(name: string): string {
  return (
    '"use strict";\n' +
    'Object.defineProperty(exports, "__esModule", { value: true });\n' +
    'const protocol_1 = require("@plugwork/protocol");\n' +
    `exports.default = (0, protocol_1.definePlugin)({ name: '${name}', execute: (params) => ({ plugin: '${name}', format: 'tsc-cjs', params }) });\n`
  );
}

export interface PackageFixture {
  /** package.json fields; `name` and `version` are filled in. */
  packageJson?: Record<string, unknown>;
  /** Files relative to the package folder. */
  files?: Record<string, string>;
}

/** A plugin package: `type: module`, `plugwork: { name: pluginName }`, index.js echoing. */
export function pluginPackage(pluginName: string, packageJson: Record<string, unknown> = {}) {
  return {
    packageJson: { type: 'module', plugwork: { name: pluginName }, ...packageJson },
    files: { 'index.js': esmPlugin(pluginName) },
  };
}

async function writePackageFolder(folder: string, name: string, fixture: PackageFixture) {
  await writeJson(path.join(folder, 'package.json'), {
    name,
    version: '1.0.0',
    ...fixture.packageJson,
  });
  for (const [file, content] of Object.entries(fixture.files ?? {})) {
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await writeFile(path.join(folder, file), content);
  }
}

/** npm's layout: the package's files right in `<nodeModules>/<name>`. Returns the folder. */
export async function installFlat(
  nodeModules: string,
  name: string,
  fixture: PackageFixture,
): Promise<string> {
  const folder = path.join(nodeModules, name);
  await writePackageFolder(folder, name, fixture);
  return folder;
}

/**
 * pnpm's layout: the files in `node_modules/.pnpm/<name>@<version>/node_modules/<name>`, and
 * `node_modules/<name>` a symlink to that folder. Returns the symlink.
 */
export async function installPnpmStyle(
  nodeModules: string,
  name: string,
  fixture: PackageFixture,
): Promise<string> {
  const store = path.join(nodeModules, '.pnpm', `${name.replace('/', '+')}@1.0.0`, 'node_modules');
  const real = path.join(store, name);
  await writePackageFolder(real, name, fixture);
  // pnpm links each package's own dependencies next to it; here, the protocol.
  await mkdir(path.join(store, '@plugwork'), { recursive: true });
  await symlink(PROTOCOL_FOLDER, path.join(store, '@plugwork', 'protocol'), 'dir');
  const link = path.join(nodeModules, name);
  await mkdir(path.dirname(link), { recursive: true });
  await symlink(path.relative(path.dirname(link), real), link, 'dir');
  return link;
}

/** Codes of diagnostics, keyed by the package folder (relative to node_modules) they concern. */
export function codesByPackage(
  diagnostics: readonly { code: string; location: string }[],
  nodeModules: string,
): Record<string, string> {
  return Object.fromEntries(
    diagnostics.map((d) => [path.relative(nodeModules, d.location) || '.', d.code]),
  );
}
