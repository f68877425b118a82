/** Discovery: a candidate folder or package that cannot be offered as a plugin. */
import type { ValidationIssue } from '@plugwork/protocol';
import {
  AdapterError,
  AdapterErrorCode,
  type AdapterErrorInit,
  describe,
  listIssues,
} from './base.ts';

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
