// Every example of the seed notebook (shared/seed/protocol.ipynb.txt), reproduced: the same
// dictionaries, key for key and value for value, through toDict and fromDict.
import { describe, expect, it } from 'vitest';
import {
  parseRequest,
  parseResponse,
  WorkerRequest,
  WorkerRequestType,
  WorkerResponse,
  WorkerResponseType,
  WorkerResult,
  WorkerStreamChunk,
} from '../src/index.ts';

describe('seed: request and response types', () => {
  it('has the seed request types with their wire values', () => {
    expect(WorkerRequestType).toMatchObject({
      INIT: 'init',
      EXECUTE: 'execute',
      RELOAD: 'reload',
      UNLOAD: 'unload',
      GET_STATE: 'get_state',
      STOP: 'stop',
    });
  });

  it('has the seed response types with their wire values', () => {
    expect(WorkerResponseType).toMatchObject({
      READY: 'ready',
      RESULT: 'result',
      STREAM_CHUNK: 'stream_chunk',
      RESPONSE: 'response',
      STATE: 'state',
      ERROR: 'error',
    });
  });
});

describe('seed: WorkerRequest', () => {
  const request = new WorkerRequest(WorkerRequestType.EXECUTE, {
    job_id: 'test-123',
    plugin_name: 'test_plugin',
    param1: 'value1',
  });
  const expected = {
    type: 'execute',
    job_id: 'test-123',
    plugin_name: 'test_plugin',
    param1: 'value1',
  };

  it('toDict spreads the data next to type', () => {
    expect(request.toDict()).toStrictEqual(expected);
    expect(Object.keys(request.toDict())).toStrictEqual([
      'type',
      'job_id',
      'plugin_name',
      'param1',
    ]);
  });

  it('fromDict restores the same request', () => {
    const restored = WorkerRequest.fromDict(request.toDict());
    expect(restored.type).toBe('execute');
    expect(restored.data).toStrictEqual({
      job_id: 'test-123',
      plugin_name: 'test_plugin',
      param1: 'value1',
    });
    expect(restored).toStrictEqual(request);
  });

  it('the seed dictionary is a valid execute message whose extra key is a parameter', () => {
    const parsed = parseRequest(expected);
    expect(parsed).toStrictEqual(expected);
  });
});

describe('seed: WorkerResponse', () => {
  it('toDict of a result response', () => {
    const response = new WorkerResponse(WorkerResponseType.RESULT, {
      job_id: 'test-123',
      status: 'success',
      data: { output: 'result' },
    });
    const dict = response.toDict();
    expect(dict).toStrictEqual({
      type: 'result',
      job_id: 'test-123',
      status: 'success',
      data: { output: 'result' },
    });
    expect(WorkerResponse.fromDict(dict)).toStrictEqual(response);
    expect(parseResponse(dict)).toStrictEqual(dict);
  });
});

describe('seed: WorkerStreamChunk', () => {
  it('toDict with metadata', () => {
    const chunk = new WorkerStreamChunk({
      jobId: 'test-456',
      chunk: 'This is a streaming chunk',
      isFinal: false,
      metadata: { index: 1 },
    });
    const dict = chunk.toDict();
    expect(dict).toStrictEqual({
      type: 'stream_chunk',
      job_id: 'test-456',
      chunk: 'This is a streaming chunk',
      is_final: false,
      metadata: { index: 1 },
    });
    expect(Object.keys(dict)).toStrictEqual(['type', 'job_id', 'chunk', 'is_final', 'metadata']);
    expect(parseResponse(dict)).toStrictEqual(dict);
  });

  it('defaults: is_final false and metadata {} (the seed sends `metadata or {}`)', () => {
    expect(new WorkerStreamChunk({ jobId: 'j', chunk: 'x' }).toDict()).toStrictEqual({
      type: 'stream_chunk',
      job_id: 'j',
      chunk: 'x',
      is_final: false,
      metadata: {},
    });
  });
});

describe('seed: WorkerResult', () => {
  it('success case', () => {
    const result = new WorkerResult({
      jobId: 'test-789',
      status: 'success',
      data: { text: 'Job completed successfully', metadata: { time: 1.5 } },
    });
    const dict = result.toDict();
    expect(dict).toStrictEqual({
      type: 'result',
      job_id: 'test-789',
      status: 'success',
      data: { text: 'Job completed successfully', metadata: { time: 1.5 } },
    });
    expect(parseResponse(dict)).toStrictEqual(dict);
  });

  it('error case leaves out data', () => {
    const result = new WorkerResult({
      jobId: 'test-999',
      status: 'error',
      error: 'Plugin execution failed: Invalid input',
    });
    const dict = result.toDict();
    expect(dict).toStrictEqual({
      type: 'result',
      job_id: 'test-999',
      status: 'error',
      error: 'Plugin execution failed: Invalid input',
    });
    expect('data' in dict).toBe(false);
    expect(parseResponse(dict)).toStrictEqual(dict);
  });
});
