import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { NpmDiscoveryError } from './errors.ts';
import { packageNameSchema } from './options.ts';

/** The package.json fields whose packages scope "dependencies" looks at. */
export type DependencyField = 'dependencies' | 'optionalDependencies';

/** A package the project depends on. */
export interface RootDependency {
  name: string;
  field: DependencyField;
}

/**
 * The packages the project at `root` depends on, sorted by name: its `dependencies` and
 * `optionalDependencies`. Not `devDependencies`: those are build and test tools, left out of
 * production installs (`npm ci --omit=dev`, `pnpm install --prod`), so a plugin listed there would
 * work in development and vanish in production. Use scope "all" to include them.
 *
 * @throws NpmDiscoveryError ROOT_PACKAGE_JSON_NOT_FOUND or ROOT_PACKAGE_JSON_INVALID
 */
export async function readRootDependencies(root: string): Promise<RootDependency[]> {
  let text: string;
  try {
    text = await readFile(path.join(root, 'package.json'), 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw NpmDiscoveryError.rootPackageJsonNotFound(root);
    }
    throw NpmDiscoveryError.rootPackageJsonInvalid(root, describe(error), error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw NpmDiscoveryError.rootPackageJsonInvalid(root, `not valid JSON (${describe(error)})`);
  }
  if (!isRecord(json)) {
    throw NpmDiscoveryError.rootPackageJsonInvalid(root, 'it is not a JSON object');
  }

  const fields = new Map<string, DependencyField>();
  // An optional dependency listed in both fields is optional: npm gives optionalDependencies
  // precedence, so it is read last.
  for (const field of ['dependencies', 'optionalDependencies'] as const) {
    const listed = json[field];
    if (listed === undefined) continue;
    if (!isRecord(listed)) {
      throw NpmDiscoveryError.rootPackageJsonInvalid(root, `"${field}" is not an object`);
    }
    for (const name of Object.keys(listed)) {
      // A key that is not a package name was never installed by any package manager, and must
      // not become a path under node_modules.
      if (packageNameSchema.safeParse(name).success) fields.set(name, field);
    }
  }
  return [...fields]
    .map(([name, field]) => ({ name, field }))
    .sort((a, b) => compare(a.name, b.name));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
