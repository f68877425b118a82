import { z } from 'zod';
import { jsonObjectSchema } from './json.ts';
import {
  adapterSpecSchema,
  jobIdSchema,
  pluginNameSchema,
  requestIdSchema,
} from './shared-schemas.ts';

export { RESERVED_EXECUTE_KEYS, type ReservedExecuteKey } from './reserved-keys.ts';

/** Start-up: build the adapter, discover, load the configured plugins, answer `ready`. */
export const initRequestSchema = z.object({
  type: z.literal('init'),
  request_id: requestIdSchema.optional(),
  adapter: adapterSpecSchema.optional(),
  /** Config per plugin name; plugins listed here are loaded at start-up. */
  plugin_configs: z.record(z.string(), jsonObjectSchema).optional(),
  /** How many plugins may stay loaded at once; 1 (the seed's behaviour) frees memory on switch. */
  max_loaded_plugins: z.number().int().positive().optional(),
  /**
   * Extension: flow control for streamed output. How many characters of chunk text a job may
   * have sent but not yet acknowledged by `stream_ack`; the worker pauses the plugin's stream
   * beyond that. Absent: no flow control (the seed's behaviour).
   */
  stream_window: z.number().int().positive().optional(),
  /**
   * Extension: the channel's secret. A worker puts this exact string as `token` on every message
   * it sends from then on; the host drops messages without it, so plugin code that writes to the
   * channel itself (its file descriptor) cannot forge results or answers.
   */
  token: z.string().min(1).optional(),
  /** Extension: the deployment's cap on any plugin's concurrency (jobs at once per worker). */
  max_concurrency: z.number().int().positive().optional(),
  /**
   * Extension: payload limits, in bytes of UTF-8 JSON. A result over `result_bytes` fails its
   * job with RESULT_TOO_LARGE; a chunk over `chunk_bytes` fails it with CHUNK_TOO_LARGE.
   */
  limits: z
    .object({
      result_bytes: z.number().int().positive().optional(),
      chunk_bytes: z.number().int().positive().optional(),
    })
    .optional(),
});

/** Run one job. Keys other than the reserved ones are the job's parameters. */
export const executeRequestSchema = z.looseObject({
  type: z.literal('execute'),
  job_id: jobIdSchema,
  plugin_name: pluginNameSchema,
  /** Extension: stream the output when the plugin supports it. */
  stream: z.boolean().optional(),
  request_id: requestIdSchema.optional(),
});

/** Reload a plugin with a new config (absent config: reload with the one it has). */
export const reloadRequestSchema = z.object({
  type: z.literal('reload'),
  plugin_name: pluginNameSchema,
  config: jsonObjectSchema.nullable().optional(),
  request_id: requestIdSchema.optional(),
});

/** Unload a plugin to free its resources. */
export const unloadRequestSchema = z.object({
  type: z.literal('unload'),
  plugin_name: pluginNameSchema,
  request_id: requestIdSchema.optional(),
});

/** Ask what the worker has loaded and is doing. */
export const getStateRequestSchema = z.object({
  type: z.literal('get_state'),
  request_id: requestIdSchema.optional(),
});

/** Dispose every plugin and exit 0. */
export const stopRequestSchema = z.object({
  type: z.literal('stop'),
  request_id: requestIdSchema.optional(),
});

/** Extension: the job's AbortSignal fires; the host kills the worker if the job does not end. */
export const cancelRequestSchema = z.object({
  type: z.literal('cancel'),
  job_id: jobIdSchema,
  request_id: requestIdSchema.optional(),
  /**
   * Extension: take back a job the worker holds but has not started (the host runs it
   * elsewhere). Answered with a `WITHDRAWN` result; a job already running is left to run.
   */
  withdraw: z.boolean().optional(),
});

/**
 * Extension: the host consumed `consumed` characters of a streaming job's chunk text, so the
 * worker may have that many more in flight (credit-based flow control, see `stream_window`).
 */
export const streamAckRequestSchema = z.object({
  type: z.literal('stream_ack'),
  job_id: jobIdSchema,
  consumed: z.number().int().positive(),
});

export const workerRequestSchema = z.discriminatedUnion('type', [
  initRequestSchema,
  executeRequestSchema,
  reloadRequestSchema,
  unloadRequestSchema,
  getStateRequestSchema,
  stopRequestSchema,
  cancelRequestSchema,
  streamAckRequestSchema,
]);

export type InitRequest = z.infer<typeof initRequestSchema>;
export type ExecuteRequest = z.infer<typeof executeRequestSchema>;
export type ReloadRequest = z.infer<typeof reloadRequestSchema>;
export type UnloadRequest = z.infer<typeof unloadRequestSchema>;
export type GetStateRequest = z.infer<typeof getStateRequestSchema>;
export type StopRequest = z.infer<typeof stopRequestSchema>;
export type CancelRequest = z.infer<typeof cancelRequestSchema>;
export type StreamAckRequest = z.infer<typeof streamAckRequestSchema>;
/** Any message the host sends to a worker, as it travels on the wire. */
export type WorkerRequestMessage = z.infer<typeof workerRequestSchema>;
