// A worker process loads no schema library unless a plugin does: its own code (child/,
// transport/, errors, json-safe) imports only the zod-free `@plugwork/protocol/wire`, and the
// build bundles it into one file (scripts/bundle-child.mjs fails the build if zod got in).
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

const ADAPTER = new URL('./fixtures/module-graph-adapter.mjs', import.meta.url).href;
const RECORDER = new URL('./fixtures/record-modules.mjs', import.meta.url).href;

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const zod = (url: string) => /\/zod[@/]/.test(url);

describe('a lean worker', () => {
  it('resolves no zod module and not the zod-based protocol entry, until a plugin imports zod', async () => {
    harness = await startHarness({
      adapter: { module: ADAPTER },
      worker: { execArgv: ['--import', RECORDER] },
    });
    const before = (await harness.manager.submit('modules').result).modules as string[];
    // The recorder saw the worker's entry (the one-file bundle the build makes of it) and the
    // adapter, so an empty zod list means something.
    expect(before.some((url) => url.endsWith('/dist/child/main.bundle.js'))).toBe(true);
    expect(before.some((url) => url.endsWith('/module-graph-adapter.mjs'))).toBe(true);
    expect(before.filter(zod)).toStrictEqual([]);
    expect(before.filter((url) => url.endsWith('/protocol/dist/index.js'))).toStrictEqual([]);

    const after = (await harness.manager.submit('import-zod').result).modules as string[];
    expect(after.filter(zod).length).toBeGreaterThan(0);
  });
});
