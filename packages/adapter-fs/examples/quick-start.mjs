// node examples/quick-start.mjs <plugins directory>
import { createAdapter } from '@plugwork/adapter-fs';

const adapter = createAdapter({ directories: process.argv[2] ?? './plugins' });

const plugins = await adapter.discoverPlugins();
console.log('found:', plugins.map((plugin) => plugin.name).join(', '));

const textStats = plugins.find((plugin) => plugin.name === 'text-stats');
await adapter.loadPlugin(textStats, {});
const stats = await adapter.executePlugin('text-stats', { text: 'Drop a folder in. It runs.' });
console.log('words:', stats.words, 'sentences:', stats.sentences);

await adapter.dispose();
