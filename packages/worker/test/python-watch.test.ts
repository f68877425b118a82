// Watch mode with Python plugins: editing any .py file of a loaded plugin's folder makes its
// worker say so (plugins_changed with changed_plugins), the host replaces that worker, and the
// next job runs the new code.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

let dir: string;
let harness: Harness | undefined;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'plugwork-py-watch-'));
});
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function writeGreeter(word: string): string {
  const folder = path.join(dir, 'greeter');
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    path.join(folder, 'package.json'),
    JSON.stringify({ name: 'greeter', plugwork: { runtime: 'python' } }),
  );
  writeFileSync(
    path.join(folder, 'main.py'),
    [
      'import os',
      'from plugwork_worker import define_plugin',
      'from .words import greet',
      'plugin = define_plugin(name="greeter", execute=lambda p, c: {"text": greet(p["who"]), "pid": os.getpid()})',
      '',
    ].join('\n'),
  );
  writeWords(folder, word);
  return folder;
}

function writeWords(folder: string, word: string): void {
  const file = path.join(folder, 'words.py');
  writeFileSync(file, `def greet(who):\n    return "${word}, " + who\n`);
  // A later mtime even on a file system with coarse timestamps.
  const later = new Date(Date.now() + 2_000);
  utimesSync(file, later, later);
}

describe('runtime python: watch mode', () => {
  it('an edited module of a loaded plugin runs on the next jobs, in a fresh worker', async () => {
    const folder = writeGreeter('Hello');
    harness = await startHarness({
      runtime: 'python',
      // What fsAdapter({ directories, watch, debounceMs }) of @plugwork/adapter-fs gives.
      adapter: {
        module: '@plugwork/adapter-fs',
        options: { directories: [dir], watch: true, debounceMs: 50 },
      },
    });
    const first = (await harness.manager.submit('greeter', { who: 'Ada' }).result) as {
      text: string;
      pid: number;
    };
    expect(first.text).toBe('Hello, Ada');

    const exits: (string | undefined)[] = [];
    harness.manager.on('worker:exited', (event) => exits.push(event.killedFor));
    writeWords(folder, 'Bonjour');
    const deadline = Date.now() + 15_000;
    let last: { text: string; pid: number } | undefined;
    for (;;) {
      const done = await harness.manager.submit('greeter', { who: 'Ada' }).done;
      last = done.result as { text: string; pid: number };
      if (done.status === 'completed' && last.text === 'Bonjour, Ada') break;
      if (Date.now() > deadline) throw new Error(`still not "Bonjour": ${JSON.stringify(done)}`);
      await sleep(50);
    }
    // A fresh process runs it (the old one held the old module); it was replaced, not crashed.
    expect(last.pid).not.toBe(first.pid);
    expect(exits.length).toBeGreaterThanOrEqual(1);
    const [state] = await harness.manager.getWorkerStates();
    expect(state!.recentCrashes).toBe(0);
  });
});
