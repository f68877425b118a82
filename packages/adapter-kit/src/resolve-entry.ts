// Synchronous on purpose: discovery reads hundreds of tiny files from the page cache, where a
// sync call costs microseconds and a promise-based one a thread-pool round trip (~10x slower in
// the discovery benchmark). readPluginPackages yields to the event loop between batches.
import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { PluginPackageJson } from '@plugwork/protocol';
import { PluginPackageError } from './errors.ts';

/** Export conditions plugwork follows, as `import()` of an ESM-first package would. */
const CONDITIONS = new Set(['import', 'default']);

/** Where the entry specifier came from, for error messages. */
type EntrySource = '"plugwork.entry"' | '"exports"' | '"main"' | 'the default "index.js"';

interface EntrySpecifier {
  specifier: string;
  from: EntrySource;
  /** Alternatives Node's legacy `main` lookup would also try. */
  fallbacks: string[];
}

/**
 * The entry a package declares, in order of precedence: the manifest's `entry`, the `"."` target
 * of `exports` (import / default conditions), `main`, `index.js`. `null` when `exports` exists
 * but exposes no importable `"."`.
 */
function pickEntrySpecifier(packageJson: PluginPackageJson): EntrySpecifier | null {
  const manifest = packageJson.plugwork;
  if (manifest.entry !== undefined) {
    return { specifier: manifest.entry, from: '"plugwork.entry"', fallbacks: [] };
  }
  if (packageJson.exports !== undefined && packageJson.exports !== null) {
    const target = resolveExportsRoot(packageJson.exports);
    return target === undefined ? null : { specifier: target, from: '"exports"', fallbacks: [] };
  }
  if (packageJson.main !== undefined && packageJson.main !== '') {
    const main = packageJson.main;
    return {
      specifier: main,
      from: '"main"',
      fallbacks: [`${main}.js`, `${main}.mjs`, `${main}.cjs`, path.join(main, 'index.js')],
    };
  }
  return { specifier: './index.js', from: 'the default "index.js"', fallbacks: [] };
}

/** The `"."` target of an `exports` value (string, array, conditions or subpath map). */
function resolveExportsRoot(exportsField: unknown): string | undefined {
  if (isRecord(exportsField) && Object.keys(exportsField).some((key) => key.startsWith('.'))) {
    return resolveExportsTarget(exportsField['.']);
  }
  return resolveExportsTarget(exportsField);
}

function resolveExportsTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const resolved = resolveExportsTarget(item);
      if (resolved !== undefined) return resolved;
    }
    return undefined;
  }
  if (isRecord(target)) {
    // Conditions are matched in the object's key order, as Node does.
    for (const [condition, value] of Object.entries(target)) {
      if (!CONDITIONS.has(condition)) continue;
      const resolved = resolveExportsTarget(value);
      if (resolved !== undefined) return resolved;
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return (
    relative !== '' &&
    relative !== '..' &&
    !relative.startsWith(`..${path.sep}`) &&
    !path.isAbsolute(relative)
  );
}

async function isFile(file: string): Promise<boolean> {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Resolve a package's entry module to an absolute, symlink-free path inside the package folder.
 *
 * @param folder the package folder as found (shown in messages)
 * @param realFolder the same folder with symlinks resolved
 * @param pluginName for messages
 * @throws PluginPackageError ENTRY_OUTSIDE_FOLDER for absolute paths, `../` escapes and symlinks
 *   leading out of the folder; ENTRY_NOT_FOUND when nothing exists at the path
 */
export async function resolveEntry(
  folder: string,
  realFolder: string,
  packageJson: PluginPackageJson,
  pluginName: string,
): Promise<string> {
  const picked = pickEntrySpecifier(packageJson);
  if (picked === null) {
    throw PluginPackageError.entryNotFound(
      folder,
      pluginName,
      '.',
      '"exports" (no "." target with an "import" or "default" condition)',
      undefined,
    );
  }
  const { specifier, from } = picked;
  if (path.isAbsolute(specifier) || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) {
    throw PluginPackageError.entryOutsideFolder(
      folder,
      pluginName,
      specifier,
      from,
      'is an absolute path or URL',
    );
  }
  let expected: string | undefined;
  for (const candidate of [specifier, ...picked.fallbacks]) {
    const lexical = path.resolve(realFolder, candidate);
    if (!isInside(realFolder, lexical)) {
      throw PluginPackageError.entryOutsideFolder(
        folder,
        pluginName,
        specifier,
        from,
        'points outside the plugin folder',
      );
    }
    expected ??= lexical;
    if (!(await isFile(lexical))) continue;
    const real = realpathSync.native(lexical); // one realpath(3), as for the folder
    // The lexical check passed, so only a symlink can have led outside.
    if (!isInside(realFolder, real)) {
      throw PluginPackageError.entryOutsideFolder(
        folder,
        pluginName,
        specifier,
        from,
        `is a symlink to ${real}, outside the plugin folder`,
      );
    }
    return real;
  }
  throw PluginPackageError.entryNotFound(folder, pluginName, specifier, from, expected);
}
