import { readFileSync } from 'node:fs';
import { startBareChild, stopBareChild } from './lib/bare-child.mjs';
import { startManager } from './lib/manager.mjs';
const ticks = (pid) => { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const b = [], p = [];
for (let i = 0; i < 8; i++) {
  const child = await startBareChild('echo-child.mjs'); b.push(ticks(child.pid)); await stopBareChild(child);
  const m = await startManager(); const [st] = await m.getWorkerStates(); p.push(ticks(st.pid)); await m.shutdown();
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log('CPU ms at first message: bare', med(b), b.join(','), '| plugwork worker at ready', med(p), p.join(','));
