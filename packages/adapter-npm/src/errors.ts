/**
 * Diagnostics only adapter-npm produces: problems with the project (its package.json, its
 * node_modules) and with the packages it names. Everything about a plugin package itself (its
 * package.json, manifest, entry, engine range, loading) comes from @plugwork/adapter-kit, so
 * folder plugins and npm plugins report the same problems with the same codes.
 */
import { AdapterError } from '@plugwork/adapter-kit';

export const NpmDiagnosticCode = {
  /** scope "dependencies": the project root has no package.json to read dependencies from. */
  ROOT_PACKAGE_JSON_NOT_FOUND: 'ROOT_PACKAGE_JSON_NOT_FOUND',
  /** scope "dependencies": the root package.json cannot be read or is not valid JSON. */
  ROOT_PACKAGE_JSON_INVALID: 'ROOT_PACKAGE_JSON_INVALID',
  /** scope "all": the project has no node_modules folder (nothing installed yet). */
  NODE_MODULES_NOT_FOUND: 'NODE_MODULES_NOT_FOUND',
  /** scope "all": node_modules exists but cannot be listed. */
  NODE_MODULES_UNREADABLE: 'NODE_MODULES_UNREADABLE',
  /** A package listed in `dependencies` is not installed. */
  DEPENDENCY_NOT_INSTALLED: 'DEPENDENCY_NOT_INSTALLED',
  /** A package named in `allow` is not in scope (not a dependency, or not installed). */
  ALLOWED_PACKAGE_NOT_FOUND: 'ALLOWED_PACKAGE_NOT_FOUND',
  /** A package named in `allow` is installed but has no `plugwork` field. */
  ALLOWED_PACKAGE_NOT_A_PLUGIN: 'ALLOWED_PACKAGE_NOT_A_PLUGIN',
} as const;
export type NpmDiagnosticCode = (typeof NpmDiagnosticCode)[keyof typeof NpmDiagnosticCode];

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Something about the project or a package it names that keeps plugins from being offered. */
export class NpmDiscoveryError extends AdapterError {
  override name = 'NpmDiscoveryError';

  static rootPackageJsonNotFound(root: string): NpmDiscoveryError {
    return new NpmDiscoveryError(
      NpmDiagnosticCode.ROOT_PACKAGE_JSON_NOT_FOUND,
      `${root} has no package.json, so @plugwork/adapter-npm cannot tell which packages are ` +
        'dependencies. Point the "root" option at your project folder (the one with package.json ' +
        'and node_modules), or use scope "all" to look at every installed package.',
      { location: root },
    );
  }

  static rootPackageJsonInvalid(root: string, problem: string, cause?: unknown): NpmDiscoveryError {
    return new NpmDiscoveryError(
      NpmDiagnosticCode.ROOT_PACKAGE_JSON_INVALID,
      `Could not read the dependencies of ${root}/package.json: ${problem}. Fix the file; no npm ` +
        'plugins are offered until it can be read.',
      { location: root, cause },
    );
  }

  static nodeModulesNotFound(nodeModules: string): NpmDiscoveryError {
    return new NpmDiscoveryError(
      NpmDiagnosticCode.NODE_MODULES_NOT_FOUND,
      `${nodeModules} does not exist, so no packages are installed. Run "npm install" (or ` +
        '"pnpm install") in the project, or point the "root" option at the right folder.',
      { location: nodeModules },
    );
  }

  static nodeModulesUnreadable(folder: string, cause: unknown): NpmDiscoveryError {
    return new NpmDiscoveryError(
      NpmDiagnosticCode.NODE_MODULES_UNREADABLE,
      `${folder} cannot be listed: ${describe(cause)}. Give the worker process permission to ` +
        'read it.',
      { location: folder, cause },
    );
  }

  /** @param folder where the package should be: `<root>/node_modules/<name>` */
  static dependencyNotInstalled(
    root: string,
    packageName: string,
    field: string,
    folder: string,
  ): NpmDiscoveryError {
    return new NpmDiscoveryError(
      NpmDiagnosticCode.DEPENDENCY_NOT_INSTALLED,
      `"${packageName}" is listed in "${field}" of ${root}/package.json but is not installed ` +
        `(no package.json in ${folder}, nor in a node_modules above it). Run "npm install" (or ` +
        '"pnpm install") in the project.',
      { location: folder },
    );
  }

  static allowedPackageNotFound(
    packageName: string,
    scope: 'dependencies' | 'all',
    where: string,
  ): NpmDiscoveryError {
    const why =
      scope === 'dependencies'
        ? `it is not listed in "dependencies" or "optionalDependencies" of ${where}/package.json. ` +
          `Add it ("npm install ${packageName}"), or use scope "all" if it is installed another way.`
        : `it is not installed in ${where}. Install it ("npm install ${packageName}").`;
    return new NpmDiscoveryError(
      NpmDiagnosticCode.ALLOWED_PACKAGE_NOT_FOUND,
      `The "allow" option names "${packageName}", but ${why}`,
      { location: where },
    );
  }

  static allowedPackageNotAPlugin(packageName: string, folder: string): NpmDiscoveryError {
    return new NpmDiscoveryError(
      NpmDiagnosticCode.ALLOWED_PACKAGE_NOT_A_PLUGIN,
      `The "allow" option names "${packageName}", but its package.json (${folder}) has no ` +
        '"plugwork" field, so it is not a plugin. Remove it from "allow", or install the plugin ' +
        'package you meant.',
      { location: folder },
    );
  }
}
