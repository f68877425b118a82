// The hand-written wire parser against the zod schemas: on everything a JSON channel can
// deliver, both accept the same messages, produce the same values and reject with the same
// ProtocolError (code, field, message).
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ProtocolError,
  parseRequest,
  parseResponse,
  parseWireRequest,
  parseWireResponse,
  safeParseWireRequest,
  workerRequestSchema,
  workerResponseSchema,
} from '../src/index.ts';
import * as wire from '../src/wire/index.ts';
import { requestArbitrary, responseArbitrary } from './arbitraries.ts';

/**
 * JSON values without "__proto__" keys: zod drops them at every depth of a payload, the wire
 * parser only at the top of it (the payload is not walked), so nested ones would differ by
 * design. Top-level ones are tested on their own below.
 */
function json(maxDepth: number) {
  return fc
    .jsonValue({ maxDepth })
    .filter((value) => !JSON.stringify(value).includes('"__proto__"'));
}

function overTheWire(message: unknown): unknown {
  return JSON.parse(JSON.stringify(message));
}

/**
 * A value as nested [key, value] pairs, keys sorted: compared strictly (undefined kept), and
 * safe for payload keys such as "constructor", which an object equality would take for the
 * object's class.
 */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.keys(value)
    .sort()
    .map((key) => [key, canonical((value as Record<string, unknown>)[key])]);
}

/** What a parse gives, in a comparable form: the value, or the error's code, field and text. */
function outcome(parse: (input: unknown) => unknown, input: unknown): unknown {
  try {
    return { value: canonical(parse(input)) };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return {
      code: error.code,
      field: error.field,
      messageType: error.messageType,
      message: error.message,
    };
  }
}

const pairs = [
  {
    name: 'requests',
    arbitrary: requestArbitrary,
    zod: parseRequest,
    fast: parseWireRequest,
    keys: () => requestKeys,
  },
  {
    name: 'responses',
    arbitrary: responseArbitrary,
    zod: parseResponse,
    fast: parseWireResponse,
    keys: () => responseKeys,
  },
];

/** Every path into a JSON value, up to `depth` keys deep (objects and arrays). */
function pathsOf(value: unknown, depth: number, prefix: string[] = []): string[][] {
  if (depth === 0 || typeof value !== 'object' || value === null) return [];
  const paths: string[][] = [];
  for (const key of Object.keys(value)) {
    const path = [...prefix, key];
    paths.push(path, ...pathsOf((value as Record<string, unknown>)[key], depth - 1, path));
  }
  return paths;
}

/** `message` with the value at `path` replaced (or deleted when `replacement` is undefined). */
function mutate(message: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(message) as Record<string, unknown>;
  let parent: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** Like mutate, but creates the objects and the one-item arrays on the way (plugins.0.x). */
function mutateWhereItFits(message: unknown, path: string[], replacement: unknown): unknown {
  const copy = structuredClone(message) as Record<string, unknown>;
  let parent: Record<string, unknown> = copy;
  for (const [index, key] of path.slice(0, -1).entries()) {
    const next = parent[key];
    if (typeof next !== 'object' || next === null) {
      parent[key] = path[index + 1] === '0' ? [{}] : {};
    } else if (Array.isArray(next) && next.length === 0) {
      next.push({});
    }
    parent = parent[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

// Values that break one field or another: wrong types, empty strings, fractions, negatives,
// numbers out of range (safe integers included), plus arbitrary JSON.
const replacement = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    '',
    'x',
    'success',
    0,
    -1,
    0.5,
    1.5,
    2,
    1e300,
    -1e300,
    true,
    false,
    {},
    [],
    [''],
    [{}],
    [1],
    { module: '' },
    { rss: -1, heap_used: 0 },
    { result_bytes: 0 },
    { chunk_bytes: 1.5 },
    10_001,
  ),
  json(2),
);

/** Every key of a zod object schema, and of the object schemas nested in it, with its path. */
function keysOf(schema: z.ZodType, prefix: string[] = []): string[][] {
  let inner: z.ZodType = schema;
  // Unwrap optional / nullable / default / array layers to reach an object, if there is one.
  for (;;) {
    const def = (
      inner as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType } }
    ).def;
    if (def.innerType) inner = def.innerType;
    else if (def.type === 'array' && def.element) {
      inner = def.element;
      prefix = [...prefix, '0'];
    } else break;
  }
  if (!(inner instanceof z.ZodObject)) return [];
  const paths: string[][] = [];
  for (const [key, field] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
    paths.push([...prefix, key], ...keysOf(field, [...prefix, key]));
  }
  return paths;
}

// Every key the zod schemas define, nested ones included (plugins.0.concurrency): a key added
// to a schema but not to the wire parser makes the mutation tests below fail.
function keysByType(options: readonly z.ZodType[]): Map<string, string[][]> {
  return new Map(
    options.map((option) => [
      ((option as z.ZodObject).shape.type as z.ZodLiteral<string>).value,
      keysOf(option),
    ]),
  );
}
const requestKeys = keysByType(workerRequestSchema.options);
const responseKeys = keysByType(workerResponseSchema.options);

