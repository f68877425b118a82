import { dedupeCandidates, type PluginCandidate } from '@plugwork/adapter-kit';
import type { PluginDiagnostic } from '@plugwork/protocol';
import { discoverNpmPlugins } from './discover-npm-plugins.ts';
import { type NpmAdapterOptions, resolveNpmAdapterOptions } from './options.ts';

/** One installed plugin package, as a person choosing or auditing plugins wants to see it. */
export interface InstalledPlugin {
  /** The name jobs are submitted under (`plugwork.name`, else the package name). */
  pluginName: string;
  /** The npm package providing it. */
  packageName: string;
  /** The installed version (package.json `version`), when it has one. */
  version: string | undefined;
  description: string | undefined;
  category: string | undefined;
  /** Whether the manifest says it streams (confirmed only once loaded). */
  streaming: boolean;
  /** The `plugwork.engine` range it declares. */
  engine: string | undefined;
  /** The package folder as found under node_modules (with pnpm, a symlink). */
  location: string;
  /** The same folder with symlinks resolved (with pnpm, inside node_modules/.pnpm). */
  realLocation: string;
  /** The absolute path of the module a worker imports. */
  entryPath: string;
}

/** Installed plugins and everything that kept a package from being offered. */
export interface InstalledPlugins {
  plugins: InstalledPlugin[];
  diagnostics: PluginDiagnostic[];
}

/**
 * List the plugins installed in a project without loading any of them: the same discovery the
 * adapter runs, with versions and locations, for UIs, CLIs and health checks.
 *
 * @throws AdapterOptionsError when the options are invalid
 */
export async function listInstalledPlugins(
  options: NpmAdapterOptions = {},
): Promise<InstalledPlugins> {
  const found = await discoverNpmPlugins(resolveNpmAdapterOptions(options));
  const { candidates, problems } = dedupeCandidates(found.candidates);
  return {
    plugins: candidates.map(toInstalledPlugin),
    diagnostics: [...found.diagnostics, ...problems.map((problem) => problem.toDiagnostic())],
  };
}

function toInstalledPlugin(candidate: PluginCandidate): InstalledPlugin {
  const { manifest, packageJson } = candidate;
  return {
    pluginName: candidate.name,
    packageName: packageJson.name,
    version: packageJson.version,
    description: manifest.description ?? packageJson.description,
    category: manifest.category,
    streaming: manifest.streaming ?? false,
    engine: manifest.engine,
    location: candidate.folder,
    realLocation: candidate.realFolder,
    entryPath: candidate.entryPath,
  };
}
