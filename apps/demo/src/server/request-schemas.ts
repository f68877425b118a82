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

/**
 * A point in time in a query: milliseconds since the epoch (`1764583200000`), or an ISO 8601
 * date or date and time (`2026-12-01T10:00:00Z`; a date and time without a zone is the server's
 * local time, a date alone is UTC midnight, as Date.parse reads them).
 */
const timeParam = z.string().transform((text, context) => {
  const time = /^\d+$/.test(text)
    ? Number(text)
    : /^\d{4}-\d{2}-\d{2}/.test(text)
      ? Date.parse(text)
      : Number.NaN;
  if (!Number.isSafeInteger(time)) {
    context.addIssue({
      code: 'custom',
      message:
        'must be a time: milliseconds since the epoch, or an ISO 8601 date such as 2026-12-01T10:00:00Z',
    });
    return z.NEVER;
  }
  return time;
});

/**
 * GET /api/jobs?status=running,failed&plugin=word-stream&since=…&until=…&limit=20&cursor=…
 * (`cursor`: a page's `nextCursor`, with the same filters).
 */
export const listJobsQuerySchema = z
  .strictObject({
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
    since: timeParam.optional(),
    until: timeParam.optional(),
    cursor: z.string().min(1, 'must be a nextCursor of an earlier page').optional(),
  })
  .refine(
    (query) => query.since === undefined || query.until === undefined || query.since <= query.until,
    {
      path: ['since'],
      message: 'is after "until": the time range is empty',
    },
  );
