import { readFile } from 'node:fs/promises';
import { isPlugin, toJsonSchema } from '@plugwork/protocol';
import { describe, expect, it } from 'vitest';
import plugin, { buildToc, configSchema, extractHeadings, paramsSchema } from '../src/index.ts';

const context = (config: unknown) => ({
  jobId: 'test',
  signal: new AbortController().signal,
  reportProgress: () => undefined,
  config: configSchema.parse(config),
  state: undefined,
});

describe('extractHeadings', () => {
  it('reads ATX and setext headings and reduces inline Markdown to text', () => {
    const markdown = [
      '# Title #',
      'Intro with a # that is not a heading',
      '## [Install](./install.md) `npm` **now**',
      '#NoSpace is not a heading',
      'Setext one',
      '===',
      'Setext two',
      '---',
      '###### Six',
      '####### seven is too deep',
    ].join('\n');
    expect(extractHeadings(markdown)).toEqual([
      { depth: 1, text: 'Title' },
      { depth: 2, text: 'Install npm now' },
      { depth: 1, text: 'Setext one' },
      { depth: 2, text: 'Setext two' },
      { depth: 6, text: 'Six' },
    ]);
  });

  it('skips fenced code blocks, closed only by a matching fence', () => {
    const markdown = [
      '# Before',
      '````sh',
      '# a shell comment',
      '```',
      '# still code',
      '````',
      '~~~',
      '## tilde code',
      '~~~',
      '## After',
    ].join('\n');
    expect(extractHeadings(markdown).map((h) => h.text)).toEqual(['Before', 'After']);
  });
});

describe('buildToc', () => {
  it('numbers repeated anchors the way GitHub does, counting unlisted headings too', () => {
    const headings = extractHeadings('# Usage\n## Usage\n#### Usage\n## Usage');
    const toc = buildToc(headings, { minDepth: 2, maxDepth: 3, bullet: '*' });
    expect(toc.entries.map((e) => e.slug)).toEqual(['usage-1', 'usage-3']);
    expect(toc.lines).toEqual(['* [Usage](#usage-1)', '* [Usage](#usage-3)']);
  });

  it('nests by depth relative to the shallowest listed heading and escapes link text', () => {
    const toc = buildToc(extractHeadings('## A [b]\n### C\n#### D'), {
      minDepth: 1,
      maxDepth: 6,
      bullet: '-',
    });
    expect(toc.lines).toEqual(['- [A \\[b\\]](#a-b)', '  - [C](#c)', '    - [D](#d)']);
  });
});

describe('the plugin', () => {
  it('is a plugwork plugin named like its manifest', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(isPlugin(plugin)).toBe(true);
    expect(plugin.name).toBe(pkg.plugwork.name);
  });

  it('executes: the README example', () => {
    const params = paramsSchema.parse({ markdown: '# Guide\n## Install\n## Usage\n### Usage' });
    expect(plugin.execute(params, context({}))).toEqual({
      entries: [
        { depth: 1, text: 'Guide', slug: 'guide' },
        { depth: 2, text: 'Install', slug: 'install' },
        { depth: 2, text: 'Usage', slug: 'usage' },
        { depth: 3, text: 'Usage', slug: 'usage-1' },
      ],
      toc: '- [Guide](#guide)\n  - [Install](#install)\n  - [Usage](#usage)\n    - [Usage](#usage-1)',
    });
  });

  it('streams one line per entry and stops when the job is cancelled', async () => {
    const markdown = '# A\n## B\n## C';
    const chunks: string[] = [];
    for await (const chunk of plugin.stream!({ markdown }, context({ maxDepth: 2 }))) {
      chunks.push(chunk);
    }
    expect(chunks).toEqual(['- [A](#a)\n', '  - [B](#b)\n', '  - [C](#c)\n']);

    const controller = new AbortController();
    const cancelled: string[] = [];
    for await (const chunk of plugin.stream!(
      { markdown },
      { ...context({}), signal: controller.signal },
    )) {
      cancelled.push(chunk);
      controller.abort();
    }
    expect(cancelled).toEqual(['- [A](#a)\n']);
  });

  it('rejects a config whose minDepth exceeds maxDepth, naming the field', () => {
    const result = configSchema.safeParse({ minDepth: 4, maxDepth: 2 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['minDepth']);
  });

  it('declares in package.json the same config fields and defaults its configSchema has', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const fromZod = toJsonSchema(configSchema) as {
      properties: Record<string, Record<string, unknown>>;
    };
    const declared = pkg.plugwork.config.properties as Record<string, Record<string, unknown>>;
    expect(Object.keys(declared)).toEqual(Object.keys(fromZod.properties));
    for (const [key, schema] of Object.entries(fromZod.properties)) {
      for (const field of ['type', 'minimum', 'maximum', 'default', 'enum']) {
        expect(declared[key]?.[field], `${key}.${field}`).toEqual(schema[field]);
      }
    }
  });

  it('declares in package.json the params its paramsSchema takes, so forms exist before it loads', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    const fromZod = toJsonSchema(paramsSchema) as {
      properties: Record<string, Record<string, unknown>>;
      required: string[];
    };
    const declared = pkg.plugwork.params;
    expect(Object.keys(declared.properties)).toEqual(Object.keys(fromZod.properties));
    expect(declared.required).toEqual(fromZod.required);
    for (const [key, schema] of Object.entries(fromZod.properties)) {
      expect(declared.properties[key]?.type, key).toEqual(schema.type);
    }
    // The example the demo's form starts from is a document the plugin turns into a TOC.
    const [example] = declared.properties.markdown.examples;
    const result = plugin.execute(paramsSchema.parse({ markdown: example }), context({}));
    expect((result as { entries: unknown[] }).entries).toHaveLength(7);
  });
});
