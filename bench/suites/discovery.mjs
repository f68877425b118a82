// (6) Discovery: 1,000 plugin folders (adapter-fs); a node_modules of 1,000 packages of which 50
// are plugins (adapter-npm). Each round builds a fresh adapter and discovers once.
import { createAdapter as createFsAdapter } from '@plugwork/adapter-fs';
import { createAdapter as createNpmAdapter } from '@plugwork/adapter-npm';
import { createNodeModules, createPluginFolders } from '../lib/fixture-trees.mjs';
import { elapsedMs, median } from '../lib/stats.mjs';

async function time(rounds, expected, discover) {
  const times = [];
  for (let round = 0; round < rounds + 1; round++) {
    const start = process.hrtime.bigint();
    const plugins = await discover();
    const took = elapsedMs(start);
    if (plugins.length !== expected) {
      throw new Error(`discovery found ${plugins.length} plugins, expected ${expected}`);
    }
    if (round > 0) times.push(took);
  }
  return median(times);
}

export async function measureDiscovery(config) {
  const folders = createPluginFolders(config.fsPlugins);
  const modules = createNodeModules(config.npmPackages, config.npmPlugins);
  try {
    const fsMs = await time(config.rounds, config.fsPlugins, async () => {
      const adapter = await createFsAdapter({ directories: [folders.root] });
      try {
        return await adapter.discoverPlugins();
      } finally {
        await adapter.dispose?.();
      }
    });
    const npmMs = await time(config.rounds, config.npmPlugins, async () => {
      const adapter = await createNpmAdapter({ root: modules.root });
      try {
        return await adapter.discoverPlugins();
      } finally {
        await adapter.dispose?.();
      }
    });
    return { fsMs, npmMs };
  } finally {
    folders.cleanup();
    modules.cleanup();
  }
}
