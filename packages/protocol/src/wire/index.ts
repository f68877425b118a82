// `@plugwork/protocol/wire`: what a process at either end of a plugwork channel needs, without
// zod. A worker process imports only this, so it loads no schema library unless a plugin does.
export type {
  CatalogChange,
  ChunkStream,
  ExecutionContext,
  JobParams,
  PluginConfig,
  PluginManagerAdapter,
} from '../adapter.ts';
export { DEFAULT_MAX_MESSAGE_BYTES, decodeLine, encodeMessage } from '../codec.ts';
export {
  isProtocolError,
  ProtocolError,
  ProtocolErrorCode,
  type ProtocolErrorDetails,
} from '../errors.ts';
export type { JsonObject, JsonValue } from '../json.ts';
export {
  isWorkerRequestType,
  isWorkerResponseType,
  ResultStatus,
  WorkerRequestType,
  WorkerResponseType,
} from '../message-types.ts';
export type {
  CancelRequest,
  ExecuteRequest,
  GetStateRequest,
  InitRequest,
  ReloadRequest,
  StopRequest,
  StreamAckRequest,
  UnloadRequest,
  WorkerRequestMessage,
} from '../request-schemas.ts';
export { RESERVED_EXECUTE_KEYS, type ReservedExecuteKey } from '../reserved-keys.ts';
export type {
  ErrorResponse,
  PluginDescriptor,
  PluginDiagnostic,
  PluginsChangedResponse,
  ProgressResponse,
  ReadyResponse,
  ResponseResponse,
  ResultResponse,
  StateResponse,
  StreamChunkResponse,
  WorkerResponseMessage,
} from '../response-schemas.ts';
export {
  createExecuteRequest,
  type ExecuteRequestInit,
  getExecuteParams,
  type MessageData,
  WorkerRequest,
} from '../worker-request.ts';
export {
  WorkerResponse,
  WorkerResult,
  type WorkerResultInit,
  WorkerStreamChunk,
  type WorkerStreamChunkInit,
} from '../worker-response.ts';
export {
  parseWireRequest,
  parseWireResponse,
  safeParseWireRequest,
  safeParseWireResponse,
} from './parse.ts';
