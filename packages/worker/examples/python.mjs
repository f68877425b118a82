import { fileURLToPath } from 'node:url';
import { JobManager } from '@plugwork/worker';

const manager = new JobManager({
  runtime: 'python', // workers run python3 (>= 3.9), or worker.pythonPath
  adapter: {
    // Python plugin folders; fsAdapter({ directories }) from @plugwork/adapter-fs means the same.
    module: 'plugwork_worker.folder_adapter',
    export: 'FolderAdapter',
    options: { directories: [fileURLToPath(new URL('./python-plugins', import.meta.url))] },
  },
  pluginConfigs: { 'word-stream': { upper: true } },
});
await manager.start(); // one Python worker process, "word-stream" loaded

console.log(await manager.submit('word-stream', { text: 'plugins in Python' }).result); // { words: 3 }

const progress = [];
manager.on('job:progress', (event) =>
  progress.push(`${event.message} ${Math.round(event.progress * 100)}%`),
);
const job = manager.submit('word-stream', { text: 'streamed from Python' }, { stream: true });
for await (const chunk of job) process.stdout.write(chunk);
process.stdout.write('\n'); // STREAMED FROM PYTHON
console.log(progress.join(', ')); // streamed 33%, from 67%, Python 100%

await manager.shutdown(); // the worker disposes its plugin and exits
