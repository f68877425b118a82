// node examples/watch.mjs <a plugin folder to drop in>
// Watches an empty plugins directory, copies a plugin folder into it, and waits for it to appear.
import { cp, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createAdapter } from '@plugwork/adapter-fs';

const pluginsDir = await mkdtemp(join(tmpdir(), 'plugins-'));
const adapter = createAdapter({ directories: pluginsDir, watch: true, debounceMs: 100 });
console.log('at start:', (await adapter.discoverPlugins()).length, 'plugins');

const arrived = new Promise((resolve) => {
  const stop = adapter.watch(() => {
    const names = adapter.getPlugins().map((plugin) => plugin.name);
    if (names.length === 0) return;
    stop();
    resolve(names);
  });
});
// Copy under a name starting with "." (ignored), then rename: the plugin appears complete.
const name = basename(process.argv[2]);
await cp(process.argv[2], join(pluginsDir, `.incoming-${name}`), { recursive: true });
await rename(join(pluginsDir, `.incoming-${name}`), join(pluginsDir, name));
console.log('after the copy:', await arrived);

await adapter.dispose();
await rm(pluginsDir, { recursive: true });
