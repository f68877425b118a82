import type {
  PluginDescriptor,
  PluginDiagnostic,
  PluginManifest,
  PluginPackageJson,
  StandardSchemaV1,
} from '@plugwork/protocol';

/**
 * A plugin that discovery found and that looks loadable: its package.json is valid, its entry
 * exists inside its folder, its engine range fits. Nothing of its code has run yet.
 */
export interface PluginCandidate {
  /** The plugin's name: `plugwork.name`, else the package name. */
  name: string;
  /** The folder as discovery found it (absolute; may be a symlink). Shown to people. */
  folder: string;
  /** The folder with symlinks resolved; the entry is guaranteed to lie inside it. */
  realFolder: string;
  /** Absolute, symlink-free path of the entry module. */
  entryPath: string;
  /** The package.json, validated. */
  packageJson: PluginPackageJson;
  /** Its `plugwork` field. */
  manifest: PluginManifest;
  /**
   * The manifest's `params` JSON Schema as a validator (read once, with the manifest). Used for
   * plugins whose definePlugin has no `paramsSchema` of its own.
   */
  manifestParams?: StandardSchemaV1<unknown, Record<string, unknown>> | undefined;
}

/** What an adapter's discovery step hands the catalog. */
export interface DiscoveryResult {
  /** Loadable candidates, highest priority first: on a name clash the first one wins. */
  candidates: PluginCandidate[];
  /** Everything that could not be offered, and why. */
  diagnostics: PluginDiagnostic[];
}

/** Facts only known once the plugin's module is imported. */
export interface LoadedFacts {
  streaming: boolean;
  configSchema: Record<string, unknown> | undefined;
  paramsSchema?: Record<string, unknown> | undefined;
  concurrency?: number | undefined;
}

/**
 * The JSON-safe descriptor of a candidate. Before loading, `streaming`, `config_schema` and
 * `params_schema` come from the manifest; once loaded, `streaming` is whether the module has a
 * `stream` hook, and the schemas fall back to the JSON Schemas of the plugin's `configSchema` /
 * `paramsSchema`.
 */
export function describeCandidate(
  candidate: PluginCandidate,
  source: string,
  loaded?: LoadedFacts,
): PluginDescriptor {
  const { manifest, packageJson } = candidate;
  const descriptor: PluginDescriptor = {
    name: candidate.name,
    streaming: loaded?.streaming ?? manifest.streaming ?? false,
    source,
    location: candidate.folder,
  };
  const description = manifest.description ?? packageJson.description;
  const configSchema = manifest.config ?? loaded?.configSchema;
  const paramsSchema = manifest.params ?? loaded?.paramsSchema;
  if (packageJson.version !== undefined) descriptor.version = packageJson.version;
  if (description !== undefined) descriptor.description = description;
  if (manifest.category !== undefined) descriptor.category = manifest.category;
  const concurrency = manifest.concurrency ?? loaded?.concurrency;
  if (concurrency !== undefined && concurrency > 1) descriptor.concurrency = concurrency;
  if (configSchema !== undefined)
    descriptor.config_schema = configSchema as PluginDescriptor['config_schema'];
  if (paramsSchema !== undefined)
    descriptor.params_schema = paramsSchema as PluginDescriptor['params_schema'];
  return descriptor;
}
