import type { WorkerRequestType } from '../message-types.ts';
import { boolean, nonEmptyString, positiveInteger, record, string } from './checks.ts';
import { jsonObject } from './payload.ts';
import { type Field, leaf, type Parser, recordOf, shape } from './shape.ts';

// The request schemas of request-schemas.ts, field for field and in the same order.

const type: Field = { key: 'type', parse: (value) => value };
const requestId: Field = { key: 'request_id', parse: leaf(nonEmptyString), optional: true };
const jobId: Field = { key: 'job_id', parse: leaf(nonEmptyString) };
const pluginName: Field = { key: 'plugin_name', parse: leaf(nonEmptyString) };
const token: Field = { key: 'token', parse: leaf(string), optional: true };

const adapterSpec = shape(
  [
    { key: 'module', parse: leaf(nonEmptyString) },
    { key: 'export', parse: leaf(nonEmptyString), optional: true },
    { key: 'options', parse: jsonObject, optional: true },
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
    token,
  ],
  false,
);

// Loose: every key besides these is a job parameter.
const execute = shape(
  [type, jobId, pluginName, { key: 'stream', parse: leaf(boolean), optional: true }, requestId],
  true,
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
const cancel = shape([type, jobId, requestId], false);
const streamAck = shape([type, jobId, { key: 'consumed', parse: leaf(positiveInteger) }], false);

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
