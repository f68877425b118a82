import { startBarePool } from './lib/bare-pool.mjs';
import { startManager } from './lib/manager.mjs';
import { elapsedMs, median } from './lib/stats.mjs';

const floorPool = await startBarePool('big-child.mjs', 1);
const manager = await startManager({ pluginConfigs: { big: {} } });
const f = [],
  p = [];
for (let i = 0; i < 60; i++) {
  let s = process.hrtime.bigint();
  await floorPool.run();
  f.push(elapsedMs(s));
  s = process.hrtime.bigint();
  await manager.submit('big').result;
  p.push(elapsedMs(s));
}
await floorPool.close();
await manager.shutdown();
const min = (a) => Math.min(...a.slice(5));
console.log(
  'floor min',
  min(f).toFixed(2),
  'median',
  median(f.slice(5)).toFixed(2),
  '| plugwork min',
  min(p).toFixed(2),
  'median',
  median(p.slice(5)).toFixed(2),
);
