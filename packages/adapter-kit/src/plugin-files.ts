import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** What a plugin folder's files looked like at one moment. */
export interface PluginFiles {
  /** Changes when any file is added, removed, resized or rewritten (mtime). */
  fingerprint: string;
  /** The folder and every folder in it: what a watcher must watch to see its edits. */
  directories: string[];
}

/** Folders that hold no code of the plugin's own, or too many files to watch. */
const SKIPPED = new Set(['node_modules', '.git']);

/** Files looked at before giving up: a plugin folder holding a data set is not watched whole. */
const MAX_FILES = 20_000;

/**
 * Takes a plugin folder's fingerprint (every file's path, size and modification time, without
 * reading contents) and lists its folders. Dependencies in node_modules are left out: installed
 * packages change by reinstalling, which rewrites the plugin's own package.json too.
 */
export async function snapshotPluginFiles(folder: string): Promise<PluginFiles> {
  const hash = createHash('sha1');
  const directories: string[] = [];
  let files = 0;
  const walk = async (directory: string, prefix: string): Promise<void> => {
    directories.push(directory);
    let entries: Dirent[];
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      hash.update(`!${prefix}\n`);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files >= MAX_FILES) return;
      const path = join(directory, entry.name);
      const relative = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) await walk(path, `${relative}/`);
        continue;
      }
      files++;
      try {
        const info = await stat(path);
        hash.update(`${relative}\0${info.size}\0${info.mtimeMs}\n`);
      } catch {
        hash.update(`${relative}\0gone\n`);
      }
    }
  };
  await walk(folder, '');
  return { fingerprint: hash.digest('base64'), directories };
}
