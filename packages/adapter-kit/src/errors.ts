/**
 * Every error and diagnostic the adapter kit produces. One module, so each message a person can
 * see is written here, says which folder / plugin / field is at fault, and what to do about it.
 */
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

interface AdapterErrorInit {
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function listIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ');
}

/** A candidate folder or package whose package.json / entry cannot be offered as a plugin. */
export class PluginPackageError extends AdapterError {
  override name = 'PluginPackageError';
  /**
   * The absolute entry path the package points at, when it got that far. Watchers use it to
   * notice the entry appearing (a folder still being copied).
   */
  readonly entryPath: string | undefined;

  constructor(
    code: AdapterErrorCode,
    message: string,
    init: AdapterErrorInit & { entryPath?: string | undefined },
  ) {
    super(code, message, init);
    this.entryPath = init.entryPath;
  }

  static missingPackageJson(folder: string): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.MISSING_PACKAGE_JSON,
      `${folder} has no package.json, so it is not a plugin. Add a package.json with a "plugwork" ` +
        'field, or move the folder out of the plugins directory (folders whose names start with "." are ignored).',
      { location: folder },
    );
  }

  static unreadablePackageJson(folder: string, cause: unknown): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.UNREADABLE_PACKAGE_JSON,
      `Could not read ${folder}/package.json: ${describe(cause)}. Check that it is a file the ` +
        'worker process is allowed to read.',
      { location: folder, cause },
    );
  }

  static invalidJson(folder: string, cause: unknown): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.INVALID_JSON,
      `${folder}/package.json is not valid JSON (${describe(cause)}). Fix the syntax; if the ` +
        'folder is still being copied into a watched directory, it is offered once the copy completes.',
      { location: folder, cause },
    );
  }

  static invalidPackageJson(
    folder: string,
    problems: readonly ValidationIssue[],
    pluginName?: string,
  ): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.INVALID_PACKAGE_JSON,
      `${folder}/package.json is not a valid package: ${listIssues(problems)}. A plugin's ` +
        'package.json needs at least a "name" and a "plugwork" object.',
      { location: folder, pluginName },
    );
  }

  static missingManifest(folder: string, packageName: string | undefined): PluginPackageError {
    const which = packageName === undefined ? 'It' : `Package "${packageName}"`;
    return new PluginPackageError(
      AdapterErrorCode.MISSING_MANIFEST,
      `${folder}/package.json has no "plugwork" field. ${which} is not declared as a plugin: add ` +
        '"plugwork": { "name": "…" } (the plugin format is in the @plugwork/protocol README).',
      { location: folder },
    );
  }

  static invalidManifest(
    folder: string,
    problems: readonly ValidationIssue[],
    pluginName: string | undefined,
  ): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.INVALID_MANIFEST,
      `${folder}/package.json has an invalid "plugwork" manifest: ${listIssues(problems)}. Fix ` +
        'these fields.',
      { location: folder, pluginName },
    );
  }

  static unsupportedEngine(
    folder: string,
    pluginName: string,
    range: string,
    version: string,
  ): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.UNSUPPORTED_ENGINE,
      `Plugin "${pluginName}" (${folder}) requires plugwork ${range}, but this is plugwork ` +
        `${version}. Use a version of the plugin made for plugwork ${version}, or widen ` +
        '"plugwork.engine" if the plugin is known to work.',
      { location: folder, pluginName },
    );
  }

  static entryNotFound(
    folder: string,
    pluginName: string,
    entry: string,
    from: string,
    entryPath: string | undefined,
  ): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.ENTRY_NOT_FOUND,
      `Plugin "${pluginName}" (${folder}): its entry "${entry}" (from ${from}) does not exist. ` +
        'Build the plugin if the entry is a build output, or fix the path; a folder that is still ' +
        'being copied is offered as soon as its entry is there.',
      { location: folder, pluginName, entryPath },
    );
  }

  static entryOutsideFolder(
    folder: string,
    pluginName: string,
    entry: string,
    from: string,
    why: string,
  ): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.ENTRY_OUTSIDE_FOLDER,
      `Plugin "${pluginName}" (${folder}): its entry "${entry}" (from ${from}) ${why}. A plugin's ` +
        'entry must be a path inside its own folder, such as "./index.js".',
      { location: folder, pluginName },
    );
  }

  static otherRuntime(folder: string, pluginName: string, runtime: string): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.OTHER_RUNTIME,
      `Plugin "${pluginName}" (${folder}) is a ${runtime === 'python' ? 'Python' : runtime} plugin ` +
        `("plugwork.runtime": "${runtime}"), and this worker runs JavaScript, so it is not offered ` +
        `here. Serve it from a JobManager with runtime: '${runtime}' (see "Python plugins" in the ` +
        '@plugwork/worker README); the other plugins load as usual.',
      { location: folder, pluginName },
    );
  }

  static duplicateName(folder: string, pluginName: string, winner: string): PluginPackageError {
    return new PluginPackageError(
      AdapterErrorCode.DUPLICATE_NAME,
      `Plugin "${pluginName}" in ${folder} is ignored: ${winner} already provides a plugin with ` +
        'that name and comes first. Rename one of them ("plugwork.name") or remove the copy.',
      { location: folder, pluginName },
    );
  }
}

