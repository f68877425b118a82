import { ProtocolError, ProtocolErrorCode } from './errors.ts';
import { isWorkerRequestType, WorkerRequestType } from './message-types.ts';
import type { ExecuteRequest } from './request-schemas.ts';
import { RESERVED_EXECUTE_KEYS } from './reserved-keys.ts';

export type MessageData = Record<string, unknown>;

/**
 * A request to a worker: a type plus flat data, exactly the seed's WorkerRequest.
 * `toDict()` spreads the data next to `type`; `fromDict()` splits it again.
 */
export class WorkerRequest {
  readonly type: WorkerRequestType;
  readonly data: MessageData;

  constructor(type: WorkerRequestType, data: MessageData = {}) {
    this.type = type;
    this.data = data;
  }

  toDict(): MessageData & { type: WorkerRequestType } {
    return { type: this.type, ...this.data };
  }

  /** Builds from a received dictionary. Throws ProtocolError on an unknown type. */
  static fromDict(dict: MessageData): WorkerRequest {
    const { type, ...data } = dict;
    if (!isWorkerRequestType(type)) {
      throw new ProtocolError(`Unknown request type ${JSON.stringify(String(type))}`, {
        code: ProtocolErrorCode.UNKNOWN_TYPE,
        field: 'type',
      });
    }
    return new WorkerRequest(type, data);
  }
}

const reserved = new Set<string>(RESERVED_EXECUTE_KEYS);

export interface ExecuteRequestInit {
  jobId: string;
  pluginName: string;
  params?: MessageData;
  stream?: boolean;
}

/**
 * Builds the wire form of an execute request. A parameter named like a reserved key
 * (`type`, `job_id`, `plugin_name`, `stream`, `request_id`) is rejected with a ProtocolError,
 * since it would silently overwrite the protocol's own field.
 */
export function createExecuteRequest(init: ExecuteRequestInit): ExecuteRequest {
  const params = init.params ?? {};
  // for…in with an own-key test rather than Object.keys: no array per message.
  for (const key in params) {
    if (reserved.has(key) && Object.hasOwn(params, key)) {
      throw new ProtocolError(
        `Job parameter "${key}" of plugin "${init.pluginName}" uses a key reserved by the protocol (${RESERVED_EXECUTE_KEYS.join(', ')}); rename the parameter`,
        { code: ProtocolErrorCode.RESERVED_KEY, messageType: 'execute', field: key },
      );
    }
  }
  const message: ExecuteRequest = {
    type: WorkerRequestType.EXECUTE,
    job_id: init.jobId,
    plugin_name: init.pluginName,
    ...params,
  };
  if (init.stream !== undefined) message.stream = init.stream;
  return message;
}

/** The job parameters of an execute message: every key that is not reserved. */
export function getExecuteParams(message: ExecuteRequest): MessageData {
  const params: MessageData = {};
  for (const [key, value] of Object.entries(message)) {
    if (!reserved.has(key)) params[key] = value;
  }
  return params;
}
