export type {
  AdapterFactory,
  Awaitable,
  CatalogChange,
  ChunkStream,
  ExecutionContext,
  JobParams,
  PluginConfig,
  PluginManagerAdapter,
} from './adapter.ts';
export { DEFAULT_MAX_MESSAGE_BYTES, decodeLine, encodeMessage } from './codec.ts';
export {
  type AnyPlugin,
  definePlugin,
  isPlugin,
  PLUGIN_MARK,
  type Plugin,
  type PluginContext,
  type PluginDefinition,
} from './define-plugin.ts';
export {
  isProtocolError,
  ProtocolError,
  ProtocolErrorCode,
  type ProtocolErrorDetails,
  ValidationError,
  type ValidationIssue,
} from './errors.ts';
export type {
  EventBroadcaster,
  PluginRegistry,
  ResourceManager,
  WorkerLifecycleState,
} from './integrations.ts';
export { type JsonObject, type JsonValue, jsonObjectSchema, jsonValueSchema } from './json.ts';
export { fromJsonSchema } from './json-schema.ts';
export {
  type PluginManifest,
  type PluginPackageJson,
  pluginManifestSchema,
  pluginPackageJsonSchema,
} from './manifest.ts';
export {
  isWorkerRequestType,
  isWorkerResponseType,
  ResultStatus,
  WorkerRequestType,
  WorkerResponseType,
} from './message-types.ts';
export { parseRequest, parseResponse, safeParseRequest, safeParseResponse } from './parse.ts';
export {
  type CancelRequest,
  cancelRequestSchema,
  type ExecuteRequest,
  executeRequestSchema,
  type GetStateRequest,
  getStateRequestSchema,
  type InitRequest,
  initRequestSchema,
  RESERVED_EXECUTE_KEYS,
  type ReloadRequest,
  type ReservedExecuteKey,
  reloadRequestSchema,
  type StopRequest,
  type StreamAckRequest,
  stopRequestSchema,
  streamAckRequestSchema,
  type UnloadRequest,
  unloadRequestSchema,
  type WorkerRequestMessage,
  workerRequestSchema,
} from './request-schemas.ts';
export {
  type ErrorResponse,
  errorResponseSchema,
  type PluginDescriptor,
  type PluginDiagnostic,
  type PluginsChangedResponse,
  type ProgressResponse,
  pluginsChangedResponseSchema,
  progressResponseSchema,
  type ReadyResponse,
  type ResponseResponse,
  type ResultResponse,
  readyResponseSchema,
  responseResponseSchema,
  resultResponseSchema,
  type StateResponse,
  type StreamChunkResponse,
  stateResponseSchema,
  streamChunkResponseSchema,
  type WorkerResponseMessage,
  workerResponseSchema,
} from './response-schemas.ts';
export {
  adapterSpecSchema,
  pluginDescriptorSchema,
  pluginDiagnosticSchema,
} from './shared-schemas.ts';
export {
  isStandardSchema,
  type StandardJSONSchemaV1,
  type StandardSchemaV1,
  toJsonSchema,
  validateWithSchema,
} from './standard-schema.ts';
export { PLUGWORK_VERSION } from './version.ts';
export {
  parseWireRequest,
  parseWireResponse,
  safeParseWireRequest,
  safeParseWireResponse,
} from './wire/parse.ts';
export {
  createExecuteRequest,
  type ExecuteRequestInit,
  getExecuteParams,
  type MessageData,
  WorkerRequest,
} from './worker-request.ts';
export {
  WorkerResponse,
  WorkerResult,
  type WorkerResultInit,
  WorkerStreamChunk,
  type WorkerStreamChunkInit,
} from './worker-response.ts';
