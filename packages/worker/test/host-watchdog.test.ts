// The host's watchdog process (parent/host-watchdog.ts): one per host, whatever the number of
// workers, and gone once the host has no worker left. What it is for, killing workers stuck in
// a synchronous loop after their host was SIGKILLed, is tested in lifecycle.test.ts and
// deno-worker.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startHarness } from './helpers.ts';

/** Pids of this process's children that run the watchdog script. */
function watchdogs(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes('plugwork-watchdog')) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

async function eventually(check: () => boolean, withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) return;
    await sleep(20);
  }
}

describe.runIf(process.platform === 'linux')('the host watchdog', () => {
  it('is one process for all of a host’s workers, and ends with the last worker', async () => {
    const first = await startHarness({ poolSize: 2 });
    const second = await startHarness({ poolSize: 1 });
    try {
      expect(first.pids.size + second.pids.size).toBe(3);
      expect(watchdogs()).toHaveLength(1);
      await first.close();
      expect(watchdogs()).toHaveLength(1);
    } finally {
      await first.close();
      await second.close();
    }
    // At once, not after a grace period: the host unregistered every worker before closing.
    const closed = Date.now();
    await eventually(() => watchdogs().length === 0);
    expect(watchdogs()).toStrictEqual([]);
    expect(Date.now() - closed).toBeLessThan(2_000);
  });
});
