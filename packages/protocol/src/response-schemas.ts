import { z } from 'zod';
import { jsonObjectSchema } from './json.ts';
import {
  jobIdSchema,
  pluginDescriptorSchema,
  pluginDiagnosticSchema,
  pluginNameSchema,
  requestIdSchema,
} from './shared-schemas.ts';

/** The worker is up: what it found, what it loaded, what it could not load. */
export const readyResponseSchema = z.object({
  type: z.literal('ready'),
  request_id: requestIdSchema.optional(),
  pid: z.number().int().optional(),
  /** `node`, `deno`, or another runtime that speaks the protocol. */
  runtime: z.string().optional(),
  plugins: z.array(pluginDescriptorSchema).optional(),
  loaded_plugins: z.array(pluginNameSchema).optional(),
  diagnostics: z.array(pluginDiagnosticSchema).optional(),
});

/** A job ended. `data` on success, `error` on failure, as the seed's WorkerResult. */
export const resultResponseSchema = z.object({
  type: z.literal('result'),
  job_id: jobIdSchema,
  status: z.enum(['success', 'error']),
  data: jsonObjectSchema.optional(),
  error: z.string().optional(),
  /** Extension: machine-readable failure reason (`PLUGIN_ERROR`, `UNKNOWN_PLUGIN`, …). */
  error_code: z.string().optional(),
});

/** One piece of streamed output. */
export const streamChunkResponseSchema = z.object({
  type: z.literal('stream_chunk'),
  job_id: jobIdSchema,
  chunk: z.string(),
  is_final: z.boolean().default(false),
  metadata: jsonObjectSchema.default({}),
});

/** The answer to reload, unload, init or stop. */
export const responseResponseSchema = z.object({
  type: z.literal('response'),
  request_id: requestIdSchema.optional(),
  /** Which request this answers. */
  request_type: z.string().optional(),
  plugin_name: pluginNameSchema.optional(),
  status: z.enum(['success', 'error']),
  data: jsonObjectSchema.optional(),
  error: z.string().optional(),
});

/** The answer to get_state. */
export const stateResponseSchema = z.looseObject({
  type: z.literal('state'),
  request_id: requestIdSchema.optional(),
  pid: z.number().int().optional(),
  loaded_plugins: z.array(pluginNameSchema).default([]),
  current_job_id: jobIdSchema.nullable().optional(),
  plugins: z.array(pluginDescriptorSchema).optional(),
  diagnostics: z.array(pluginDiagnosticSchema).optional(),
  memory: z
    .object({ rss: z.number().nonnegative(), heap_used: z.number().nonnegative() })
    .optional(),
});

/** A failure that is not one job's result: a malformed request, an adapter that would not build. */
export const errorResponseSchema = z.object({
  type: z.literal('error'),
  error: z.string(),
  code: z.string().optional(),
  request_id: requestIdSchema.optional(),
  job_id: jobIdSchema.optional(),
});

/** Extension: how far a running job has got, 0 to 1, with an optional message. */
export const progressResponseSchema = z.object({
  type: z.literal('progress'),
  job_id: jobIdSchema,
  progress: z.number().min(0).max(1),
  message: z.string().optional(),
});

/** Extension: the adapter's catalogue changed while the worker ran (watch mode). */
export const pluginsChangedResponseSchema = z.object({
  type: z.literal('plugins_changed'),
  plugins: z.array(pluginDescriptorSchema),
  diagnostics: z.array(pluginDiagnosticSchema).default([]),
  /**
   * Extension: loaded plugins whose files changed on disk. The host replaces the worker processes
   * that have run them, so the next job runs the new code, its imports included.
   */
  changed_plugins: z.array(pluginNameSchema).optional(),
});

export const workerResponseSchema = z.discriminatedUnion('type', [
  readyResponseSchema,
  resultResponseSchema,
  streamChunkResponseSchema,
  responseResponseSchema,
  stateResponseSchema,
  errorResponseSchema,
  progressResponseSchema,
  pluginsChangedResponseSchema,
]);

export type ReadyResponse = z.infer<typeof readyResponseSchema>;
export type ResultResponse = z.infer<typeof resultResponseSchema>;
export type StreamChunkResponse = z.infer<typeof streamChunkResponseSchema>;
export type ResponseResponse = z.infer<typeof responseResponseSchema>;
export type StateResponse = z.infer<typeof stateResponseSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
export type ProgressResponse = z.infer<typeof progressResponseSchema>;
export type PluginsChangedResponse = z.infer<typeof pluginsChangedResponseSchema>;
/** Any message a worker sends to the host, as it travels on the wire. */
export type WorkerResponseMessage = z.infer<typeof workerResponseSchema>;
export type PluginDescriptor = z.infer<typeof pluginDescriptorSchema>;
export type PluginDiagnostic = z.infer<typeof pluginDiagnosticSchema>;
