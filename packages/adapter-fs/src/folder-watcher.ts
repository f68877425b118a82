import { type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';

export interface FolderWatcherOptions {
  /** Quiet time after the last event before `onChange` runs. */
  debounceMs: number;
  /** Called once per burst of file system events. */
  onChange: () => void;
}

interface Watched {
  watcher: FSWatcher;
  /** Identity of the directory watched: a folder removed and re-created is a new one. */
  ino: number;
}

/**
 * Watches a set of directories (non-recursively, with node:fs.watch) and reports bursts of
 * changes, debounced. Event driven: nothing polls.
 *
 * Non-recursive on purpose: plugin folders can hold node_modules trees, and watching those
 * would cost thousands of watches for changes that never matter. The adapter instead tells the
 * watcher exactly which directories matter after every scan ({@link sync}).
 */
export class FolderWatcher {
  readonly #debounceMs: number;
  readonly #onChange: () => void;
  readonly #watched = new Map<string, Watched>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #burstStart = 0;
  #closed = false;

  constructor(options: FolderWatcherOptions) {
    this.#debounceMs = options.debounceMs;
    this.#onChange = options.onChange;
  }

  /**
   * Watch exactly these directories from now on (each one, or its nearest existing ancestor
   * when it does not exist yet). When a directory is newly watched, one more change is
   * reported after the debounce: whatever happened in it between the scan that found it and
   * the watch starting would otherwise go unseen.
   */
  async sync(directories: Iterable<string>): Promise<void> {
    const wanted = new Map<string, number>();
    await Promise.all(
      [...new Set(directories)].map(async (directory) => {
        const found = await nearestExisting(directory);
        if (found !== undefined) wanted.set(found.path, found.ino);
      }),
    );
    if (this.#closed) return;
    let added = false;
    for (const [directory, entry] of this.#watched) {
      if (wanted.get(directory) !== entry.ino) {
        entry.watcher.close();
        this.#watched.delete(directory);
      }
    }
    for (const [directory, ino] of wanted) {
      if (this.#watched.has(directory)) continue;
      const watcher = this.#watch(directory);
      if (watcher === undefined) continue;
      this.#watched.set(directory, { watcher, ino });
      added = true;
    }
    if (added) this.#schedule();
  }

  /** How many directories are watched (for tests and diagnostics). */
  get size(): number {
    return this.#watched.size;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const { watcher } of this.#watched.values()) watcher.close();
    this.#watched.clear();
  }

  #watch(directory: string): FSWatcher | undefined {
    try {
      const watcher = watch(directory, { persistent: true }, () => this.#schedule());
      watcher.on('error', () => {
        // The directory went away or became unwatchable: forget it and rescan; the next sync
        // watches whatever replaced it.
        watcher.close();
        if (this.#watched.get(directory)?.watcher === watcher) this.#watched.delete(directory);
        this.#schedule();
      });
      return watcher;
    } catch {
      // Removed between the stat and the watch; its parent's watcher reports that.
      return undefined;
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    const now = Date.now();
    if (this.#timer === undefined) this.#burstStart = now;
    clearTimeout(this.#timer);
    // A directory that never goes quiet (a busy parent of a missing plugins directory) must not
    // postpone the rescan forever: fire at the latest ten debounce periods into a burst.
    const maxWait = Math.max(this.#debounceMs * 10, 1000);
    const delay = Math.min(this.#debounceMs, Math.max(0, this.#burstStart + maxWait - now));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) this.#onChange();
    }, delay);
  }
}

async function nearestExisting(
  directory: string,
): Promise<{ path: string; ino: number } | undefined> {
  let current = directory;
  for (;;) {
    try {
      const info = await stat(current);
      if (info.isDirectory()) return { path: current, ino: info.ino };
    } catch {
      // Does not exist (yet): watch the parent, where it will appear.
    }
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}
