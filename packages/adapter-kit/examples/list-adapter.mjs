// node examples/list-adapter.mjs <plugin folder>...
// A complete adapter whose plugins are an explicit list of folders: discovery is all it writes.
import { createCatalogAdapter, readPluginPackages } from '@plugwork/adapter-kit';

export function createAdapter({ folders }) {
  return createCatalogAdapter({
    source: 'list',
    // Read manifests only; each bad folder becomes a diagnostic, the first of two names wins.
    discover: () => readPluginPackages(folders),
  });
}

const adapter = createAdapter({ folders: process.argv.slice(2) });
for (const plugin of await adapter.discoverPlugins()) {
  await adapter.loadPlugin(plugin, {});
  console.log(`${plugin.name} (${plugin.source}, streaming: ${plugin.streaming})`);
}
for (const problem of await adapter.getDiagnostics()) console.log(problem.code, problem.location);

console.log(await adapter.executePlugin('slugify', { text: 'Written once, shared by all' }));
await adapter.dispose();
