// A process's own memory: the pages only it uses (Private_Clean + Private_Dirty of
// /proc/<pid>/smaps_rollup, Linux). RSS also counts shared pages of the node binary, which a
// process pages in by running more of Node (the optimizing compiler, for one) and which every
// Node process on the machine shares.
import { readFileSync } from 'node:fs';

/** In MB, or undefined where /proc has no smaps_rollup. */
export function privateMemoryMb(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    return undefined;
  }
  let kb = 0;
  for (const line of text.split('\n')) {
    const match = /^Private_(?:Clean|Dirty):\s+(\d+) kB/.exec(line);
    if (match) kb += Number(match[1]);
  }
  return kb / 1024;
}