describe.each(pairs)('wire parser vs zod: $name', ({ arbitrary, zod, fast, keys }) => {
  it('valid messages: the same value, equal to what was sent', () => {
    fc.assert(
      fc.property(arbitrary, (message) => {
        const received = overTheWire(message);
        const parsed = fast(received);
        expect(isDeepStrictEqual(parsed, received)).toBe(true);
        expect(isDeepStrictEqual(parsed, zod(received))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('one value anywhere in the message replaced or removed: the same outcome', () => {
    fc.assert(
      fc.property(arbitrary, fc.nat(), replacement, (message, pick, value) => {
        const paths = pathsOf(message, 3);
        fc.pre(paths.length > 0);
        const input = overTheWire(mutate(message, paths[pick % paths.length]!, value));
        expect(outcome(fast, input)).toStrictEqual(outcome(zod, input));
      }),
      { numRuns: 4000 },
    );
  });

  it('any key its schema defines, nested ones too, set to a value or removed: the same outcome', () => {
    fc.assert(
      fc.property(arbitrary, fc.nat(), replacement, (message, pick, value) => {
        const paths = keys().get(message.type)!;
        const path = paths[pick % paths.length]!;
        const input = overTheWire(mutateWhereItFits(message, path, value));
        expect(outcome(fast, input)).toStrictEqual(outcome(zod, input));
      }),
      { numRuns: 6000 },
    );
  });

  it('any JSON value at all: the same outcome', () => {
    fc.assert(
      fc.property(json(3), (input) => {
        expect(outcome(fast, input)).toStrictEqual(outcome(zod, input));
      }),
      { numRuns: 2000 },
    );
  });

  it('anything that is not JSON is rejected with a ProtocolError or accepted, never a crash', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (input) => {
        outcome(fast, input);
        outcome(zod, input);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('wire parser', () => {
  it('drops "__proto__" keys of the message and of its payload objects, as zod does', () => {
    const execute = parseWireRequest(
      JSON.parse('{"type":"execute","job_id":"j","plugin_name":"p","__proto__":{"x":1}}'),
    );
    expect(Object.keys(execute)).toStrictEqual(['type', 'job_id', 'plugin_name']);
    const result = parseWireResponse(
      JSON.parse('{"type":"result","job_id":"j","status":"success","data":{"__proto__":1,"a":2}}'),
    );
    expect(result.type === 'result' && Object.keys(result.data!)).toStrictEqual(['a']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("rejects a value zod itself throws on with the same ProtocolError as zod's parsers", () => {
    // Found by the property above (seed 465341837): an object whose `length` cannot become a
    // number, where a string with a minimum length goes, made zod throw a TypeError.
    const bad = { length: { toString: null } };
    const inputs = [
      [parseWireRequest, parseRequest, { type: 'cancel', job_id: bad }],
      [parseWireResponse, parseResponse, { type: 'result', job_id: bad, status: 'success' }],
    ] as const;
    for (const [fast, zod, message] of inputs) {
      const input = overTheWire(message);
      expect(outcome(zod, input)).toStrictEqual(outcome(fast, input));
      expect(outcome(zod, input)).toMatchObject({ code: 'INVALID_FIELD', field: 'job_id' });
    }
  });

  it('names a field under an empty key as zod does ("plugin_configs.")', () => {
    const input = { type: 'init', plugin_configs: { '': 5 } };
    expect(outcome(parseWireRequest, input)).toStrictEqual(outcome(parseRequest, input));
    expect(safeParseWireRequest(input)).toMatchObject({ error: { field: 'plugin_configs.' } });
  });

  it('trusts what is inside a payload: that is where it saves the walk', () => {
    // Only a JSON channel may feed it, and JSON has no NaN; parseResponse checks every value.
    const input = { type: 'result', job_id: 'j', status: 'success', data: { x: Number.NaN } };
    expect(parseWireResponse(input)).toStrictEqual(input);
    expect(() => parseResponse(input)).toThrow(/field "data.x"/);
  });

  it('carries the token of init; responses keep no token (the host checks it before parsing)', () => {
    expect(parseWireRequest({ type: 'init', token: 's3cret' })).toStrictEqual({
      type: 'init',
      token: 's3cret',
    });
    expect(safeParseWireRequest({ type: 'init', token: '' })).toMatchObject({
      ok: false,
      error: { field: 'token', code: 'INVALID_FIELD' },
    });
    const progress = { type: 'progress', job_id: 'j', progress: 0.5, token: 's3cret' };
    expect(parseWireResponse(progress)).toStrictEqual(parseResponse(progress));
  });

  it('the safe variants return what the throwing ones throw', () => {
    expect(safeParseWireRequest({ type: 'stop' })).toStrictEqual({
      ok: true,
      message: { type: 'stop' },
    });
    const failed = safeParseWireRequest({ type: 'cancel' });
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error.message).toBe(
      'Invalid "cancel" request: field "job_id" invalid input: expected string, received undefined',
    );
  });

  it('@plugwork/protocol/wire exports the wire parser and the codec, the zod schemas not', () => {
    expect(wire.parseWireRequest).toBe(parseWireRequest);
    expect(typeof wire.encodeMessage).toBe('function');
    expect(Object.keys(wire).some((name) => name.endsWith('Schema'))).toBe(false);
  });
});

describe('payload keys that name Object.prototype members', () => {
  it('are data like any other: "constructor", "toString" and "hasOwnProperty" keys pass through', () => {
    const input = overTheWire({
      type: 'init',
      adapter: { module: 'x' },
      plugin_configs: { constructor: {}, toString: { a: 1 }, hasOwnProperty: {} },
    });
    expect(outcome(parseWireRequest, input)).toStrictEqual(outcome(parseRequest, input));
    expect((parseWireRequest(input) as { plugin_configs: object }).plugin_configs).toHaveProperty(
      'constructor',
    );
  });
});
