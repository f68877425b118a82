import type { WorkerResponseType } from '../message-types.ts';
import {
  boolean,
  integer,
  nonEmptyString,
  nonNegativeNumber,
  positiveInteger,
  status,
  string,
} from './checks.ts';
import { progress, result, streamChunk } from './hot.ts';
import { jsonObject } from './payload.ts';
import { arrayOf, type Field, leaf, type Parser, shape } from './shape.ts';

// The response schemas of response-schemas.ts and shared-schemas.ts, field for field and in
// the same order; those of every job's messages are hand-written in hot.ts.

const type: Field = { key: 'type', parse: (value) => value };
const requestId: Field = { key: 'request_id', parse: leaf(nonEmptyString), optional: true };
const pid: Field = { key: 'pid', parse: leaf(integer), optional: true };
const optionalString = (key: string): Field => ({ key, parse: leaf(string), optional: true });

const descriptor = shape(
  [
    { key: 'name', parse: leaf(nonEmptyString) },
    optionalString('version'),
    optionalString('description'),
    optionalString('category'),
    { key: 'streaming', parse: leaf(boolean) },
    { key: 'source', parse: leaf(string) },
    optionalString('location'),
    { key: 'config_schema', parse: jsonObject, optional: true },
    { key: 'params_schema', parse: jsonObject, optional: true },
    { key: 'concurrency', parse: leaf(positiveInteger), optional: true },
  ],
  true,
);

const diagnostic = shape(
  [
    { key: 'location', parse: leaf(string) },
    optionalString('plugin_name'),
    { key: 'code', parse: leaf(string) },
    { key: 'message', parse: leaf(string) },
  ],
  true,
);

const descriptors = arrayOf(descriptor);
const diagnostics = arrayOf(diagnostic);
const pluginNames = arrayOf(leaf(nonEmptyString));

const ready = shape(
  [
    type,
    requestId,
    pid,
    optionalString('runtime'),
    { key: 'plugins', parse: descriptors, optional: true },
    { key: 'loaded_plugins', parse: pluginNames, optional: true },
    { key: 'diagnostics', parse: diagnostics, optional: true },
  ],
  false,
);

const response = shape(
  [
    type,
    requestId,
    optionalString('request_type'),
    { key: 'plugin_name', parse: leaf(nonEmptyString), optional: true },
    { key: 'status', parse: leaf(status) },
    { key: 'data', parse: jsonObject, optional: true },
    optionalString('error'),
  ],
  false,
);

const memory = shape(
  [
    { key: 'rss', parse: leaf(nonNegativeNumber) },
    { key: 'heap_used', parse: leaf(nonNegativeNumber) },
  ],
  false,
);

const state = shape(
  [
    type,
    requestId,
    pid,
    { key: 'loaded_plugins', parse: pluginNames, fallback: () => [] },
    { key: 'current_job_id', parse: leaf(nonEmptyString), optional: true, nullable: true },
    { key: 'plugins', parse: descriptors, optional: true },
    { key: 'diagnostics', parse: diagnostics, optional: true },
    { key: 'memory', parse: memory, optional: true },
  ],
  true,
);

const error = shape(
  [
    type,
    { key: 'error', parse: leaf(string) },
    optionalString('code'),
    requestId,
    { key: 'job_id', parse: leaf(nonEmptyString), optional: true },
  ],
  false,
);

const pluginsChanged = shape(
  [
    type,
    { key: 'plugins', parse: descriptors },
    { key: 'diagnostics', parse: diagnostics, fallback: () => [] },
    { key: 'changed_plugins', parse: pluginNames, optional: true },
  ],
  false,
);

/** The parser of each response type, by `type`. */
export const responseParsers: Record<WorkerResponseType, Parser> = {
  ready,
  result,
  stream_chunk: streamChunk,
  response,
  state,
  error,
  progress,
  plugins_changed: pluginsChanged,
};
