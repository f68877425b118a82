import { definePlugin } from '@plugwork/protocol';
import { extractHeadings } from './headings.ts';
import { configSchema, paramsSchema } from './schemas.ts';
import { buildToc } from './toc.ts';

export default definePlugin({
  // The same name as "plugwork.name" in package.json: the adapters check that they match.
  name: 'markdown-toc',
  description: 'Builds a table of contents with GitHub-style anchors from Markdown headings',
  configSchema,
  paramsSchema,

  execute({ markdown }, { config }) {
    const toc = buildToc(extractHeadings(markdown), config);
    return { entries: toc.entries, toc: toc.lines.join('\n') };
  },

  // Streaming: one line of the table of contents per chunk, as soon as it is ready.
  async *stream({ markdown }, { config, signal }) {
    for (const line of buildToc(extractHeadings(markdown), config).lines) {
      if (signal.aborted) return;
      yield `${line}\n`;
    }
  },
});
