import { type PluginFiles, snapshotPluginFiles } from './plugin-files.ts';

/**
 * The files of every plugin this process has imported or tried to (the runtime keeps their
 * modules cached, failed ones included), as they were at the first import, or at the last
 * change reported; and the folders they span.
 */
export class LoadedPluginFiles {
  readonly #plugins = new Map<string, PluginFiles & { folder: string }>();

  has(name: string): boolean {
    return this.#plugins.has(name);
  }

  /** `name` was imported (or tried to be) from `folder`, whose files were then `files`. */
  set(name: string, folder: string, files: PluginFiles): void {
    this.#plugins.set(name, { folder, ...files });
  }

  /** Every folder of every plugin imported: what the source must watch besides its own. */
  directories(): string[] {
    return [...this.#plugins.values()].flatMap((files) => files.directories);
  }

  /** Plugins whose files changed since they were loaded; each is reported once per change. */
  async changed(): Promise<string[]> {
    const changed: string[] = [];
    await Promise.all(
      [...this.#plugins].map(async ([name, before]) => {
        const now = await snapshotPluginFiles(before.folder);
        if (now.fingerprint === before.fingerprint) return;
        this.set(name, before.folder, now);
        changed.push(name);
      }),
    );
    return changed.sort();
  }
}
