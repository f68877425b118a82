// Plugin folders written to temp directories for the tests. Fixtures live outside the workspace,
// so they import @plugwork/protocol (and zod) by file URL rather than by name.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CatalogAdapter } from '@plugwork/adapter-kit';

export const PROTOCOL_URL = pathToFileURL(
  path.join(import.meta.dirname, '../../protocol/dist/index.js'),
).href;

export const ZOD_URL = import.meta.resolve('zod');

/** A fresh temp directory; call the returned `remove` when done. */
export async function makeTempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'plugwork-fs-'));
  return { path: dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Source of an entry module whose default export is `definePlugin(<definition>)`. */
export function pluginSource(definition: string, preamble = ''): string {
  return `import { definePlugin } from '${PROTOCOL_URL}';\n${preamble}\nexport default definePlugin(${definition});\n`;
}

/** An echo plugin: returns `{ plugin, params }`. */
export function echoSource(name: string, extra = ''): string {
  return pluginSource(
    `{ name: '${name}', execute: (params) => ({ plugin: '${name}', params }) ${extra} }`,
  );
}

export interface FixtureOptions {
  /** The `plugwork` field; `undefined` leaves it out. Default `{ name: <folder name> }`. */
  manifest?: Record<string, unknown> | undefined;
  /** Extra package.json fields. */
  packageJson?: Record<string, unknown>;
  /** Files relative to the folder. Default: index.js with an echo plugin named after the folder. */
  files?: Record<string, string>;
}

export function packageJsonOf(name: string, options: FixtureOptions = {}): string {
  const manifest = 'manifest' in options ? options.manifest : { name };
  return JSON.stringify(
    {
      name: `fixture-${name}`,
      version: '1.0.0',
      type: 'module',
      ...(manifest === undefined ? {} : { plugwork: manifest }),
      ...options.packageJson,
    },
    null,
    2,
  );
}

/** Write a plugin folder `<parent>/<name>` and return its path. */
export async function writePlugin(
  parent: string,
  name: string,
  options: FixtureOptions = {},
): Promise<string> {
  const folder = path.join(parent, name);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'package.json'), packageJsonOf(name, options));
  for (const [file, content] of Object.entries(options.files ?? { 'index.js': echoSource(name) })) {
    await mkdir(path.dirname(path.join(folder, file)), { recursive: true });
    await writeFile(path.join(folder, file), content);
  }
  return folder;
}

/**
 * Resolve once a watch notification leaves the adapter in a state `check` accepts. Reads the
 * catalogue with getPlugins / getDiagnostics, which never rescan: only the watcher can have
 * brought the change in.
 */
export function nextChange(
  adapter: CatalogAdapter,
  check: (names: string[], codes: string[]) => boolean,
  timeoutMs = 8000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop?.();
      const names = adapter.getPlugins().map((plugin) => plugin.name);
      reject(new Error(`no matching watch notification in ${timeoutMs} ms; plugins: ${names}`));
    }, timeoutMs);
    const stop = adapter.watch?.(() => {
      void adapter.getDiagnostics().then((diagnostics) => {
        const names = adapter.getPlugins().map((plugin) => plugin.name);
        if (!check(names.sort(), diagnostics.map((d) => d.code).sort())) return;
        clearTimeout(timer);
        stop?.();
        resolve();
      });
    });
    if (stop === undefined) reject(new Error('the adapter does not watch'));
  });
}
