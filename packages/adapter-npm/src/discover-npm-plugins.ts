import * as path from 'node:path';
import {
  AdapterErrorCode,
  type DiscoveryResult,
  type PluginPackageError,
  readPluginPackages,
} from '@plugwork/adapter-kit';
import type { PluginDiagnostic } from '@plugwork/protocol';
import { NpmDiscoveryError } from './errors.ts';
import { listNodeModules, nodeModulesChain } from './node-modules.ts';
import type { ResolvedNpmAdapterOptions } from './options.ts';
import {
  inBatches,
  mayDeclarePlugin,
  type PackageJsonText,
  readPackageJsonText,
} from './package-json-text.ts';
import { type DependencyField, readRootDependencies } from './root-dependencies.ts';

/** A package to look at: a dependency (with the field listing it), or a node_modules entry. */
interface Target {
  name: string;
  field?: DependencyField;
}

interface Located {
  target: Target;
  /** The package folder as found (under node_modules; with pnpm, a symlink). */
  folder: string;
  packageJson: PackageJsonText;
}

/**
 * Find the plugin packages of a project. Reads the root package.json (scope "dependencies") or
 * lists node_modules (scope "all"), then reads each package's package.json as text; only the few
 * that mention `"plugwork"` are parsed and checked, by the adapter kit, exactly as folder plugins
 * are. Imports no plugin code.
 *
 * Ordinary packages (no `plugwork` field) are skipped without a diagnostic. Candidates are in
 * package-name order, so on a plugin-name clash the first package name wins.
 */
export async function discoverNpmPlugins(
  options: ResolvedNpmAdapterOptions,
): Promise<DiscoveryResult> {
  const { root, scope } = options;
  const allowed = options.allow === undefined ? undefined : new Set(options.allow);
  const diagnostics: PluginDiagnostic[] = [];

  let targets: Target[];
  let chain: string[];
  try {
    if (scope === 'dependencies') {
      targets = await readRootDependencies(root);
      chain = nodeModulesChain(root);
    } else {
      chain = [path.join(root, 'node_modules')];
      // With an allow-list there is no need to list node_modules: look the names up directly.
      targets = (options.allow ?? (await listNodeModules(path.join(root, 'node_modules')))).map(
        (name) => ({ name }),
      );
    }
  } catch (error) {
    // The project itself cannot be read: that one problem is the whole answer.
    if (!(error instanceof NpmDiscoveryError)) throw error;
    return { candidates: [], diagnostics: [error.toDiagnostic()] };
  }

  if (allowed !== undefined && scope === 'dependencies') {
    const listed = new Set(targets.map((target) => target.name));
    for (const name of allowed) {
      if (!listed.has(name)) {
        diagnostics.push(
          NpmDiscoveryError.allowedPackageNotFound(name, scope, root).toDiagnostic(),
        );
      }
    }
    targets = targets.filter((target) => allowed.has(target.name));
  }

  const located = await inBatches(targets, (target) => locate(target, chain));
  const folders: string[] = [];
  /** Package name by folder, for the packages the allow-list names. */
  const allowedFolders = new Map<string, string>();
  for (const { target, folder, packageJson } of located) {
    const isAllowed = allowed?.has(target.name) ?? false;
    if (isAllowed) allowedFolders.set(folder, target.name);
    if (packageJson.kind === 'missing') {
      const problem = missingProblem(options, target, isAllowed);
      if (problem !== undefined) diagnostics.push(problem.toDiagnostic());
    } else if (packageJson.kind === 'unreadable' || mayDeclarePlugin(packageJson.text)) {
      folders.push(folder);
    } else if (isAllowed) {
      diagnostics.push(
        NpmDiscoveryError.allowedPackageNotAPlugin(target.name, folder).toDiagnostic(),
      );
    }
  }

  const scan = await readPluginPackages(folders);
  for (const problem of scan.problems) {
    const diagnostic = packageProblem(problem, allowedFolders);
    if (diagnostic !== undefined) diagnostics.push(diagnostic);
  }
  return { candidates: scan.candidates, diagnostics };
}

/** Find a package's folder: the first node_modules in `chain` that has its package.json. */
function locate(target: Target, chain: readonly string[]): Located {
  let first: Located | undefined;
  for (const nodeModules of chain) {
    const folder = path.join(nodeModules, target.name);
    const packageJson = readPackageJsonText(folder);
    if (packageJson.kind !== 'missing') return { target, folder, packageJson };
    first ??= { target, folder, packageJson };
  }
  return first ?? { target, folder: '', packageJson: { kind: 'missing' } };
}

/** What to report for a package that is not installed; nothing for what need not be there. */
function missingProblem(
  options: ResolvedNpmAdapterOptions,
  target: Target,
  isAllowed: boolean,
): NpmDiscoveryError | undefined {
  const nodeModules = path.join(options.root, 'node_modules');
  if (target.field === 'dependencies' || (target.field !== undefined && isAllowed)) {
    return NpmDiscoveryError.dependencyNotInstalled(
      options.root,
      target.name,
      target.field,
      path.join(nodeModules, target.name),
    );
  }
  // An optional dependency may fail to install on purpose (another platform, a failed build);
  // a node_modules entry without package.json is not a package.
  if (isAllowed) return NpmDiscoveryError.allowedPackageNotFound(target.name, 'all', nodeModules);
  return undefined;
}

/**
 * The kit's problem as a diagnostic. A package.json that mentions "plugwork" without having the
 * field (in its keywords, say) is an ordinary package: silent, unless the allow-list names it.
 */
function packageProblem(
  problem: PluginPackageError,
  allowedFolders: ReadonlyMap<string, string>,
): PluginDiagnostic | undefined {
  if (problem.code !== AdapterErrorCode.MISSING_MANIFEST) return problem.toDiagnostic();
  const folder = problem.location ?? '';
  const name = allowedFolders.get(folder);
  if (name === undefined) return undefined;
  return NpmDiscoveryError.allowedPackageNotAPlugin(name, folder).toDiagnostic();
}
