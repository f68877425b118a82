// The manifest's `engine` range for Python plugin folders: the host tells its Python workers
// its plugwork version, and a plugin whose range leaves it out is refused as adapter-kit
// refuses a JavaScript one (UNSUPPORTED_ENGINE, naming the plugin, its range and the version).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PLUGWORK_VERSION } from '@plugwork/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers.ts';

let dir: string;
let harness: Harness;

function writePlugin(name: string, engine: string | undefined): void {
  const folder = path.join(dir, name);
  mkdirSync(folder);
  const manifest = engine === undefined ? { runtime: 'python' } : { runtime: 'python', engine };
  writeFileSync(path.join(folder, 'package.json'), JSON.stringify({ name, plugwork: manifest }));
  writeFileSync(
    path.join(folder, 'main.py'),
    `from plugwork_worker import define_plugin\nplugin = define_plugin(name="${name}", execute=lambda p, c: {"ran": "${name}"})\n`,
  );
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'plugwork-py-engine-'));
  // The ranges are written around the host's version, so the test holds at any release.
  const [major] = PLUGWORK_VERSION.split('.');
  writePlugin('fits', `>=${PLUGWORK_VERSION} <${Number(major) + 1}.0.0-0`);
  writePlugin('too-new', `>${PLUGWORK_VERSION}`);
  writePlugin('unbounded', undefined);
  harness = await startHarness({
    runtime: 'python',
    // What fsAdapter({ directories }) of @plugwork/adapter-fs gives.
    adapter: { module: '@plugwork/adapter-fs', options: { directories: [dir] } },
  });
});
afterAll(async () => {
  await harness?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runtime python: the engine range', () => {
  it('a plugin whose range leaves out this plugwork is refused, naming plugin, range and version', async () => {
    const { plugins, diagnostics } = harness.manager.catalog;
    expect(plugins.map((plugin) => plugin.name).sort()).toEqual(['fits', 'unbounded']);
    expect(diagnostics).toContainEqual(
      expect.objectContaining({
        code: 'UNSUPPORTED_ENGINE',
        plugin_name: 'too-new',
        message:
          `Plugin "too-new" (${path.join(dir, 'too-new')}) requires plugwork >${PLUGWORK_VERSION}, ` +
          `but this is plugwork ${PLUGWORK_VERSION}. Use a version of the plugin made for plugwork ` +
          `${PLUGWORK_VERSION}, or widen "plugwork.engine" if the plugin is known to work.`,
      }),
    );
    await expect(harness.manager.submit('fits', {}).result).resolves.toEqual({ ran: 'fits' });
    expect(() => harness.manager.submit('too-new', {})).toThrow(/too-new/);
  });
});
