// A plugin with a config schema: the config is validated (every failing field listed) before
// setup runs, and a UI gets its JSON Schema to render a form.
import { definePlugin } from '@plugwork/protocol';
import { z } from 'zod';

export default definePlugin({
  name: 'slugify',
  description: 'Turns titles into URL slugs; separator, case and length are configurable.',
  configSchema: z.strictObject({
    separator: z.enum(['-', '_', '.']).default('-'),
    lowercase: z.boolean().default(true),
    maxLength: z.number().int().min(1).max(200).default(80),
  }),
  paramsSchema: z.object({ text: z.string().min(1) }),
  setup(config) {
    // Work done once per load, reused by every job: the patterns for this separator.
    const separator = config.separator;
    const escaped = separator.replace(/[.]/g, '\\.');
    return {
      runs: new RegExp(`${escaped}{2,}`, 'g'),
      edges: new RegExp(`^${escaped}|${escaped}$`, 'g'),
    };
  },
  execute({ text }, { config, state }) {
    let slug = text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/[^\p{L}\p{N}]+/gu, config.separator)
      .replace(state.runs, config.separator)
      .replace(state.edges, '');
    if (config.lowercase) slug = slug.toLowerCase();
    if (slug.length > config.maxLength) {
      slug = slug.slice(0, config.maxLength).replace(state.edges, '');
    }
    return { slug };
  },
});
