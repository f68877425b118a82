/** Use: running a plugin's jobs and streams, unloading it; an adapter factory's options. */
import type { PluginDiagnostic, ValidationIssue } from '@plugwork/protocol';
import { AdapterError, AdapterErrorCode, describe, listIssues } from './base.ts';

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