/** Importing a plugin, validating its config or running its setup failed. */
export class PluginLoadError extends AdapterError {
  override name = 'PluginLoadError';

  static typescriptUnsupported(
    pluginName: string,
    folder: string,
    entryPath: string,
    runtime: string,
  ): PluginLoadError {
    return new PluginLoadError(
      AdapterErrorCode.TYPESCRIPT_UNSUPPORTED,
      `Plugin "${pluginName}" (${folder}) has a TypeScript entry (${entryPath}), and ${runtime} ` +
        'cannot run TypeScript. Build the plugin to JavaScript and point "plugwork.entry" at the ' +
        '.js file, or run the worker on Node >= 22.18 (type stripping) or Deno.',
      { pluginName, location: folder },
    );
  }

  static typescriptInNodeModules(
    pluginName: string,
    folder: string,
    entryPath: string,
    cause: unknown,
  ): PluginLoadError {
    return new PluginLoadError(
      AdapterErrorCode.TYPESCRIPT_UNSUPPORTED,
      `Plugin "${pluginName}" (${folder}) has a TypeScript entry (${entryPath}) inside ` +
        'node_modules, where Node does not strip types. Publish the plugin built to JavaScript, ' +
        'or run the worker on Deno.',
      { pluginName, location: folder, cause },
    );
  }

  static importFailed(
    pluginName: string,
    folder: string,
    entryPath: string,
    cause: unknown,
  ): PluginLoadError {
    const code = (cause as { code?: unknown } | null)?.code;
    const hint =
      code === 'ERR_MODULE_NOT_FOUND'
        ? 'A module it imports is missing: install the plugin\'s dependencies where Node can find them (run "npm install" in a plugin folder, or reinstall an npm plugin package).'
        : "Fix the error in the plugin's code; plugwork catches it so other plugins keep working.";
    return new PluginLoadError(
      AdapterErrorCode.IMPORT_FAILED,
      `Could not import plugin "${pluginName}" from ${entryPath}: ${describe(cause)}. ${hint}`,
      { pluginName, location: folder, cause },
    );
  }

  static notAPlugin(
    pluginName: string,
    folder: string,
    entryPath: string,
    found: string,
  ): PluginLoadError {
    return new PluginLoadError(
      AdapterErrorCode.NOT_A_PLUGIN,
      `The default export of ${entryPath} (plugin "${pluginName}") is ${found}, not a plugin made ` +
        'by definePlugin. Write `export default definePlugin({ name, execute, … })` with ' +
        'definePlugin from @plugwork/protocol.',
      { pluginName, location: folder },
    );
  }

  static nameMismatch(pluginName: string, folder: string, definedName: string): PluginLoadError {
    return new PluginLoadError(
      AdapterErrorCode.NAME_MISMATCH,
      `Plugin "${pluginName}" (${folder}) calls itself "${definedName}" in definePlugin. Make ` +
        '"plugwork.name" in package.json and the name passed to definePlugin the same.',
      { pluginName, location: folder },
    );
  }

  static setupFailed(pluginName: string, folder: string, cause: unknown): PluginLoadError {
    return new PluginLoadError(
      AdapterErrorCode.SETUP_FAILED,
      `The setup of plugin "${pluginName}" (${folder}) failed: ${describe(cause)}. The plugin is ` +
        'not loaded; fix the cause and load it again.',
      { pluginName, location: folder, cause },
    );
  }
}

/** A plugin's config failed its `configSchema`. `issues` lists every failing field. */
export class PluginConfigError extends PluginLoadError {
  override name = 'PluginConfigError';
  readonly issues: readonly ValidationIssue[];

