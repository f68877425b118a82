import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { type AnyPlugin, isPlugin } from '@plugwork/protocol';
import { PluginLoadError } from './errors.ts';
import type { PluginCandidate } from './plugin-candidate.ts';
import { canRunTypeScript, describeRuntime, isTypeScriptFile } from './runtime.ts';

/** How often each entry was imported; later imports get a fresh URL so changed code runs. */
const importCounts = new Map<string, number>();

/** The query parameter that makes a re-import a distinct module. */
export const RELOAD_QUERY = 'plugwork-reload';

export type ImportPluginModule = (
  candidate: Pick<PluginCandidate, 'name' | 'folder' | 'entryPath'>,
) => Promise<AnyPlugin>;

/**
 * Import a candidate's entry and return the plugin it exports by default.
 *
 * The first import of an entry uses its plain file URL. Every later one (a reload, or a load
 * after an unload) appends `?plugwork-reload=N`, so the runtime evaluates the entry file again
 * and edited code runs. Modules the entry imports are cached by their own URLs and are NOT
 * re-evaluated; each re-import also keeps the old module in memory. Restart the worker to start
 * from a clean slate.
 *
 * @throws PluginLoadError TYPESCRIPT_UNSUPPORTED, IMPORT_FAILED or NOT_A_PLUGIN
 */
export const importPluginModule: ImportPluginModule = async (candidate) => {
  const { name, folder, entryPath } = candidate;
  if (isTypeScriptFile(entryPath) && !canRunTypeScript()) {
    throw PluginLoadError.typescriptUnsupported(name, folder, entryPath, describeRuntime());
  }
  const count = importCounts.get(entryPath) ?? 0;
  importCounts.set(entryPath, count + 1);
  const url = pathToFileURL(entryPath);
  if (count > 0) {
    url.searchParams.set(RELOAD_QUERY, String(count));
    forgetCommonJs(entryPath);
  }

  let namespace: { default?: unknown };
  try {
    namespace = await import(url.href);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING') {
      throw PluginLoadError.typescriptInNodeModules(name, folder, entryPath, error);
    }
    throw PluginLoadError.importFailed(name, folder, entryPath, error);
  }

  let exported = namespace.default;
  // A CommonJS module compiled from `export default` arrives as `{ default: plugin }`.
  if (!isPlugin(exported) && isPlugin((exported as { default?: unknown } | null)?.default)) {
    exported = (exported as { default: unknown }).default;
  }
  if (!isPlugin(exported)) {
    throw PluginLoadError.notAPlugin(name, folder, entryPath, describeValue(namespace, exported));
  }
  return exported;
};

function describeValue(namespace: object, value: unknown): string {
  if (!('default' in namespace)) return 'missing (the module has no default export)';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'a plain object without the definePlugin mark';
  return `a ${typeof value}`;
}

/**
 * A CommonJS entry is cached by file name in require.cache, whatever the import URL; drop it so a
 * re-import evaluates the file again. A no-op for ES modules and where there is no such cache.
 */
function forgetCommonJs(entryPath: string): void {
  try {
    const cache = createRequire(entryPath).cache as Record<string, unknown> | undefined;
    if (cache !== undefined) delete cache[entryPath];
  } catch {
    // No CommonJS loader here: nothing to forget.
  }
}
