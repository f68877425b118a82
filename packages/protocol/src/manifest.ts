import { z } from 'zod';
import { jsonObjectSchema } from './json.ts';

/**
 * The `plugwork` field of a plugin's package.json. One format for folder plugins and npm
 * packages: the same folder can be dropped into a plugins directory or published.
 *
 * ```json
 * {
 *   "name": "@acme/text-stats",
 *   "version": "1.0.0",
 *   "type": "module",
 *   "plugwork": {
 *     "name": "text-stats",
 *     "description": "Counts words, lines and characters",
 *     "entry": "./index.js",
 *     "category": "text",
 *     "streaming": false,
 *     "engine": "^0.1.0",
 *     "config": { "type": "object", "properties": { "lowercase": { "type": "boolean" } } },
 *     "params": { "type": "object", "required": ["text"], "properties": { "text": { "type": "string" } } }
 *   }
 * }
 * ```
 */
export const pluginManifestSchema = z.object({
  /** Plugin name; defaults to the package name. */
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  /** Module to import, relative to the package folder; defaults to `exports` / `main`. */
  entry: z.string().min(1).optional(),
  category: z.string().optional(),
  /** Whether the plugin streams; confirmed against the module's `stream` hook when loaded. */
  streaming: z.boolean().optional(),
  /** semver range of plugwork versions this plugin works with. */
  engine: z.string().min(1).optional(),
  /** JSON Schema of the plugin's config, for UIs that render a form before loading. */
  config: jsonObjectSchema.optional(),
  /**
   * JSON Schema of each job's params: UIs render a form from it and CLIs coerce arguments by it
   * before the plugin is loaded; a plugin without a `paramsSchema` has its params validated by it.
   */
  params: jsonObjectSchema.optional(),
  /**
   * How many of its jobs one worker may run at once. For plugins that mostly wait (network,
   * disk): 100 lets one process serve 100 jobs. Default 1; a deployment can cap it.
   */
  concurrency: z.number().int().positive().max(10_000).optional(),
  /**
   * The language of the plugin's code: `javascript` (the default; Node or Deno workers) or
   * `python` (a `.py` entry, served by Python workers). A worker offers only plugins of its own
   * runtime and reports the others as `OTHER_RUNTIME` diagnostics.
   */
  runtime: z.enum(['javascript', 'python']).optional(),
});

export type PluginManifest = z.infer<typeof pluginManifestSchema>;

/** The parts of package.json that plugin discovery reads. */
export const pluginPackageJsonSchema = z.looseObject({
  name: z.string().min(1),
  version: z.string().optional(),
  description: z.string().optional(),
  type: z.enum(['module', 'commonjs']).optional(),
  main: z.string().optional(),
  exports: z.unknown().optional(),
  plugwork: pluginManifestSchema,
});

export type PluginPackageJson = z.infer<typeof pluginPackageJsonSchema>;
