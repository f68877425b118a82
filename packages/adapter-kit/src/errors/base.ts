/** The kit's error codes, the base class of its errors, and what their messages share. */
import type { PluginDiagnostic, ValidationIssue } from '@plugwork/protocol';

/**
 * Machine-readable reasons. Discovery codes end up in diagnostics (a folder or package that
 * could not be offered); load codes in diagnostics and in the error `loadPlugin` throws; the rest
 * only in errors thrown while a plugin is used.
 */
export const AdapterErrorCode = {
  // Discovery: reading a candidate's package.json and resolving its entry.
  /** The folder has no package.json. */
  MISSING_PACKAGE_JSON: 'MISSING_PACKAGE_JSON',
  /** package.json exists but cannot be read (permissions, it is a directory, …). */
  UNREADABLE_PACKAGE_JSON: 'UNREADABLE_PACKAGE_JSON',
  /** package.json is not valid JSON (often: still being written). */
  INVALID_JSON: 'INVALID_JSON',
  /** package.json is JSON but not a usable package (not an object, no `name`, …). */
  INVALID_PACKAGE_JSON: 'INVALID_PACKAGE_JSON',
  /** package.json has no `plugwork` field, so it does not declare a plugin. */
  MISSING_MANIFEST: 'MISSING_MANIFEST',
  /** The `plugwork` field is there but some of its fields are invalid. */
  INVALID_MANIFEST: 'INVALID_MANIFEST',
  /** The entry module the manifest / exports / main points at does not exist. */
  ENTRY_NOT_FOUND: 'ENTRY_NOT_FOUND',
  /** The entry is absolute, climbs out with `../`, or is a symlink leading out of the folder. */
  ENTRY_OUTSIDE_FOLDER: 'ENTRY_OUTSIDE_FOLDER',
  /** The manifest's `engine` range does not include this plugwork version. */
  UNSUPPORTED_ENGINE: 'UNSUPPORTED_ENGINE',
  /** Another candidate with higher priority already has this plugin name. */
  DUPLICATE_NAME: 'DUPLICATE_NAME',
  /** The manifest's `runtime` is another language (a Python plugin): left to workers of that runtime. */
  OTHER_RUNTIME: 'OTHER_RUNTIME',

  // Loading: importing the entry, validating config, running setup.
  /** The entry module threw or failed to resolve its imports while being imported. */
  IMPORT_FAILED: 'IMPORT_FAILED',
  /** The entry is TypeScript and this runtime cannot strip types. */
  TYPESCRIPT_UNSUPPORTED: 'TYPESCRIPT_UNSUPPORTED',
  /** The entry's default export was not made by definePlugin. */
  NOT_A_PLUGIN: 'NOT_A_PLUGIN',
  /** definePlugin's `name` differs from the manifest's `plugwork.name`. */
  NAME_MISMATCH: 'NAME_MISMATCH',
  /** The config failed the plugin's `configSchema`. */
  INVALID_CONFIG: 'INVALID_CONFIG',
  /** The plugin's `setup` threw. */
  SETUP_FAILED: 'SETUP_FAILED',

  // Use: executing, streaming, unloading.
  /** No candidate has this name. */
  UNKNOWN_PLUGIN: 'UNKNOWN_PLUGIN',
  /** The plugin exists but is not loaded. */
  PLUGIN_NOT_LOADED: 'PLUGIN_NOT_LOADED',
  /** A job's params failed the plugin's `paramsSchema`. */
  INVALID_PARAMS: 'INVALID_PARAMS',
  /** A stream was asked of a plugin without a `stream` hook. */
  STREAMING_NOT_SUPPORTED: 'STREAMING_NOT_SUPPORTED',
  /** A plugin's `stream` produced something that is not a string. */
  INVALID_CHUNK: 'INVALID_CHUNK',
  /** The plugin's `dispose` threw (the plugin is unloaded regardless). */
  DISPOSE_FAILED: 'DISPOSE_FAILED',
  /** The options given to an adapter factory are invalid. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
} as const;
export type AdapterErrorCode = (typeof AdapterErrorCode)[keyof typeof AdapterErrorCode];

export interface AdapterErrorInit {
  pluginName?: string | undefined;
  location?: string | undefined;
  cause?: unknown;
}

/** Base class of everything the kit throws; `code` is one of {@link AdapterErrorCode}. */
export class AdapterError extends Error {
  override name = 'AdapterError';
  readonly code: string;
  /** The plugin concerned, when known. */
  readonly pluginName: string | undefined;
  /** The folder or package concerned, when known. */
  readonly location: string | undefined;

  constructor(code: string, message: string, init: AdapterErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.pluginName = init.pluginName;
    this.location = init.location;
  }

  /** This error as a wire diagnostic; `location` falls back to `fallbackLocation`. */
  toDiagnostic(fallbackLocation = ''): PluginDiagnostic {
    const diagnostic: PluginDiagnostic = {
      location: this.location ?? fallbackLocation,
      code: this.code,
      message: this.message,
    };
    if (this.pluginName !== undefined) diagnostic.plugin_name = this.pluginName;
    return diagnostic;
  }
}

export function isAdapterError(error: unknown): error is AdapterError {
  return error instanceof AdapterError;
}

/** The message of anything thrown, for embedding in another message. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Every failing field, `path: message; …`, for embedding in a message. */
export function listIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
}
