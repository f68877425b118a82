/**
 * The message types of the wire protocol, as the seed names them.
 *
 * `as const` objects plus union types instead of TypeScript enums: they erase to plain
 * objects, so Deno and Node's type stripping run this file unchanged.
 */

/** Requests the host (parent process) sends to a worker process. */
export const WorkerRequestType = {
  INIT: 'init',
  EXECUTE: 'execute',
  RELOAD: 'reload',
  UNLOAD: 'unload',
  GET_STATE: 'get_state',
  STOP: 'stop',
  /** Extension: ask a running job to stop cooperatively (its AbortSignal fires). */
  CANCEL: 'cancel',
  /** Extension: the host has consumed streamed output; the worker may send that much more. */
  STREAM_ACK: 'stream_ack',
} as const;
export type WorkerRequestType = (typeof WorkerRequestType)[keyof typeof WorkerRequestType];

/** Responses a worker process sends to the host. */
export const WorkerResponseType = {
  READY: 'ready',
  RESULT: 'result',
  STREAM_CHUNK: 'stream_chunk',
  RESPONSE: 'response',
  STATE: 'state',
  ERROR: 'error',
  /** Extension: a running job reports how far it has got. */
  PROGRESS: 'progress',
  /** Extension: the adapter's catalogue changed (a watched plugin folder appeared, went, changed). */
  PLUGINS_CHANGED: 'plugins_changed',
} as const;
export type WorkerResponseType = (typeof WorkerResponseType)[keyof typeof WorkerResponseType];

/** The two terminal statuses a job result can carry on the wire. */
export const ResultStatus = {
  SUCCESS: 'success',
  ERROR: 'error',
} as const;
export type ResultStatus = (typeof ResultStatus)[keyof typeof ResultStatus];

const requestTypes = new Set<string>(Object.values(WorkerRequestType));
const responseTypes = new Set<string>(Object.values(WorkerResponseType));

export function isWorkerRequestType(value: unknown): value is WorkerRequestType {
  return typeof value === 'string' && requestTypes.has(value);
}

export function isWorkerResponseType(value: unknown): value is WorkerResponseType {
  return typeof value === 'string' && responseTypes.has(value);
}
