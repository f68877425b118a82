export { createAdapter } from './create-adapter.ts';
export { FsDiagnosticCode, PluginDirectoryError } from './errors.ts';
export { type FsAdapterSpec, fsAdapter } from './fs-adapter-spec.ts';
export {
  type FsAdapterOptions,
  fsAdapterOptionsSchema,
  type ResolvedFsAdapterOptions,
  resolveFsAdapterOptions,
} from './options.ts';
export { type DirectoryScan, scanPluginDirectories } from './scan-directories.ts';
