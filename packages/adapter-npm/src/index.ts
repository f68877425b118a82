export { createAdapter } from './create-adapter.ts';
export { discoverNpmPlugins } from './discover-npm-plugins.ts';
export { NpmDiagnosticCode, NpmDiscoveryError } from './errors.ts';
export {
  type InstalledPlugin,
  type InstalledPlugins,
  listInstalledPlugins,
} from './list-installed-plugins.ts';
export { type NpmAdapterSpec, npmAdapter } from './npm-adapter-spec.ts';
export {
  type NpmAdapterOptions,
  npmAdapterOptionsSchema,
  type ResolvedNpmAdapterOptions,
  resolveNpmAdapterOptions,
} from './options.ts';
