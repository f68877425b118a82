// Edited plugin code runs on the next job, imports included: the worker processes that ran the
// plugin are replaced between jobs (their module cache holds the old code), in watch mode as
// soon as a file changes and on reloadPlugin() without it.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fsAdapter } from '@plugwork/adapter-fs';
import { JobManager } from '@plugwork/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, pluginSource, writePlugin } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let manager: JobManager | undefined;
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await manager?.shutdown();
  manager = undefined;
  await tmp.remove();
});

/** A plugin whose entry imports a helper module: the helper is what the tests edit. */
async function writeGreeter(dir: string): Promise<string> {
  const folder = await writePlugin(dir, 'greeter', {
    files: {
      'index.js': pluginSource(
        `{ name: 'greeter', execute: ({ who }) => ({ text: greet(who), pid: process.pid }) }`,
        `import { greet } from './lib/greet.js';`,
      ),
    },
  });
  await mkdir(path.join(folder, 'lib'), { recursive: true });
  await writeHelper(folder, 'Hello');
  return folder;
}

function writeHelper(folder: string, word: string): Promise<void> {
  return writeFile(
    path.join(folder, 'lib', 'greet.js'),
    `export const greet = (who) => '${word}, ' + who;\n`,
  );
}

async function greet(who: string): Promise<{ text: string; pid: number }> {
  return (await manager!.submit('greeter', { who }).result) as { text: string; pid: number };
}

/** Submits until the answer changes (the recycle takes a debounce and a process start). */
async function untilText(who: string, expected: string): Promise<{ text: string; pid: number }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const done = await manager!.submit('greeter', { who }).done;
    if (done.status === 'completed' && (done.result as { text: string }).text === expected) {
      return done.result as { text: string; pid: number };
    }
    if (Date.now() > deadline) {
      throw new Error(`still not "${expected}": last job ${JSON.stringify(done)}`);
    }
    await sleep(50);
  }
}

describe('watch mode', () => {
  it('a change to a module the entry imports runs on the next jobs, in a fresh process', async () => {
    const dir = path.join(tmp.path, 'plugins');
    const folder = await writeGreeter(dir);
    manager = new JobManager({
      adapter: fsAdapter({ directories: dir, watch: true, debounceMs: 50 }),
    });
    await manager.start();
    const first = await greet('Ada');
    expect(first.text).toBe('Hello, Ada');

    const exits: string[] = [];
    manager.on('worker:exited', (event) => exits.push(event.killedFor ?? 'crash'));
    await writeHelper(folder, 'Bonjour');
    const after = await untilText('Ada', 'Bonjour, Ada');
    // The old process (and the old module with it) is gone; the replacement was no crash.
    expect(after.pid).not.toBe(first.pid);
    expect(exits).toEqual(['recycle']);
    expect(manager.getWorkerStates).toBeTypeOf('function');
    const [state] = await manager.getWorkerStates();
    expect(state?.restarts).toBe(0);
  });

  it('jobs queued while the worker is replaced wait and run on the new code; none is lost', async () => {
    const dir = path.join(tmp.path, 'plugins');
    const folder = await writeGreeter(dir);
    manager = new JobManager({
      adapter: fsAdapter({ directories: dir, watch: true, debounceMs: 50 }),
    });
    await manager.start();
    await greet('warm-up');
    const recycled = new Promise<void>((resolve) =>
      manager?.on('worker:restarted', () => resolve()),
    );
    await writeHelper(folder, 'Hej');
    await recycled;
    const jobs = Array.from({ length: 10 }, (_, index) =>
      manager!.submit('greeter', { who: `${index}` }),
    );
    const results = await Promise.all(jobs.map((job) => job.result));
    expect(results.map((result) => (result as { text: string }).text)).toEqual(
      Array.from({ length: 10 }, (_, index) => `Hej, ${index}`),
    );
  });

  it('a change that breaks the plugin stops it: its jobs fail with the load error and its diagnostic shows, until fixed', async () => {
    const dir = path.join(tmp.path, 'plugins');
    const folder = await writeGreeter(dir);
    manager = new JobManager({
      adapter: fsAdapter({ directories: dir, watch: true, debounceMs: 50 }),
    });
    await manager.start();
    await greet('Ada');
    await writeFile(path.join(folder, 'lib', 'greet.js'), 'export const greet = (who) => {;\n');

    const deadline = Date.now() + 15_000;
    let failure: { code?: string; message?: string } | undefined;
    while (Date.now() < deadline) {
      const done = await manager.submit('greeter', { who: 'Ada' }).done;
      if (done.status === 'failed') {
        failure = done.error;
        break;
      }
      await sleep(50);
    }
    expect(failure?.code).toBe('PLUGIN_LOAD_FAILED');
    expect(failure?.message).toMatch(/greet\.js|SyntaxError|Unexpected/);
    await expect
      .poll(() => manager!.catalog.diagnostics.some((d) => d.plugin_name === 'greeter'), {
        timeout: 10_000,
      })
      .toBe(true);

    await writeHelper(folder, 'Fixed');
    await untilText('Ada', 'Fixed, Ada');
    await expect
      .poll(() => manager!.catalog.diagnostics.some((d) => d.plugin_name === 'greeter'), {
        timeout: 10_000,
      })
      .toBe(false);
  });
});

describe('reloadPlugin without watch mode', () => {
  it('runs the edited code on the next job, imports included', async () => {
    const dir = path.join(tmp.path, 'plugins');
    const folder = await writeGreeter(dir);
    manager = new JobManager({ adapter: fsAdapter({ directories: dir }), poolSize: 2 });
    await manager.start();
    const before = await Promise.all([greet('a'), greet('b')]);
    expect(before.map((result) => result.text)).toEqual(['Hello, a', 'Hello, b']);
    await writeHelper(folder, 'Salut');
    await manager.reloadPlugin('greeter');
    const after = await Promise.all([greet('a'), greet('b'), greet('c')]);
    expect(after.map((result) => result.text)).toEqual(['Salut, a', 'Salut, b', 'Salut, c']);
  });
});
