// Plugin folders written to temp directories for the tests. Fixtures live outside the workspace,
// so they import @plugwork/protocol by the file URL of its build, not by name.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export const PROTOCOL_URL = pathToFileURL(
  path.join(import.meta.dirname, '../../protocol/dist/index.js'),
).href;

/** A fresh temp directory; call the returned `remove` when done. */
export async function makeTempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'plugwork-kit-'));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Source of an entry module whose default export is `definePlugin(<definition>)`. */
export function pluginSource(definition: string, preamble = ''): string {
  return `import { definePlugin } from '${PROTOCOL_URL}';\n${preamble}\nexport default definePlugin(${definition});\n`;
}

export interface FixtureOptions {
  /** The `plugwork` field; `undefined` leaves it out. Default `{ name: <folder name> }`. */
  manifest?: Record<string, unknown> | undefined;
  /** Extra package.json fields (override the defaults). */
  packageJson?: Record<string, unknown>;
  /** Files to write, relative to the folder. Default: an index.js plugin named after the folder. */
  files?: Record<string, string>;
}

/** Write a plugin folder `<parent>/<name>` and return its path. */
export async function writePlugin(
  parent: string,
  name: string,
  options: FixtureOptions = {},
): Promise<string> {
  const folder = path.join(parent, name);
  await mkdir(folder, { recursive: true });
  const manifest = 'manifest' in options ? options.manifest : { name };
  const packageJson: Record<string, unknown> = {
    name: `fixture-${name}`,
    version: '1.0.0',
    type: 'module',
    ...(manifest === undefined ? {} : { plugwork: manifest }),
    ...options.packageJson,
  };
  await writeFile(path.join(folder, 'package.json'), JSON.stringify(packageJson, null, 2));
  const files = options.files ?? {
    'index.js': pluginSource(`{ name: '${name}', execute: (params) => ({ echo: params }) }`),
  };
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await writeFile(path.join(folder, file), content);
  }
  return folder;
}

/** zod as the kit resolves it, for fixtures with a zod config schema. */
export const ZOD_URL = import.meta.resolve('zod');
