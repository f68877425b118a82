// fast-check arbitraries for every message of the protocol, built through the public API.
import fc from 'fast-check';
import {
  createExecuteRequest,
  RESERVED_EXECUTE_KEYS,
  WorkerRequest,
  WorkerResponse,
  WorkerResult,
  WorkerStreamChunk,
} from '../src/index.ts';

const reserved = new Set<string>(RESERVED_EXECUTE_KEYS);
const id = fc.string({ minLength: 1, maxLength: 24 });
// Parsing drops "__proto__" keys (a prototype-pollution guard), so valid messages never use one.
const key = fc.string({ maxLength: 12 }).filter((text) => text !== '__proto__');
const json = fc
  .jsonValue({ maxDepth: 3 })
  .filter((value) => !JSON.stringify(value).includes('"__proto__"'));
const jsonObject = fc.dictionary(key, json, { maxKeys: 5 });
const descriptor = fc.record(
  {
    name: id,
    version: fc.string(),
    description: fc.string(),
    category: fc.string(),
    streaming: fc.boolean(),
    source: fc.constantFrom('fs', 'npm', 'custom'),
    location: fc.string(),
    config_schema: jsonObject,
  },
  { requiredKeys: ['name', 'streaming', 'source'] },
);
const diagnostic = fc.record(
  { location: fc.string(), plugin_name: fc.string(), code: id, message: fc.string() },
  { requiredKeys: ['location', 'code', 'message'] },
);

export const requestArbitrary = fc.oneof(
  fc
    .record(
      {
        adapter: fc.record(
          { module: id, export: id, options: jsonObject },
          { requiredKeys: ['module'] },
        ),
        plugin_configs: fc.dictionary(
          id.filter((text) => text !== '__proto__'),
          jsonObject,
          { maxKeys: 3 },
        ),
        max_loaded_plugins: fc.integer({ min: 1, max: 16 }),
        stream_window: fc.integer({ min: 1, max: 1 << 24 }),
        request_id: id,
      },
      { requiredKeys: [] },
    )
    .map((data) => new WorkerRequest('init', data).toDict()),
  fc
    .record({
      jobId: id,
      pluginName: id,
      params: fc.dictionary(
        key.filter((name) => !reserved.has(name)),
        json,
        { maxKeys: 5 },
      ),
      stream: fc.option(fc.boolean(), { nil: undefined }),
    })
    .map((init) => createExecuteRequest(init)),
  fc
    .record(
      { plugin_name: id, config: fc.option(jsonObject, { nil: null }), request_id: id },
      { requiredKeys: ['plugin_name'] },
    )
    .map((data) => new WorkerRequest('reload', data).toDict()),
  fc
    .record({ plugin_name: id, request_id: id }, { requiredKeys: ['plugin_name'] })
    .map((data) => new WorkerRequest('unload', data).toDict()),
  fc
    .record({ request_id: id }, { requiredKeys: [] })
    .map((data) => new WorkerRequest('get_state', data).toDict()),
  fc
    .record({ request_id: id }, { requiredKeys: [] })
    .map((data) => new WorkerRequest('stop', data).toDict()),
  fc
    .record({ job_id: id, request_id: id }, { requiredKeys: ['job_id'] })
    .map((data) => new WorkerRequest('cancel', data).toDict()),
  fc
    .record({ job_id: id, consumed: fc.integer({ min: 1, max: 1 << 24 }) })
    .map((data) => new WorkerRequest('stream_ack', data).toDict()),
);

export const responseArbitrary = fc.oneof(
  fc
    .record(
      {
        request_id: id,
        pid: fc.integer({ min: 1, max: 4_000_000 }),
        runtime: fc.constantFrom('node', 'deno'),
        plugins: fc.array(descriptor, { maxLength: 3 }),
        loaded_plugins: fc.array(id, { maxLength: 3 }),
        diagnostics: fc.array(diagnostic, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    )
    .map((data) => new WorkerResponse('ready', data).toDict()),
  fc
    .record({ jobId: id, data: jsonObject })
    .map((init) => new WorkerResult({ ...init, status: 'success' }).toDict()),
  fc
    .record({ jobId: id, error: fc.string() })
    .map((init) => new WorkerResult({ ...init, status: 'error' }).toDict()),
  fc
    .record(
      { jobId: id, chunk: fc.string(), isFinal: fc.boolean(), metadata: jsonObject },
      { requiredKeys: ['jobId', 'chunk'] },
    )
    .map((init) => new WorkerStreamChunk(init).toDict()),
  fc
    .record(
      {
        request_id: id,
        request_type: fc.constantFrom('reload', 'unload', 'init', 'stop'),
        plugin_name: id,
        status: fc.constantFrom('success', 'error'),
        data: jsonObject,
        error: fc.string(),
      },
      { requiredKeys: ['status'] },
    )
    .map((data) => new WorkerResponse('response', data).toDict()),
  fc
    .record(
      {
        request_id: id,
        pid: fc.integer({ min: 1, max: 4_000_000 }),
        loaded_plugins: fc.array(id, { maxLength: 3 }),
        current_job_id: fc.option(id, { nil: null }),
        memory: fc.record({ rss: fc.nat(), heap_used: fc.nat() }),
      },
      { requiredKeys: ['loaded_plugins'] },
    )
    .map((data) => new WorkerResponse('state', data).toDict()),
  fc
    .record(
      { error: fc.string(), code: id, request_id: id, job_id: id },
      { requiredKeys: ['error'] },
    )
    .map((data) => new WorkerResponse('error', data).toDict()),
  fc
    .record(
      {
        job_id: id,
        progress: fc.double({ min: 0, max: 1, noNaN: true, noDefaultInfinity: true }),
        message: fc.string(),
      },
      { requiredKeys: ['job_id', 'progress'] },
    )
    .map((data) => new WorkerResponse('progress', data).toDict()),
  fc
    .record({
      plugins: fc.array(descriptor, { maxLength: 3 }),
      diagnostics: fc.array(diagnostic, { maxLength: 3 }),
    })
    .map((data) => new WorkerResponse('plugins_changed', data).toDict()),
);
