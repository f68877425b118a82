import { z } from 'zod';
import { jsonObjectSchema } from './json.ts';

/** Correlates an answer with the request that asked for it (extension; optional everywhere). */
export const requestIdSchema = z.string().min(1);

/** A job id: any non-empty string the host chose. */
export const jobIdSchema = z.string().min(1);

/** A plugin name as adapters and the host refer to it. */
export const pluginNameSchema = z.string().min(1);

/** Where a plugin came from and what it can do; JSON-safe, so it crosses the process boundary. */
export const pluginDescriptorSchema = z.looseObject({
  name: pluginNameSchema,
  version: z.string().optional(),
  description: z.string().optional(),
  category: z.string().optional(),
  streaming: z.boolean(),
  /** Which adapter found it: `fs`, `npm`, or a custom adapter's own word. */
  source: z.string(),
  /** A folder, package name or other place a person can look at. */
  location: z.string().optional(),
  /** JSON Schema of the plugin's config, for forms in UIs. */
  config_schema: jsonObjectSchema.optional(),
  /** JSON Schema of each job's params, for forms in UIs and argument parsing in CLIs. */
  params_schema: jsonObjectSchema.optional(),
  /** Extension: how many of its jobs one worker may run at once (async plugins). Default 1. */
  concurrency: z.number().int().positive().optional(),
});

/** Why a plugin candidate could not be offered or loaded. The good plugins load regardless. */
export const pluginDiagnosticSchema = z.looseObject({
  /** The folder or package the problem is in. */
  location: z.string(),
  plugin_name: z.string().optional(),
  /** Machine-readable reason, such as `INVALID_MANIFEST` or `LOAD_FAILED`. */
  code: z.string(),
  /** What went wrong and what to do, for a person. */
  message: z.string(),
});

/** The serialisable recipe a worker uses to build its adapter: functions cannot cross processes. */
export const adapterSpecSchema = z.object({
  /** Module specifier or absolute file URL/path the worker imports. */
  module: z.string().min(1),
  /** Named export to call; `createAdapter` when absent. */
  export: z.string().min(1).optional(),
  /** JSON options passed to that factory. */
  options: jsonObjectSchema.optional(),
});
