// Synchronous reads on purpose (see resolve-entry.ts): readPluginPackages batches them and
// yields to the event loop between batches.
import { readFileSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import {
  fromJsonSchema,
  PLUGWORK_VERSION,
  type PluginPackageJson,
  pluginPackageJsonSchema,
  type ValidationIssue,
} from '@plugwork/protocol';
import { checkEngine } from './check-engine.ts';
import { PluginPackageError } from './errors.ts';
import type { PluginCandidate } from './plugin-candidate.ts';
import { resolveEntry } from './resolve-entry.ts';

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' && field.length > 0 ? field : undefined;
}

/**
 * Read one candidate folder: its package.json, the `plugwork` manifest in it, the engine range
 * and the entry. Imports no plugin code.
 *
 * @param folder absolute path of the package folder (a symlink is fine)
 * @returns the candidate, ready to be loaded
 * @throws PluginPackageError with a code from AdapterErrorCode saying what is wrong, for a person
 */
export async function readPluginPackage(folder: string): Promise<PluginCandidate> {
  const file = path.join(folder, 'package.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw PluginPackageError.missingPackageJson(folder);
    throw PluginPackageError.unreadablePackageJson(folder, error);
  }

  let json: unknown;
  try {
    // A BOM is legal in files written by some editors, but not in JSON.parse.
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw PluginPackageError.invalidJson(folder, error);
  }

  const packageName = stringField(json, 'name');
  if (typeof json === 'object' && json !== null && !Array.isArray(json) && !('plugwork' in json)) {
    throw PluginPackageError.missingManifest(folder, packageName);
  }
  const packageJson = parsePackageJson(folder, json, packageName);
  const manifest = packageJson.plugwork;
  const name = manifest.name ?? packageJson.name;
  // A plugin in another language (a .py entry) must never be imported here.
  if (manifest.runtime !== undefined && manifest.runtime !== 'javascript') {
    throw PluginPackageError.otherRuntime(folder, name, manifest.runtime);
  }

  if (manifest.engine !== undefined) {
    const engine = checkEngine(manifest.engine);
    if (engine === 'invalid-range') {
      throw PluginPackageError.invalidManifest(
        folder,
        [{ path: 'engine', message: `"${manifest.engine}" is not a valid semver range` }],
        name,
      );
    }
    if (engine === 'unsatisfied') {
      throw PluginPackageError.unsupportedEngine(folder, name, manifest.engine, PLUGWORK_VERSION);
    }
  }

  let realFolder: string;
  try {
    realFolder = realpathSync.native(folder);
  } catch (error) {
    // The folder vanished between reading package.json and now (it is being removed).
    throw PluginPackageError.unreadablePackageJson(folder, error);
  }
  const entryPath = await resolveEntry(folder, realFolder, packageJson, name);
  const candidate: PluginCandidate = { name, folder, realFolder, entryPath, packageJson, manifest };
  if (manifest.params !== undefined) {
    try {
      candidate.manifestParams = fromJsonSchema(manifest.params);
    } catch (error) {
      throw PluginPackageError.invalidManifest(
        folder,
        [{ path: 'params', message: (error as Error).message }],
        name,
      );
    }
  }
  return candidate;
}

function parsePackageJson(
  folder: string,
  json: unknown,
  packageName: string | undefined,
): PluginPackageJson {
  const parsed = pluginPackageJsonSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const pluginName = stringField(stringFieldObject(json, 'plugwork'), 'name') ?? packageName;
  const manifestIssues: ValidationIssue[] = [];
  const packageIssues: ValidationIssue[] = [];
  for (const issue of parsed.error.issues) {
    const entry = { path: issue.path.map(String).join('.'), message: issue.message };
    (issue.path[0] === 'plugwork' ? manifestIssues : packageIssues).push(entry);
  }
  // A broken manifest is the more useful thing to report: it is what makes this a plugin.
  if (manifestIssues.length > 0) {
    throw PluginPackageError.invalidManifest(
      folder,
      [...manifestIssues, ...packageIssues],
      pluginName,
    );
  }
  throw PluginPackageError.invalidPackageJson(folder, packageIssues, pluginName);
}

function stringFieldObject(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}
