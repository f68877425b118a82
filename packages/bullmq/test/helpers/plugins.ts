import { cpSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The fixture plugins folder (echo, sleep, chunks, spin, crash, flaky, parallel, slow-once). */
export const PLUGINS_DIR = fileURLToPath(new URL('../fixtures/plugins', import.meta.url));

/** A temporary plugins folder holding copies of the named fixture plugins. */
export function pluginsFolder(names: string[]): {
  dir: string;
  add(name: string): void;
  /** Deletes one plugin's folder. */
  drop(name: string): void;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'plugwork-plugins-'));
  const add = (name: string) => {
    // Copied beside the folder, then renamed into it: a watcher never sees half a plugin.
    const staging = mkdtempSync(join(tmpdir(), 'plugwork-staging-'));
    cpSync(join(PLUGINS_DIR, name), join(staging, name), { recursive: true });
    renameSync(join(staging, name), join(dir, name));
    rmSync(staging, { recursive: true, force: true });
  };
  for (const name of names) add(name);
  return {
    dir,
    add,
    drop: (name) => rmSync(join(dir, name), { recursive: true, force: true }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
