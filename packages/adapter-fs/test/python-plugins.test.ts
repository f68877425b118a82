// One directory, plugins in two languages: the same fsAdapter() spec serves the JavaScript ones
// in a Node JobManager and the Python ones in a Python JobManager (runtime 'python').
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { fsAdapter } from '@plugwork/adapter-fs';
import { JobManager } from '@plugwork/worker';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, pluginSource, writePlugin } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
const managers: JobManager[] = [];
beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.shutdown()));
  await tmp.remove();
});

const quiet = { output: () => {}, warn: () => {} };

describe('a mixed plugins directory', () => {
  it('each runtime offers its own plugins and diagnoses the others', async () => {
    const dir = path.join(tmp.path, 'plugins');
    await writePlugin(dir, 'upper', {
      files: {
        'index.js': pluginSource(
          `{ name: 'upper', execute: ({ text }) => ({ text: text.toUpperCase() }) }`,
        ),
      },
    });
    const python = path.join(dir, 'lower');
    await mkdir(python, { recursive: true });
    await writeFile(
      path.join(python, 'package.json'),
      JSON.stringify({ name: 'lower', plugwork: { runtime: 'python', entry: 'main.py' } }),
    );
    await writeFile(
      path.join(python, 'main.py'),
      'from plugwork_worker import define_plugin\n' +
        'plugin = define_plugin(name="lower", execute=lambda params, ctx: {"text": params["text"].lower()})\n',
    );

    const plugins = fsAdapter({ directories: [dir] });
    const node = new JobManager({ adapter: plugins, logger: quiet });
    const py = new JobManager({ adapter: plugins, runtime: 'python', logger: quiet });
    managers.push(node, py);
    await Promise.all([node.start(), py.start()]);

    expect(node.catalog.plugins.map((plugin) => plugin.name)).toEqual(['upper']);
    expect(node.catalog.diagnostics).toEqual([
      expect.objectContaining({ code: 'OTHER_RUNTIME', plugin_name: 'lower', location: python }),
    ]);
    expect(py.catalog.plugins).toEqual([
      expect.objectContaining({ name: 'lower', source: 'fs', location: python }),
    ]);
    expect(py.catalog.diagnostics).toEqual([
      expect.objectContaining({ code: 'OTHER_RUNTIME', plugin_name: 'upper' }),
    ]);

    const managerFor = (name: string) =>
      node.catalog.plugins.some((plugin) => plugin.name === name) ? node : py;
    await expect(managerFor('upper').submit('upper', { text: 'Mixed' }).result).resolves.toEqual({
      text: 'MIXED',
    });
    await expect(managerFor('lower').submit('lower', { text: 'Mixed' }).result).resolves.toEqual({
      text: 'mixed',
    });
  });
});
