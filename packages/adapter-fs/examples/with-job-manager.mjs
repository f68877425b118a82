// node examples/with-job-manager.mjs <plugins directory>
import { fsAdapter } from '@plugwork/adapter-fs';
import { JobManager } from '@plugwork/worker';

const manager = new JobManager({
  // A serialisable spec: each worker process imports the adapter and builds it from this.
  adapter: fsAdapter({ directories: [process.argv[2] ?? './plugins'] }),
  pluginConfigs: { slugify: { separator: '_' } },
});
const { plugins, diagnostics } = await manager.start();
console.log('plugins:', plugins.map((plugin) => plugin.name).join(', '));
console.log('diagnostics:', diagnostics.length);

console.log(await manager.submit('slugify', { text: 'Plugins in worker processes' }).result);

let streamed = '';
for await (const chunk of manager.submit('word-stream', { text: 'one two' }, { stream: true })) {
  streamed += chunk;
}
console.log('streamed:', streamed);

await manager.shutdown();
