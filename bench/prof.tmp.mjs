import { startManager } from './lib/manager.mjs';

const m = await startManager({
  worker: { execArgv: ['--cpu-prof', '--cpu-prof-dir=/tmp/prof', '--cpu-prof-interval=100'] },
});
await m.shutdown();
