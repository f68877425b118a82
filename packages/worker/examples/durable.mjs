import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobManager } from '@plugwork/worker';

const dir = mkdtempSync(join(tmpdir(), 'plugwork-'));
const options = {
  adapter: { module: new URL('./hello-adapter.mjs', import.meta.url) },
  pluginConfigs: { greet: { greeting: 'Hello' } },
  store: { sqlite: join(dir, 'jobs.db') },
};

let manager = new JobManager(options);
await manager.start();
const job = manager.submit('greet', { name: 'world' }, { id: 'greet-world', attempts: 3 });
console.log(await job.result); // { text: 'Hello, world!' }
manager.submit('greet', { name: 'later' }, { id: 'greet-later', delay: 60_000 });
await manager.shutdown(); // the delayed job stays queued in the file

manager = new JobManager(options); // the next start, on the same file
await manager.start();
console.log(manager.getJob('greet-later').status); // pending
const again = manager.submit('greet', { name: 'world' }, { id: 'greet-world' });
console.log((await again.result).text); // Hello, world! (the stored job: nothing ran twice)
console.log(manager.listJobs({ order: 'newest' }).map(({ id }) => id)); // [ 'greet-later', 'greet-world' ]
await manager.shutdown();
rmSync(dir, { recursive: true });
