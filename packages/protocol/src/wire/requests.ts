import type { WorkerRequestType } from '../message-types.ts';
import { nonEmptyString, positiveInteger, record } from './checks.ts';
import { cancel, execute, streamAck } from './hot.ts';
import { jsonObject } from './payload.ts';
import { type Field, leaf, type Parser, recordOf, shape } from './shape.ts';

// The request schemas of request-schemas.ts, field for field and in the same order; those of
// every job's messages are hand-written in hot.ts.

const type: Field = { key: 'type', parse: (value) => value };
const requestId: Field = { key: 'request_id', parse: leaf(nonEmptyString), optional: true };
const pluginName: Field = { key: 'plugin_name', parse: leaf(nonEmptyString) };

const adapterSpec = shape(
  [
    { key: 'module', parse: leaf(nonEmptyString) },
    { key: 'export', parse: leaf(nonEmptyString), optional: true },
    { key: 'options', parse: jsonObject, optional: true },
  ],
  false,
);

const limits = shape(
  [
    { key: 'result_bytes', parse: leaf(positiveInteger), optional: true },
    { key: 'chunk_bytes', parse: leaf(positiveInteger), optional: true },
  ],
  false,
);

const init = shape(
  [
    type,
    requestId,
    { key: 'adapter', parse: adapterSpec, optional: true },
    { key: 'plugin_configs', parse: recordOf(record, jsonObject), optional: true },
    { key: 'max_loaded_plugins', parse: leaf(positiveInteger), optional: true },
    { key: 'stream_window', parse: leaf(positiveInteger), optional: true },
    { key: 'token', parse: leaf(nonEmptyString), optional: true },
    { key: 'max_concurrency', parse: leaf(positiveInteger), optional: true },
    { key: 'limits', parse: limits, optional: true },
  ],
  false,
);

const reload = shape(
  [
    type,
    pluginName,
    { key: 'config', parse: jsonObject, optional: true, nullable: true },
    requestId,
  ],
  false,
);

const unload = shape([type, pluginName, requestId], false);
const getState = shape([type, requestId], false);
const stop = shape([type, requestId], false);

/** The parser of each request type, by `type`. */
export const requestParsers: Record<WorkerRequestType, Parser> = {
  init,
  execute,
  reload,
  unload,
  get_state: getState,
  stop,
  cancel,
  stream_ack: streamAck,
};
