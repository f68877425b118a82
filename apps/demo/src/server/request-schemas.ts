import { z } from 'zod';

const jsonObject = z.record(z.string(), z.unknown());

/** POST /api/jobs */
export const submitJobSchema = z.strictObject({
  /** A plugin name, or `fs:name` / `npm:name` when both sources offer it. */
  plugin: z.string().min(1, 'must name a plugin'),
  params: jsonObject.default({}),
  /** Stream the output (plugins that cannot stream run as usual). */
  stream: z.boolean().default(false),
  /** Fail the job when it runs longer than this. */
  timeoutMs: z.number().int().min(1).max(3_600_000).optional(),
});

/** POST /api/plugins/:name/reload (body optional) */
export const reloadPluginSchema = z.strictObject({
  /** A new config: validated by the plugin, kept for every later load. */
  config: jsonObject.optional(),
});

/** POST /api/plugins/:name/unload and POST /api/jobs/:id/cancel take no fields (body optional). */
export const emptyBodySchema = z.strictObject({});

const STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;

/** GET /api/jobs?status=running,failed&plugin=word-stream&limit=20 */
export const listJobsQuerySchema = z.strictObject({
  status: z
    .string()
    .transform((text) => text.split(',').filter((status) => status !== ''))
    .pipe(z.array(z.enum(STATUSES)).min(1, 'name at least one status'))
    .optional(),
  plugin: z.string().min(1).optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(1_000))
    .default(100),
});
