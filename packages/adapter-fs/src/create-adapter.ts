import { type CatalogAdapter, createCatalogAdapter } from '@plugwork/adapter-kit';
import { FolderWatcher } from './folder-watcher.ts';
import { type FsAdapterOptions, resolveFsAdapterOptions } from './options.ts';
import { scanPluginDirectories } from './scan-directories.ts';

/**
 * Create the folder adapter: every immediate subfolder of `directories` that is a plugin package
 * (package.json with a `plugwork` field) is offered; every folder that is not quite one becomes a
 * diagnostic. With `watch: true`, folders dropped in, removed or edited while the process runs
 * update the catalogue (debounced) and `adapter.watch(onChange)` listeners hear of it.
 *
 * @throws AdapterOptionsError when the options are invalid
 */
export function createAdapter(options: FsAdapterOptions): CatalogAdapter {
  const { directories, watch, debounceMs } = resolveFsAdapterOptions(options);
  let watcher: FolderWatcher | undefined;

  return createCatalogAdapter({
    source: 'fs',
    async discover({ loadedDirectories }) {
      const scan = await scanPluginDirectories(directories);
      // Watch what this scan saw before returning, so no change after it goes unnoticed; and
      // every folder of the plugins this process has loaded, so an edit to any of their files
      // (a module the entry imports) makes their workers run the new code.
      await watcher?.sync([...scan.watchPaths, ...loadedDirectories]);
      return scan;
    },
    ...(watch
      ? {
          watch(changed: () => void) {
            const folderWatcher = new FolderWatcher({ debounceMs, onChange: changed });
            watcher = folderWatcher;
            // The first scan decides what to watch.
            changed();
            return () => folderWatcher.close();
          },
        }
      : {}),
  });
}
