/** Loading: importing a plugin's entry, validating its config, running its setup. */
import type { ValidationIssue } from '@plugwork/protocol';
import { AdapterError, AdapterErrorCode, describe, listIssues } from './base.ts';

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
