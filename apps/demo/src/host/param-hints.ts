import type { JsonObject } from '@plugwork/protocol';

/**
 * Params forms for the demo's example plugins.
 *
 * A plugin descriptor carries the JSON Schema of the plugin's *config* (`config_schema`), not of
 * its params, so the web UI would have nothing to build a params form from. The demo keeps one
 * here for each of its example plugins, with example values; a plugin that is not listed gets a
 * free key/value editor in the UI (and the plugin's own params schema still validates every job).
 * A descriptor that does carry a `params_schema` wins over these.
 */
export interface ParamsHint {
  schema: JsonObject;
  example: JsonObject;
}

const SAMPLE_TEXT =
  'Plugins run in worker processes. A worker loads each plugin once and serves job after job. ' +
  'Cancel a job and its worker stops it; kill a worker and the host carries on.';

const SAMPLE_MARKDOWN = `# plugwork
## Install
### From npm
## Usage
### Folder plugins
### npm plugins
## License`;

export const PARAMS_HINTS: Readonly<Record<string, ParamsHint>> = {
  'text-stats': {
    schema: {
      type: 'object',
      required: ['text'],
      properties: {
        text: { type: 'string', description: 'The text to analyse', 'x-multiline': true },
        top: {
          type: 'integer',
          minimum: 0,
          maximum: 50,
          default: 5,
          description: 'How many of the most frequent words to list',
        },
      },
    },
    example: { text: SAMPLE_TEXT, top: 5 },
  },
  'word-stream': {
    schema: {
      type: 'object',
      required: ['text'],
      properties: {
        text: { type: 'string', description: 'Streamed back word by word', 'x-multiline': true },
        delay_ms: {
          type: 'integer',
          minimum: 0,
          maximum: 10_000,
          default: 0,
          description: 'Pause before each word, in milliseconds',
        },
        uppercase: { type: 'boolean', default: false, description: 'Upper-case every word' },
      },
    },
    example: { text: SAMPLE_TEXT, delay_ms: 120, uppercase: false },
  },
  slugify: {
    schema: {
      type: 'object',
      required: ['text'],
      properties: { text: { type: 'string', minLength: 1, description: 'A title to slugify' } },
    },
    example: { text: 'Plugins in Worker Processes — Déjà Vu!' },
  },
  'markdown-toc': {
    schema: {
      type: 'object',
      required: ['markdown'],
      properties: {
        markdown: { type: 'string', description: 'A Markdown document', 'x-multiline': true },
      },
    },
    example: { markdown: SAMPLE_MARKDOWN },
  },
  'hash-chain': {
    schema: {
      type: 'object',
      properties: {
        rounds: {
          type: 'integer',
          minimum: 1,
          maximum: 100_000,
          default: 2000,
          description: 'Hash rounds; each feeds its digest into the next',
        },
        size_kb: {
          type: 'integer',
          minimum: 1,
          maximum: 65_536,
          default: 2048,
          description: 'Size of the generated data hashed every round, in KiB',
        },
        seed: {
          type: 'string',
          maxLength: 200,
          default: 'plugwork',
          description: 'Seed of the data',
        },
      },
    },
    example: { rounds: 2000, size_kb: 2048, seed: 'plugwork' },
  },
};
