export { parseAdapterOptions } from './adapter-options.ts';
export { checkEngine, type EngineCheck } from './check-engine.ts';
export {
  type CatalogAdapter,
  type CatalogAdapterOptions,
  createCatalogAdapter,
  type DiscoverContext,
} from './create-catalog-adapter.ts';
export {
  AdapterError,
  AdapterErrorCode,
  AdapterOptionsError,
  InvalidChunkError,
  isAdapterError,
  PluginConfigError,
  PluginDisposeError,
  PluginLoadError,
  PluginNotLoadedError,
  PluginPackageError,
  PluginParamsError,
  StreamingNotSupportedError,
  UnknownPluginError,
} from './errors.ts';
export {
  type ImportPluginModule,
  importPluginModule,
  RELOAD_QUERY,
} from './import-plugin-module.ts';
export {
  type DiscoveryResult,
  describeCandidate,
  type LoadedFacts,
  type PluginCandidate,
} from './plugin-candidate.ts';
export { type PluginFiles, snapshotPluginFiles } from './plugin-files.ts';
export { type LoadedPlugin, PluginHost, type PluginHostOptions } from './plugin-host.ts';
export { readPluginPackage } from './read-plugin-package.ts';
export {
  dedupeCandidates,
  type PackageScan,
  type ReadPluginPackagesOptions,
  readPluginPackages,
} from './read-plugin-packages.ts';
export { canRunTypeScript, describeRuntime, isTypeScriptFile } from './runtime.ts';
