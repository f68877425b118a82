// Params schemas: the descriptor carries them (from the manifest, else from the code once loaded),
// and params are validated before the plugin runs, naming every bad field.
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import {
  type CatalogAdapter,
  createCatalogAdapter,
  PluginParamsError,
  readPluginPackages,
} from '@plugwork/adapter-kit';
import type { PluginDescriptor } from '@plugwork/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, pluginSource, writePlugin, ZOD_URL } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let adapter: CatalogAdapter;

beforeEach(async () => {
  tmp = await makeTempDir();
});
afterEach(async () => {
  await adapter?.dispose();
  await tmp.remove();
});

function catalogOf(dir: string, watch?: (changed: () => void) => () => void): CatalogAdapter {
  return createCatalogAdapter({
    source: 'test',
    discover: async () =>
      readPluginPackages((await readdir(dir)).sort().map((name) => path.join(dir, name))),
    ...(watch === undefined ? {} : { watch }),
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (e: unknown) => e as Error,
  );
}

const MANIFEST_PARAMS = {
  type: 'object',
  required: ['text'],
  properties: {
    text: { type: 'string', minLength: 1 },
    top: { type: 'integer', minimum: 0, maximum: 50, default: 5 },
  },
  additionalProperties: false,
};

describe('params schemas', () => {
  it("a manifest's params JSON Schema is in the descriptor before loading, and validates jobs", async () => {
    await writePlugin(tmp.path, 'plain', {
      manifest: { name: 'plain', params: MANIFEST_PARAMS },
      files: {
        'index.js': pluginSource(
          `{ name: 'plain', execute: (params) => params, async *stream(params) { yield params.text; } }`,
        ),
      },
    });
    adapter = catalogOf(tmp.path);
    const [descriptor] = await adapter.discoverPlugins();
    expect(descriptor?.params_schema).toEqual(MANIFEST_PARAMS);
    await adapter.loadPlugin(descriptor as PluginDescriptor, {});
    // Valid params reach the plugin with the schema's defaults applied.
    expect(await adapter.executePlugin('plain', { text: 'hi' })).toEqual({ text: 'hi', top: 5 });
    const error = await rejection(adapter.executePlugin('plain', { top: 99, colour: 'red' }));
    expect(error).toBeInstanceOf(PluginParamsError);
    const fields = (error as PluginParamsError).issues.map((issue) => issue.path).sort();
    expect(fields).toEqual(['', 'text', 'top']);
    expect(error.message).toMatch(/^The params of this job for plugin "plain" are invalid: /);
    expect(error.message).toContain('text:');
    expect(error.message).toContain('top:');
    expect(error.message).toContain('colour');
    // Streams are validated the same way, before the first chunk.
    await expect(adapter.executePluginStream('plain', {})).rejects.toThrow(PluginParamsError);
  });

  it("the code's paramsSchema is the authority; its JSON Schema joins the descriptor once loaded", async () => {
    await writePlugin(tmp.path, 'typed', {
      files: {
        'index.js': pluginSource(
          `{ name: 'typed', paramsSchema: z.strictObject({ n: z.number().int(), label: z.string() }), execute: (params) => params }`,
          `import { z } from '${ZOD_URL}';`,
        ),
      },
    });
    adapter = catalogOf(tmp.path);
    const [descriptor] = await adapter.discoverPlugins();
    expect(descriptor?.params_schema).toBeUndefined();
    await adapter.loadPlugin(descriptor as PluginDescriptor, {});
    const [loaded] = await adapter.discoverPlugins();
    expect(loaded?.params_schema).toMatchObject({
      type: 'object',
      properties: { n: { type: 'integer' }, label: { type: 'string' } },
      required: ['n', 'label'],
    });
    const error = (await rejection(
      adapter.executePlugin('typed', { n: 1.5 }),
    )) as PluginParamsError;
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['label', 'n']);
  });

  it('a plugin without any params schema gets its params as they are', async () => {
    await writePlugin(tmp.path, 'free');
    adapter = catalogOf(tmp.path);
    const [descriptor] = await adapter.discoverPlugins();
    expect(descriptor?.params_schema).toBeUndefined();
    await adapter.loadPlugin(descriptor as PluginDescriptor, {});
    expect(await adapter.executePlugin('free', { anything: [1] })).toEqual({
      echo: { anything: [1] },
    });
  });

  it('a params JSON Schema that cannot be read makes the manifest invalid, saying so', async () => {
    await writePlugin(tmp.path, 'odd', {
      manifest: { name: 'odd', params: { type: 'object', properties: { a: { type: 'text' } } } },
    });
    adapter = catalogOf(tmp.path);
    expect(await adapter.discoverPlugins()).toEqual([]);
    const [diagnostic] = await adapter.getDiagnostics();
    expect(diagnostic).toMatchObject({ code: 'INVALID_MANIFEST', plugin_name: 'odd' });
    expect(diagnostic?.message).toContain('params: not a JSON Schema plugwork can read');
  });
});

const configPlugin = (name: string) =>
  pluginSource(
    `{ name: '${name}', configSchema: z.strictObject({ level: z.number().int() }), execute: (_p, { config }) => config }`,
    `import { z } from '${ZOD_URL}';`,
  );

describe('diagnostics after reloads', () => {
  it('a refused reload leaves the running plugin, and no diagnostic', async () => {
    await writePlugin(tmp.path, 'cfg', { files: { 'index.js': configPlugin('cfg') } });
    adapter = catalogOf(tmp.path);
    const [descriptor] = await adapter.discoverPlugins();
    await adapter.loadPlugin(descriptor as PluginDescriptor, { level: 1 });
    const refused = await rejection(adapter.reloadPlugin('cfg', { level: 'high' }));
    expect(refused.message).toContain('level:');
    expect(await adapter.executePlugin('cfg', {})).toEqual({ level: 1 });
    expect(await adapter.getDiagnostics()).toEqual([]);
    await adapter.refresh();
    expect(await adapter.getDiagnostics()).toEqual([]);
  });

  it('watchers hear of a failed load and of the load that fixes it', async () => {
    await writePlugin(tmp.path, 'cfg', { files: { 'index.js': configPlugin('cfg') } });
    adapter = catalogOf(tmp.path, () => () => {});
    const [descriptor] = await adapter.discoverPlugins();
    const heard: string[][] = [];
    adapter.watch?.(() => {
      void adapter.getDiagnostics().then((d) => heard.push(d.map((each) => each.code)));
    });
    await rejection(adapter.loadPlugin(descriptor as PluginDescriptor, { level: 'high' }));
    await adapter.loadPlugin(descriptor as PluginDescriptor, { level: 2 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(heard).toEqual([['INVALID_CONFIG'], []]);
  });
});
