// The example folder plugins in apps/demo/plugins, discovered and run through the adapter.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createAdapter } from '@plugwork/adapter-fs';
import type { CatalogAdapter } from '@plugwork/adapter-kit';
import { toJsonSchema } from '@plugwork/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DEMO_PLUGINS = path.join(import.meta.dirname, '../../../apps/demo/plugins');

let adapter: CatalogAdapter;
beforeAll(async () => {
  adapter = createAdapter({ directories: DEMO_PLUGINS });
  const plugins = await adapter.discoverPlugins();
  for (const plugin of plugins) {
    await adapter.loadPlugin(plugin, plugin.name === 'slugify' ? { separator: '_' } : {});
  }
});
afterAll(async () => {
  await adapter.dispose();
});

describe('the demo plugins', () => {
  it('are all discovered, without diagnostics', async () => {
    expect(adapter.getPlugins().map((plugin) => [plugin.name, plugin.streaming])).toEqual([
      ['slugify', false],
      ['text-stats', false],
      ['word-stream', true],
    ]);
    expect(await adapter.getDiagnostics()).toEqual([]);
  });

  it('text-stats counts words, lines, sentences and the most frequent words', async () => {
    const result = await adapter.executePlugin('text-stats', {
      text: 'The cat sat. The cat ran!\nA dog? The end',
      top: 2,
    });
    expect(result).toEqual({
      characters: 40,
      words: 10,
      lines: 2,
      sentences: 4,
      unique_words: 7,
      top_words: [
        { word: 'the', count: 3 },
        { word: 'cat', count: 2 },
      ],
    });
    // text-stats has no paramsSchema in its code: its manifest's JSON Schema validates.
    await expect(adapter.executePlugin('text-stats', { top: 99 })).rejects.toThrow(
      /params of this job for plugin "text-stats" are invalid: text: .*; top: /,
    );
  });

  it('word-stream streams word by word, reports progress and stops when cancelled', async () => {
    const progress: number[] = [];
    const chunks: string[] = [];
    const stream = await adapter.executePluginStream(
      'word-stream',
      { text: ' one two\nthree ', uppercase: true },
      {
        jobId: 'j1',
        signal: new AbortController().signal,
        reportProgress: (p) => progress.push(p),
      },
    );
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toEqual(['ONE', ' TWO', ' THREE']);
    expect(progress).toEqual([1 / 3, 2 / 3, 1]);

    const controller = new AbortController();
    const slow = await adapter.executePluginStream(
      'word-stream',
      { text: 'a b c d e f g h', delay_ms: 20 },
      { jobId: 'j2', signal: controller.signal, reportProgress: () => {} },
    );
    const received: string[] = [];
    for await (const chunk of slow) {
      received.push(chunk);
      if (received.length === 2) controller.abort();
    }
    expect(received).toEqual(['a', ' b']);

    expect(await adapter.executePlugin('word-stream', { text: 'x  y' })).toEqual({
      text: 'x y',
      count: 2,
    });
  });

  it('slugify uses its validated config and rejects a bad one field by field', async () => {
    expect(
      await adapter.executePlugin('slugify', { text: '  Héllo, Wörld — plugwork 2.0!  ' }),
    ).toEqual({ slug: 'hello_world_plugwork_2_0' });
    await adapter.reloadPlugin('slugify', { lowercase: false, maxLength: 11 });
    expect(await adapter.executePlugin('slugify', { text: 'Héllo, Wörld — again' })).toEqual({
      slug: 'Hello-World',
    });
    const error = await adapter
      .reloadPlugin('slugify', { separator: '/', maxLength: 0, x: 1 })
      .then(
        () => expect.unreachable(),
        (e: Error) => e,
      );
    expect(error.message).toContain('separator:');
    expect(error.message).toContain('maxLength:');
    expect(error.message).toContain('Unrecognized key');
    // The failed reload left the previous instance running.
    expect(await adapter.executePlugin('slugify', { text: 'still here' })).toEqual({
      slug: 'still-here',
    });
  });

  it.each([
    ['slugify', 'plugins/slugify/src/slugify.js'],
    ['hash-chain', 'plugins-extra/hash-chain/index.js'],
  ])("%s's manifest declares the params its zod paramsSchema takes", async (name, entry) => {
    const demo = path.join(DEMO_PLUGINS, '..');
    const manifest = JSON.parse(
      await readFile(
        path.join(demo, path.dirname(entry).replace(/\/src$/, ''), 'package.json'),
        'utf8',
      ),
    ).plugwork;
    expect(manifest.name).toBe(name);
    const { default: plugin } = await import(path.join(demo, entry));
    const derived = toJsonSchema(plugin.paramsSchema) as {
      properties: Record<string, Record<string, unknown>>;
      required?: string[];
    };
    const declared = manifest.params as typeof derived;
    expect(Object.keys(declared.properties)).toEqual(Object.keys(derived.properties));
    expect(declared.required ?? []).toEqual(derived.required ?? []);
    for (const [key, field] of Object.entries(derived.properties)) {
      for (const keyword of ['type', 'minimum', 'maximum', 'minLength', 'maxLength', 'default']) {
        expect(declared.properties[key]?.[keyword], `${key}.${keyword}`).toEqual(field[keyword]);
      }
    }
  });

  it("slugify's manifest JSON Schema describes the same fields as its zod schema", async () => {
    const manifestSchema = adapter.getPlugins().find((plugin) => plugin.name === 'slugify')
      ?.config_schema as { properties: Record<string, { default?: unknown }> };
    const { default: plugin } = await import(path.join(DEMO_PLUGINS, 'slugify/src/slugify.js'));
    const derived = toJsonSchema(plugin.configSchema) as typeof manifestSchema;
    expect(Object.keys(manifestSchema.properties).sort()).toEqual(
      Object.keys(derived.properties).sort(),
    );
    for (const [key, field] of Object.entries(derived.properties)) {
      expect(manifestSchema.properties[key]?.default, key).toEqual(field.default);
    }
  });
});