  constructor(pluginName: string, folder: string, issues: readonly ValidationIssue[]) {
    super(
      AdapterErrorCode.INVALID_CONFIG,
      `The config of plugin "${pluginName}" (${folder}) is invalid: ${listIssues(issues)}. Fix ` +
        'these fields in the config given for this plugin.',
      { pluginName, location: folder },
    );
    this.issues = issues;
  }
}

/** A job's params failed the plugin's `paramsSchema`. `issues` lists every failing field. */
export class PluginParamsError extends AdapterError {
  override name = 'PluginParamsError';
  readonly issues: readonly ValidationIssue[];

  constructor(pluginName: string, issues: readonly ValidationIssue[]) {
    super(
      AdapterErrorCode.INVALID_PARAMS,
      `The params of this job for plugin "${pluginName}" are invalid: ${listIssues(issues)}.`,
      { pluginName },
    );
    this.issues = issues;
  }
}

/** No plugin of that name was discovered. */
export class UnknownPluginError extends AdapterError {
  override name = 'UnknownPluginError';

  constructor(pluginName: string, known: readonly string[], problem?: PluginDiagnostic) {
    const why =
      problem === undefined
        ? `Known plugins: ${known.length === 0 ? '(none)' : known.join(', ')}.`
        : `A candidate with that name could not be offered: ${problem.message}`;
    super(AdapterErrorCode.UNKNOWN_PLUGIN, `No plugin named "${pluginName}". ${why}`, {
      pluginName,
      location: problem?.location,
    });
  }
}

/** The plugin exists but has not been loaded (or was unloaded). */
export class PluginNotLoadedError extends AdapterError {
  override name = 'PluginNotLoadedError';

  constructor(pluginName: string) {
    super(
      AdapterErrorCode.PLUGIN_NOT_LOADED,
      `Plugin "${pluginName}" is not loaded. Load it (loadPlugin / the worker's plugin configs) ` +
        'before running jobs on it.',
      { pluginName },
    );
  }
}

/** A stream was requested of a plugin that only executes. */
export class StreamingNotSupportedError extends AdapterError {
  override name = 'StreamingNotSupportedError';

  constructor(pluginName: string) {
    super(
      AdapterErrorCode.STREAMING_NOT_SUPPORTED,
      `Plugin "${pluginName}" does not stream (it has no \`stream\` hook). Run the job without ` +
        'streaming, or add `stream` to its definePlugin.',
      { pluginName },
    );
  }
}

/** A plugin's `stream` returned something that is not an iterable of strings. */
export class InvalidChunkError extends AdapterError {
  override name = 'InvalidChunkError';

  static notAString(pluginName: string, chunk: unknown): InvalidChunkError {
    return new InvalidChunkError(
      AdapterErrorCode.INVALID_CHUNK,
      `Plugin "${pluginName}" streamed a ${chunk === null ? 'null' : typeof chunk} chunk; stream ` +
        'chunks must be strings. Convert the value (e.g. JSON.stringify) before yielding it.',
      { pluginName },
    );
  }

  static notIterable(pluginName: string, value: unknown): InvalidChunkError {
    return new InvalidChunkError(
      AdapterErrorCode.INVALID_CHUNK,
      `The stream hook of plugin "${pluginName}" returned ${value === null ? 'null' : typeof value}, ` +
        'not an iterable. Make `stream` an `async function*` (or return an array of strings).',
      { pluginName },
    );
  }
}

/** A plugin's `dispose` threw. The plugin is unloaded anyway. */
export class PluginDisposeError extends AdapterError {
  override name = 'PluginDisposeError';

  constructor(pluginName: string, folder: string, cause: unknown) {
    super(
      AdapterErrorCode.DISPOSE_FAILED,
      `The dispose hook of plugin "${pluginName}" (${folder}) failed: ${describe(cause)}. The ` +
        'plugin is unloaded regardless; resources it held may leak until the worker restarts.',
      { pluginName, location: folder, cause },
    );
  }
}

/** An adapter factory was given options it cannot use. `issues` lists every failing field. */
export class AdapterOptionsError extends AdapterError {
  override name = 'AdapterOptionsError';
  readonly issues: readonly ValidationIssue[];

  constructor(adapterName: string, issues: readonly ValidationIssue[]) {
    super(
      AdapterErrorCode.INVALID_OPTIONS,
      `Invalid options for ${adapterName}: ${listIssues(issues)}. See its README for the options.`,
    );
    this.issues = issues;
  }
}
