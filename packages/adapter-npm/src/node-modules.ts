import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { NpmDiscoveryError } from './errors.ts';
import { compare } from './root-dependencies.ts';

/**
 * The node_modules folders Node looks in for a package imported from `root`, nearest first:
 * `<root>/node_modules`, then one per parent folder. A workspace's dependencies are often hoisted
 * to the repository's node_modules (npm, yarn, pnpm with hoisting), so a dependency missing next
 * to the project is looked for above it, as `import` would.
 */
export function nodeModulesChain(root: string): string[] {
  const chain: string[] = [];
  let current = root;
  for (;;) {
    if (path.basename(current) !== 'node_modules') chain.push(path.join(current, 'node_modules'));
    const parent = path.dirname(current);
    if (parent === current) return chain;
    current = parent;
  }
}

/**
 * Every package name at the top of a node_modules folder, scoped ones included, sorted. Entries
 * starting with `.` are the package managers' own (`.bin`, `.pnpm`, `.package-lock.json`,
 * `.modules.yaml`) and are skipped. Reads directories only, no package.json.
 *
 * @throws NpmDiscoveryError NODE_MODULES_NOT_FOUND or NODE_MODULES_UNREADABLE
 */
export async function listNodeModules(nodeModules: string): Promise<string[]> {
  let entries: Awaited<ReturnType<typeof listFolder>>;
  try {
    entries = await listFolder(nodeModules);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw NpmDiscoveryError.nodeModulesNotFound(nodeModules);
    }
    throw NpmDiscoveryError.nodeModulesUnreadable(nodeModules, error);
  }
  const names: string[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      if (!entry.name.startsWith('@')) {
        names.push(entry.name);
        return;
      }
      try {
        for (const scoped of await listFolder(path.join(nodeModules, entry.name))) {
          names.push(`${entry.name}/${scoped.name}`);
        }
      } catch {
        // A scope entry that is not a folder (or vanished meanwhile) holds no packages.
      }
    }),
  );
  return names.sort(compare);
}

/** Folders and symlinks (pnpm links every package) not starting with `.`. */
async function listFolder(folder: string) {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries.filter(
    (entry) => !entry.name.startsWith('.') && (entry.isDirectory() || entry.isSymbolicLink()),
  );
}
