import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The worker package's own folder (this file is dist/parent/worker-read-paths.js). */
const WORKER_PACKAGE = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What a sandboxed worker must be able to read before any plugin runs: the worker package and
 * the packages it imports (@plugwork/protocol, zod), and the adapter module's package and the
 * packages that one depends on, each both where it is linked and where it really lives (pnpm
 * links packages from node_modules/.pnpm; runtimes check either path).
 *
 * It is computed from package.json dependencies, so a plugin folder the adapter reads from is
 * NOT in here: that is `permissions.read`'s job.
 */
export function workerReadPaths(adapterModule: string): string[] {
  const paths = new Set<string>();
  const visited = new Set<string>();
  addPackage(WORKER_PACKAGE, paths, visited);
  if (adapterModule.startsWith('file:')) {
    const file = fileURLToPath(adapterModule);
    const root = packageRootOf(file);
    if (root === undefined) addPath(dirname(file), paths);
    else addPackage(root, paths, visited);
  }
  return [...paths];
}

function addPath(path: string, paths: Set<string>): void {
  paths.add(path.replace(/[/\\]$/, ''));
  try {
    paths.add(realpathSync(path));
  } catch {
    // A path that does not exist needs no permission.
  }
}

/** Adds a package folder and, recursively, the packages its manifest depends on. */
function addPackage(folder: string, paths: Set<string>, visited: Set<string>): void {
  let real: string;
  try {
    real = realpathSync(folder);
  } catch {
    return;
  }
  addPath(folder, paths);
  if (visited.has(real)) return;
  visited.add(real);
  let manifest: Record<string, Record<string, string> | undefined>;
  try {
    manifest = JSON.parse(readFileSync(join(real, 'package.json'), 'utf8'));
  } catch {
    return;
  }
  const names = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
  ]);
  for (const name of names) {
    const location = findInstalled(name, real) ?? findInstalled(name, folder);
    if (location !== undefined) addPackage(location, paths, visited);
  }
}

/** Where Node's resolution would find package `name` from `from`: the nearest node_modules. */
function findInstalled(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function packageRootOf(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
