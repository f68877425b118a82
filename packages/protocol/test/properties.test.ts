import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError, parseRequest, parseResponse } from '../src/index.ts';
import { requestArbitrary, responseArbitrary } from './arbitraries.ts';

/** What the receiving process sees: the message after a trip through JSON. */
function overTheWire(message: unknown): unknown {
  return JSON.parse(JSON.stringify(message));
}

/** Runs `parse` and insists that any failure is a ProtocolError, never another exception. */
function rejectsOnlyWithProtocolError(parse: (input: unknown) => unknown, input: unknown): void {
  try {
    parse(input);
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
  }
}

describe('round trip: toDict -> JSON -> parse', () => {
  it('every valid request survives unchanged', () => {
    fc.assert(
      fc.property(requestArbitrary, (message) => {
        const received = overTheWire(message);
        // isDeepStrictEqual rather than toStrictEqual: the latter compares `.constructor`, which
        // misfires on messages that carry a key named "constructor".
        expect(isDeepStrictEqual(parseRequest(received), received)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('every valid response survives unchanged', () => {
    fc.assert(
      fc.property(responseArbitrary, (message) => {
        const received = overTheWire(message);
        expect(isDeepStrictEqual(parseResponse(received), received)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

it('drops "__proto__" keys instead of letting them reach an object prototype', () => {
  const received = JSON.parse(
    '{"type":"execute","job_id":"j","plugin_name":"p","__proto__":{"x":1}}',
  );
  const parsed = parseRequest(received);
  expect(Object.keys(parsed)).toStrictEqual(['type', 'job_id', 'plugin_name']);
  expect(({} as Record<string, unknown>).x).toBeUndefined();
});

describe('malformed input is rejected with ProtocolError and nothing else', () => {
  it('arbitrary values as requests and responses', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (input) => {
        rejectsOnlyWithProtocolError(parseRequest, input);
        rejectsOnlyWithProtocolError(parseResponse, input);
      }),
      { numRuns: 3000 },
    );
  });

  it('arbitrary objects carrying a real message type', () => {
    const types = fc.constantFrom(
      'init',
      'execute',
      'reload',
      'unload',
      'get_state',
      'stop',
      'cancel',
      'stream_ack',
      'ready',
      'result',
      'stream_chunk',
      'response',
      'state',
      'error',
      'progress',
      'plugins_changed',
    );
    fc.assert(
      fc.property(types, fc.dictionary(fc.string(), fc.anything()), (type, rest) => {
        const input = { ...rest, type };
        rejectsOnlyWithProtocolError(parseRequest, input);
        rejectsOnlyWithProtocolError(parseResponse, input);
      }),
      { numRuns: 3000 },
    );
  });

  it('a valid message with one field removed or given a wrong type names that field', () => {
    const wrongValues = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer({ max: -1 }), // wrong for every required field: strings, progress 0..1, counts
      fc.constant({}),
      fc.constant(true),
      fc.constant(Number.NaN),
    );
    const cases = [
      { arbitrary: requestArbitrary, parse: parseRequest, required: requiredOfRequest },
      { arbitrary: responseArbitrary, parse: parseResponse, required: requiredOfResponse },
    ];
    for (const { arbitrary, parse, required } of cases) {
      fc.assert(
        fc.property(arbitrary, wrongValues, fc.nat(), (message, wrong, pick) => {
          const keys = required(message.type);
          fc.pre(keys.length > 0);
          const field = keys[pick % keys.length]!;
          const broken: Record<string, unknown> = { ...message, [field]: wrong };
          if (wrong === undefined) delete broken[field];
          let caught: unknown;
          try {
            parse(broken);
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(ProtocolError);
          const protocolError = caught as ProtocolError;
          expect(protocolError.field).toBe(field);
          expect(protocolError.messageType).toBe(message.type);
          expect(protocolError.message).toContain(`"${message.type}"`);
          expect(protocolError.message).toContain(`"${field}"`);
        }),
        { numRuns: 2000 },
      );
    }
  });
});

function requiredOfRequest(type: string): string[] {
  switch (type) {
    case 'execute':
      return ['job_id', 'plugin_name'];
    case 'reload':
    case 'unload':
      return ['plugin_name'];
    case 'cancel':
      return ['job_id'];
    case 'stream_ack':
      return ['job_id', 'consumed'];
    default:
      return [];
  }
}

function requiredOfResponse(type: string): string[] {
  switch (type) {
    case 'result':
      return ['job_id', 'status'];
    case 'stream_chunk':
      return ['job_id', 'chunk'];
    case 'response':
      return ['status'];
    case 'error':
      return ['error'];
    case 'progress':
      return ['job_id', 'progress'];
    case 'plugins_changed':
      return ['plugins'];
    default:
      return [];
  }
}
