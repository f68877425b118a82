import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidOptionsError } from '../errors.ts';

/**
 * Turns the adapter option into what the worker imports: a URL. A worker's `import()` resolves
 * bare names from where the worker's code lives, not from the host application, so the host
 * resolves them here, from `cwd`, where the application installed its adapter.
 */
export function resolveAdapterModule(specifier: string | URL, cwd: string): string {
  if (specifier instanceof URL) return specifier.href;
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  // file:, data:, node: and other URLs (a drive letter is not a scheme: isAbsolute took it).
  if (/^[a-z][a-z\d+.-]*:/i.test(specifier)) return specifier;
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.') {
    return pathToFileURL(resolve(cwd, specifier)).href;
  }
  try {
    return pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve(specifier)).href;
  } catch (error) {
    // require.resolve skips packages whose exports offer only an `import` condition.
    const viaImport = resolveImportOnlyPackage(specifier, cwd);
    if (viaImport !== undefined) return pathToFileURL(viaImport).href;
    throw InvalidOptionsError.unresolvableAdapter(specifier, cwd, error);
  }
}

/** `name` or `@scope/name`, plus an optional subpath, resolved through `exports` conditions. */
function resolveImportOnlyPackage(specifier: string, cwd: string): string | undefined {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.length > nameLength ? `./${parts.slice(nameLength).join('/')}` : '.';
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const folder = join(dir, 'node_modules', name);
    const manifestPath = join(folder, 'package.json');
    if (existsSync(manifestPath)) {
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: unknown };
      const target = pickExport(manifest.exports, subpath);
      return target === undefined ? undefined : join(folder, target);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const CONDITIONS = ['import', 'node', 'default'];

function pickExport(exports: unknown, subpath: string): string | undefined {
  if (exports === undefined || exports === null) return undefined;
  if (typeof exports === 'string') return subpath === '.' ? exports : undefined;
  if (typeof exports !== 'object') return undefined;
  const entries = exports as Record<string, unknown>;
  const keys = Object.keys(entries);
  if (keys.some((key) => key.startsWith('.'))) return pickCondition(entries[subpath]);
  return subpath === '.' ? pickCondition(entries) : undefined;
}

function pickCondition(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return undefined;
  for (const condition of CONDITIONS) {
    const picked = pickCondition((target as Record<string, unknown>)[condition]);
    if (picked !== undefined) return picked;
  }
  return undefined;
}
