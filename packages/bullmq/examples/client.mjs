import { BullmqRunner } from '@plugwork/bullmq';

const runner = new BullmqRunner({ connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });

const job = await runner.submit('greet', { name: 'world' });
console.log(await job.result); // { text: 'Hello, world!' }

const streamed = await runner.submit('greet', { name: 'stream' }, { stream: true });
for await (const chunk of streamed) process.stdout.write(chunk);
process.stdout.write('\n'); // Hello, stream!

const [node] = await runner.listNodes();
console.log(node.plugins, node.poolSize); // [ 'greet' ] 2
await runner.close();
