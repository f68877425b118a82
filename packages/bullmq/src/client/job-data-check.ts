import { createExecuteRequest, type JsonObject } from '@plugwork/protocol';
import { describe, InvalidSubmitError, ParamsTooLargeError } from '../errors.ts';
import type { RemoteJobData } from '../job-data.ts';
import { findNonJson, isPlainObject } from '../json-check.ts';
import type { RemoteSubmitOptions } from '../submit-options.ts';

/**
 * What a job carries in BullMQ, checked the way a worker would check it, so that a mistake is a
 * typed error at submit rather than a failed job later: plain JSON only, no reserved key, within
 * `maxParamsBytes`.
 */
export function buildJobData(
  plugin: string,
  params: unknown,
  options: RemoteSubmitOptions,
  maxParamsBytes: number,
): RemoteJobData {
  if (!isPlainObject(params)) throw new InvalidSubmitError(plugin, 'params must be a plain object');
  const problem =
    findNonJson(params, 'params') ??
    (options.metadata === undefined ? undefined : findNonJson(options.metadata, 'metadata'));
  if (problem !== undefined) throw new InvalidSubmitError(plugin, `${problem}`);
  try {
    createExecuteRequest({ jobId: 'check', pluginName: plugin, params });
  } catch (error) {
    throw new InvalidSubmitError(plugin, describe(error), { cause: error });
  }
  const data: RemoteJobData = {
    params: params as JsonObject,
    stream: options.stream === true,
    metadata: (options.metadata ?? {}) as JsonObject,
  };
  if (options.timeoutMs !== undefined) data.timeoutMs = options.timeoutMs;
  if (options.stallMs !== undefined) data.stallMs = options.stallMs;
  const bytes = Buffer.byteLength(JSON.stringify(data));
  if (bytes > maxParamsBytes) {
    throw new ParamsTooLargeError(plugin, bytes, maxParamsBytes);
  }
  return data;
}
