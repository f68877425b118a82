import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAdapterOptions } from '@plugwork/adapter-kit';
import { z } from 'zod';

/**
 * An npm package name, scoped or not. Checked strictly because names become paths under
 * node_modules: nothing like `../x` may get through.
 */
const PACKAGE_NAME = /^(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/i;

export const packageNameSchema = z
  .string()
  .regex(PACKAGE_NAME, 'must be an npm package name such as "my-plugin" or "@scope/my-plugin"');

/** Where the project lives: its package.json and node_modules are read from here. */
const root = z
  .string()
  .min(1, 'must be a non-empty path')
  .optional()
  .transform((value) => {
    if (value === undefined) return process.cwd();
    return path.resolve(value.startsWith('file:') ? fileURLToPath(value) : value);
  });

/**
 * Options of {@link createAdapter}. Strict, so a misspelt option (`scopes`, `allowList`) is an
 * error rather than silently ignored.
 */
export const npmAdapterOptionsSchema = z.strictObject({
  /** The project folder (path or file: URL). Default: the current working directory. */
  root,
  /**
   * Which installed packages are looked at. `dependencies` (default): the packages listed in the
   * root package.json's `dependencies` and `optionalDependencies`. `all`: every package at the
   * top of `<root>/node_modules`.
   */
  scope: z.enum(['dependencies', 'all']).default('dependencies'),
  /** Only these package names (not plugin names) may provide plugins. Default: any. */
  allow: z
    .array(packageNameSchema)
    .optional()
    .transform((names) => (names === undefined ? undefined : [...new Set(names)].sort())),
});

/** What you pass to createAdapter / npmAdapter / listInstalledPlugins. */
export type NpmAdapterOptions = z.input<typeof npmAdapterOptionsSchema>;

/** The options after validation: an absolute root, defaults filled in, `allow` sorted. */
export type ResolvedNpmAdapterOptions = z.output<typeof npmAdapterOptionsSchema>;

/** @throws AdapterOptionsError listing every invalid option */
export function resolveNpmAdapterOptions(options: unknown = {}): ResolvedNpmAdapterOptions {
  return parseAdapterOptions(npmAdapterOptionsSchema, options, '@plugwork/adapter-npm');
}
