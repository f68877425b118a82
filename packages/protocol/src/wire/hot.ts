import {
  boolean,
  fraction,
  Issue,
  nonEmptyString,
  positiveInteger,
  type Raw,
  status,
  string,
  withoutProto,
} from './checks.ts';
import { jsonObject } from './payload.ts';

/**
 * The messages every job sends, parsed by straight-line code: execute, cancel and stream_ack
 * on the worker's side, result, stream_chunk and progress on the host's. The declarative
 * `shape` parsers (shape.ts) would do, but a table-driven loop costs about 0.5 µs a message
 * where these cost a few tens of nanoseconds. They follow the same schemas key for key, in the
 * same order, with the same sentences (a property test compares them with zod's on thousands
 * of broken messages). Each takes an object the caller has already checked.
 */

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** `z.looseObject`: every key is kept but `__proto__`. The input itself when it has none. */
export function execute(value: unknown): unknown {
  const input = value as Raw;
  if (!isId(input.job_id)) return new Issue('job_id', nonEmptyString(input.job_id)!);
  if (!isId(input.plugin_name)) return new Issue('plugin_name', nonEmptyString(input.plugin_name)!);
  const stream = input.stream;
  if (stream !== undefined && typeof stream !== 'boolean') {
    return new Issue('stream', boolean(stream)!);
  }
  const requestId = input.request_id;
  if (requestId !== undefined && !isId(requestId)) {
    return new Issue('request_id', nonEmptyString(requestId)!);
  }
  return Object.hasOwn(input, '__proto__') ? withoutProto(input) : input;
}

export function cancel(value: unknown): unknown {
  const input = value as Raw;
  const jobId = input.job_id;
  if (!isId(jobId)) return new Issue('job_id', nonEmptyString(jobId)!);
  const output: Raw = { type: 'cancel', job_id: jobId };
  const requestId = input.request_id;
  if (requestId !== undefined) {
    if (!isId(requestId)) return new Issue('request_id', nonEmptyString(requestId)!);
    output.request_id = requestId;
  }
  const withdraw = input.withdraw;
  if (withdraw !== undefined) {
    if (typeof withdraw !== 'boolean') return new Issue('withdraw', boolean(withdraw)!);
    output.withdraw = withdraw;
  }
  return output;
}

export function streamAck(value: unknown): unknown {
  const input = value as Raw;
  const jobId = input.job_id;
  if (!isId(jobId)) return new Issue('job_id', nonEmptyString(jobId)!);
  const consumed = input.consumed;
  const reason = positiveInteger(consumed);
  if (reason !== undefined) return new Issue('consumed', reason);
  return { type: 'stream_ack', job_id: jobId, consumed };
}

export function result(value: unknown): unknown {
  const input = value as Raw;
  const jobId = input.job_id;
  if (!isId(jobId)) return new Issue('job_id', nonEmptyString(jobId)!);
  const outcome = input.status;
  if (outcome !== 'success' && outcome !== 'error') return new Issue('status', status(outcome)!);
  const output: Raw = { type: 'result', job_id: jobId, status: outcome };
  if (input.data !== undefined) {
    const data = jsonObject(input.data);
    if (data instanceof Issue) return data.under('data');
    output.data = data;
  }
  return (
    optionalString(input, output, 'error') ?? optionalString(input, output, 'error_code') ?? output
  );
}

export function streamChunk(value: unknown): unknown {
  const input = value as Raw;
  const jobId = input.job_id;
  if (!isId(jobId)) return new Issue('job_id', nonEmptyString(jobId)!);
  const chunk = input.chunk;
  if (typeof chunk !== 'string') return new Issue('chunk', string(chunk)!);
  const isFinal = input.is_final === undefined ? false : input.is_final;
  if (typeof isFinal !== 'boolean') return new Issue('is_final', boolean(isFinal)!);
  let metadata: unknown = {};
  if (input.metadata !== undefined) {
    metadata = jsonObject(input.metadata);
    if (metadata instanceof Issue) return metadata.under('metadata');
  }
  return { type: 'stream_chunk', job_id: jobId, chunk, is_final: isFinal, metadata };
}

export function progress(value: unknown): unknown {
  const input = value as Raw;
  const jobId = input.job_id;
  if (!isId(jobId)) return new Issue('job_id', nonEmptyString(jobId)!);
  const reason = fraction(input.progress);
  if (reason !== undefined) return new Issue('progress', reason);
  const output: Raw = { type: 'progress', job_id: jobId, progress: input.progress };
  return optionalString(input, output, 'message') ?? output;
}

/** Copies `input[key]` when it is a string; the Issue when it is present and not a string. */
function optionalString(input: Raw, output: Raw, key: string): Issue | undefined {
  const item = input[key];
  if (item === undefined) return undefined;
  if (typeof item !== 'string') return new Issue(key, string(item)!);
  output[key] = item;
  return undefined;
}
