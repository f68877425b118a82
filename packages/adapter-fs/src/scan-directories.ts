import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { type PackageScan, readPluginPackages } from '@plugwork/adapter-kit';
import { PluginDirectoryError } from './errors.ts';

/** A scan of the plugins directories, plus the directories worth watching for changes. */
export interface DirectoryScan extends PackageScan {
  /**
   * The plugins directories, every plugin folder, the folder of every entry, and for an entry
   * that does not exist yet the place it will appear in: watching these sees every change that
   * can turn a folder into a plugin or back.
   */
  watchPaths: string[];
}

/**
 * Find the plugins in `directories`: each immediate subfolder (or symlink to a folder) is a
 * candidate. Folders named `node_modules` or starting with `.` are skipped, so a copy can be
 * staged under a dot-name and renamed into place. Reads package.json files only.
 *
 * Candidates come in directory order, then name order: the first directory wins a name clash.
 */
export async function scanPluginDirectories(
  directories: readonly string[],
): Promise<DirectoryScan> {
  const folders: string[] = [];
  const directoryProblems: PluginDirectoryError[] = [];
  for (const directory of directories) {
    try {
      folders.push(...(await listPluginFolders(directory)));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      directoryProblems.push(
        code === 'ENOENT' || code === 'ENOTDIR'
          ? PluginDirectoryError.notFound(directory)
          : PluginDirectoryError.unreadable(directory, error),
      );
    }
  }
  const scan = await readPluginPackages(folders);
  const watchPaths = new Set<string>(directories);
  for (const folder of folders) watchPaths.add(folder);
  for (const candidate of scan.candidates) watchPaths.add(path.dirname(candidate.entryPath));
  for (const problem of scan.problems) {
    if (problem.entryPath !== undefined) watchPaths.add(path.dirname(problem.entryPath));
  }
  return {
    candidates: scan.candidates,
    diagnostics: [...directoryProblems.map((p) => p.toDiagnostic()), ...scan.diagnostics],
    problems: scan.problems,
    watchPaths: [...watchPaths],
  };
}

async function listPluginFolders(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const names = entries
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const folders: string[] = [];
  for (const entry of names) {
    const folder = path.join(directory, entry.name);
    // Symlinks are followed; some file systems report no type at all, so those are stat'ed too.
    if (entry.isDirectory() || (!entry.isFile() && (await isDirectory(folder)))) {
      folders.push(folder);
    }
  }
  return folders;
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}
