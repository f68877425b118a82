import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createExecuteRequest,
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeLine,
  encodeMessage,
  getExecuteParams,
  PLUGWORK_VERSION,
  ProtocolError,
  ProtocolErrorCode,
  parseRequest,
  parseResponse,
  pluginPackageJsonSchema,
  WorkerRequest,
  WorkerResponse,
} from '../src/index.ts';

function caught(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProtocolError) return error;
    throw error;
  }
  throw new Error('expected a ProtocolError');
}

describe('execute parameters', () => {
  it('builds the seed dictionary from camelCase input', () => {
    expect(
      createExecuteRequest({
        jobId: 'test-123',
        pluginName: 'test_plugin',
        params: { param1: 'value1' },
      }),
    ).toStrictEqual({
      type: 'execute',
      job_id: 'test-123',
      plugin_name: 'test_plugin',
      param1: 'value1',
    });
  });

  it('rejects a parameter that collides with a reserved key, naming it', () => {
    for (const key of ['type', 'job_id', 'plugin_name', 'stream', 'request_id']) {
      const error = caught(() =>
        createExecuteRequest({ jobId: 'j', pluginName: 'resize', params: { [key]: 1 } }),
      );
      expect(error.code).toBe(ProtocolErrorCode.RESERVED_KEY);
      expect(error.field).toBe(key);
      expect(error.message).toContain(`"${key}"`);
      expect(error.message).toContain('"resize"');
    }
  });

  it('reads the parameters back out of a parsed message', () => {
    const message = parseRequest({
      type: 'execute',
      job_id: 'j',
      plugin_name: 'p',
      stream: true,
      width: 3,
      nested: { a: [1] },
    });
    expect(message.type === 'execute' && getExecuteParams(message)).toStrictEqual({
      width: 3,
      nested: { a: [1] },
    });
  });
});

describe('errors name the message type and the field', () => {
  it('names a missing type', () => {
    const error = caught(() => parseRequest({ job_id: 'x' }));
    expect(error.code).toBe(ProtocolErrorCode.UNKNOWN_TYPE);
    expect(error.message).toBe('Invalid request: field "type" is missing');
  });

  it('names an unknown type', () => {
    const error = caught(() => parseResponse({ type: 'execute' }));
    expect(error.message).toContain('"execute", which is not a response type');
  });

  it('names a wrong field', () => {
    const error = caught(() => parseResponse({ type: 'progress', job_id: 'j', progress: 2 }));
    expect(error).toMatchObject({
      code: ProtocolErrorCode.INVALID_FIELD,
      messageType: 'progress',
      field: 'progress',
    });
    expect(error.message).toMatch(/^Invalid "progress" response: field "progress" /);
  });

  it('names non-objects', () => {
    expect(caught(() => parseRequest('{"type":"stop"}')).code).toBe(
      ProtocolErrorCode.NOT_AN_OBJECT,
    );
    expect(caught(() => parseRequest([])).message).toContain('received an array');
  });

  it('the seed classes refuse unknown types', () => {
    expect(caught(() => WorkerRequest.fromDict({ type: 'ready' })).code).toBe('UNKNOWN_TYPE');
    expect(caught(() => WorkerResponse.fromDict({ type: 'stop' })).code).toBe('UNKNOWN_TYPE');
  });

  it('rejects non-finite numbers in JSON data', () => {
    const error = caught(() =>
      parseResponse({ type: 'result', job_id: 'j', status: 'success', data: { x: Number.NaN } }),
    );
    expect(error.field).toBe('data.x');
  });
});

describe('newline-delimited JSON codec', () => {
  it('encodes one message per line and decodes it back', () => {
    const line = encodeMessage({ type: 'stop' });
    expect(line).toBe('{"type":"stop"}\n');
    expect(parseRequest(decodeLine(line.trimEnd()))).toStrictEqual({ type: 'stop' });
  });

  it('rejects oversized messages both ways', () => {
    const big = { type: 'result', job_id: 'j', status: 'success', data: { s: 'é'.repeat(600) } };
    expect(caught(() => encodeMessage(big, 1000)).code).toBe(ProtocolErrorCode.TOO_LARGE);
    expect(caught(() => decodeLine('x'.repeat(1001), 1000)).code).toBe(ProtocolErrorCode.TOO_LARGE);
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(16 * 1024 * 1024);
  });

  it('rejects what JSON cannot carry', () => {
    const cycle: Record<string, unknown> = { type: 'result' };
    cycle.self = cycle;
    expect(caught(() => encodeMessage(cycle as { type: string })).code).toBe('NOT_SERIALIZABLE');
    expect(caught(() => encodeMessage({ type: 'x', n: 1n } as { type: string })).code).toBe(
      'NOT_SERIALIZABLE',
    );
    expect(caught(() => decodeLine('{nope')).message).toMatch(/^Message is not valid JSON/);
  });
});

describe('manifest', () => {
  it('accepts a full plugwork field and defaults what may be left out', () => {
    const parsed = pluginPackageJsonSchema.parse({
      name: '@acme/stats',
      version: '1.0.0',
      plugwork: {
        description: 'Counts words',
        entry: './index.js',
        streaming: false,
        engine: '^0.1.0',
        config: { type: 'object' },
      },
    });
    expect(parsed.plugwork.entry).toBe('./index.js');
    expect(parsed.plugwork.name).toBeUndefined();
  });

  it('rejects a package without a plugwork field', () => {
    expect(pluginPackageJsonSchema.safeParse({ name: 'left-pad' }).success).toBe(false);
  });

  it('PLUGWORK_VERSION matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(PLUGWORK_VERSION).toBe(pkg.version);
  });
});
