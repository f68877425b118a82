// node examples/with-job-manager.mjs <project folder>
import { npmAdapter } from '@plugwork/adapter-npm';
import { JobManager } from '@plugwork/worker';

const manager = new JobManager({
  // A serialisable spec: each worker process imports the adapter and builds it from this.
  adapter: npmAdapter({ root: process.argv[2] ?? '.' }),
  pluginConfigs: { 'markdown-toc': { maxDepth: 2 } },
});
const { plugins } = await manager.start();
console.log('plugins:', plugins.map((plugin) => `${plugin.name}@${plugin.version}`).join(', '));

const markdown = '# Guide\n## Install\n### From npm\n## Usage';
const { toc } = await manager.submit('markdown-toc', { markdown }).result;
console.log(toc);

let streamed = '';
for await (const chunk of manager.submit('markdown-toc', { markdown }, { stream: true })) {
  streamed += chunk;
}
console.log('streamed lines:', streamed.split('\n').filter(Boolean).length);

await manager.shutdown();
