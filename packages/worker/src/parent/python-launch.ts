import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type JsonObject, PLUGWORK_VERSION } from '@plugwork/protocol';
import { InvalidOptionsError, PythonMessages } from '../errors.ts';
import type { ResolvedOptions } from '../options.ts';
import type { LaunchPlan } from './launch-plan.ts';

/** The environment variable that names the folder holding the `plugwork_worker` package. */
export const PYTHON_WORKER_DIR_ENV = 'PLUGWORK_PYTHON_WORKER_DIR';

/** What the Python worker builds its adapter from (the init request's `adapter`). */
export interface PythonAdapterSpec {
  module: string;
  export: string;
  options: JsonObject;
}

/**
 * How Python workers start: `python3 [worker.execArgv] <plugwork_worker/__main__.py>
 * --socket=<path>`, over the same socket channel as Deno workers. The Python version is checked
 * by the worker itself (its entry parses on any Python), so a start costs no extra process.
 */
export function planPythonLaunch(options: ResolvedOptions): Omit<LaunchPlan, 'maxLineBytes'> {
  const entry = pythonWorkerEntry();
  return {
    runtime: 'python',
    channel: 'socket',
    command: findPython(options.worker.pythonPath),
    entry,
    readPaths: [],
    flags: () => [...options.worker.execArgv],
  };
}

/** `worker.pythonPath`, else $PLUGWORK_PYTHON_PATH, else `python3` on the PATH. */
export function findPython(option: string | undefined): string {
  return option ?? (process.env.PLUGWORK_PYTHON_PATH || 'python3');
}

/**
 * The worker's entry script: from $PLUGWORK_PYTHON_WORKER_DIR when set, else from the
 * `@plugwork/worker-python` package installed with this one (it is a dependency), else
 * `-m plugwork_worker` for a Python environment where the package was installed with pip.
 */
export function pythonWorkerEntry(): string[] {
  const fromEnv = process.env[PYTHON_WORKER_DIR_ENV];
  if (fromEnv) {
    const main = join(resolve(fromEnv), 'plugwork_worker', '__main__.py');
    if (!existsSync(main)) {
      throw new InvalidOptionsError('runtime', PythonMessages.workerDirInvalid(fromEnv, main));
    }
    return [main];
  }
  try {
    const manifest = createRequire(import.meta.url).resolve('@plugwork/worker-python/package.json');
    const main = join(dirname(manifest), 'plugwork_worker', '__main__.py');
    if (existsSync(main)) return [main];
  } catch {
    // Not installed beside this package (a bundle, JSR): the pip-installed package, then.
  }
  return ['-m', 'plugwork_worker'];
}

const PYTHON_MODULE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * The adapter option as a Python worker reads it. Three shapes:
 *
 * - `fsAdapter({ directories })` from @plugwork/adapter-fs: the same plugin folders, served by
 *   the Python folder adapter (`plugwork_worker.folder_adapter.FolderAdapter`), which offers the
 *   folders whose manifest says `"runtime": "python"`.
 * - `{ module: 'myproject.plugins', export: 'MyPluginManager', options }`: a Python module
 *   importable from the worker's working directory, and the class (or factory) in it, called
 *   with `options` as keyword arguments: an existing seed-style PluginManagerAdapter unchanged.
 * - `{ module: './adapters/manager.py', export }`: the same, from a file (resolved against the
 *   host's working directory).
 */
export function resolvePythonAdapter(
  adapter: ResolvedOptions['adapter'],
  cwd: string,
): PythonAdapterSpec {
  const specifier = adapter.module;
  const path = filePathOf(specifier, cwd);
  if (path !== undefined) {
    if (isAdapterFs(path)) return folderAdapterSpec(adapter.options);
    return { module: path, export: adapter.export, options: adapter.options };
  }
  const name = specifier as string;
  if (name === '@plugwork/adapter-fs') return folderAdapterSpec(adapter.options);
  if (!PYTHON_MODULE_NAME.test(name)) {
    throw new InvalidOptionsError('adapter.module', PythonMessages.notAPythonModule(name));
  }
  return { module: name, export: adapter.export, options: adapter.options };
}

function filePathOf(specifier: string | URL, cwd: string): string | undefined {
  if (specifier instanceof URL) return fileURLToPath(specifier);
  if (specifier.startsWith('file:')) return fileURLToPath(specifier);
  if (isAbsolute(specifier)) return specifier;
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier.endsWith('.py')) {
    return resolve(cwd, specifier);
  }
  return undefined;
}

/** True when `path` lies in the @plugwork/adapter-fs package (its nearest package.json says so). */
function isAdapterFs(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (
          (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name ===
          '@plugwork/adapter-fs'
        );
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

function folderAdapterSpec(options: JsonObject): PythonAdapterSpec {
  // The host's version, for the manifests' `engine` ranges (adapter-kit checks them against
  // the same constant for JavaScript plugins): an adapter option, so the init request is unchanged.
  const folderOptions: JsonObject = {
    directories: options.directories ?? [],
    plugwork_version: PLUGWORK_VERSION,
  };
  if (options.watch !== undefined) folderOptions.watch = options.watch;
  // The Python folder adapter polls: adapter-fs's debounce becomes how often it looks.
  if (typeof options.debounceMs === 'number' && options.debounceMs > 0) {
    folderOptions.poll_seconds = Math.max(options.debounceMs, 20) / 1000;
  }
  return {
    module: 'plugwork_worker.folder_adapter',
    export: 'FolderAdapter',
    options: folderOptions,
  };
}
