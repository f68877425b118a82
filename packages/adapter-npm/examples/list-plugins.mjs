// node examples/list-plugins.mjs <project folder>
import * as path from 'node:path';
import { listInstalledPlugins } from '@plugwork/adapter-npm';

const root = path.resolve(process.argv[2] ?? '.');
const { plugins, diagnostics } = await listInstalledPlugins({ root });

for (const plugin of plugins) {
  console.log(`${plugin.pluginName}: ${plugin.packageName}@${plugin.version}`);
}
for (const diagnostic of diagnostics) {
  console.log(`${diagnostic.code}: ${path.relative(root, diagnostic.location)}`);
}
