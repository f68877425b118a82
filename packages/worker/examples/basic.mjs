import { JobManager } from '@plugwork/worker';

const manager = new JobManager({
  adapter: { module: new URL('./hello-adapter.mjs', import.meta.url) },
  pluginConfigs: { greet: { greeting: 'Hello' } },
});
await manager.start(); // one worker process, "greet" loaded

const job = manager.submit('greet', { name: 'world' });
console.log(await job.result); // { text: 'Hello, world!' }

const streamed = manager.submit('greet', { name: 'stream' }, { stream: true });
for await (const chunk of streamed) process.stdout.write(chunk);
process.stdout.write('\n'); // Hello, stream!

await manager.shutdown(); // the worker disposes its plugin and exits
