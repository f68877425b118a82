import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toResultData } from '../../src/child/to-json-safe.ts';
import { NotJsonSafeError, toJsonSafe } from '../../src/json-safe.ts';

describe('toJsonSafe', () => {
  it('returns JSON-safe input as the same object (nothing copied)', () => {
    const value = { text: 'hi', list: [1, 'two', null, { deep: true }], nested: { n: 1.5 } };
    expect(toJsonSafe(value, 'result')).toBe(value);
  });

  it('returns a value as is only when JSON would deliver exactly that value', () => {
    // The lean first walk may answer "as is" only when the careful walk would have changed
    // nothing; anything else must come back converted or be refused. What JSON changes in the
    // open on a value returned as is: -0 becomes 0, undefined properties disappear.
    const asJsonWouldDeliver = (value: unknown): unknown =>
      Object.is(value, -0)
        ? 0
        : Array.isArray(value)
          ? value.map(asJsonWouldDeliver)
          : typeof value === 'object' && value !== null
            ? Object.fromEntries(
                Object.entries(value)
                  .filter(([, item]) => item !== undefined)
                  .map(([key, item]) => [key, asJsonWouldDeliver(item)]),
              )
            : value;
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withSparseArray: true,
          withTypedArray: true,
          withObjectString: true,
        }),
        (value) => {
          let converted: unknown;
          try {
            converted = toJsonSafe(value, 'result');
          } catch (error) {
            if (error instanceof NotJsonSafeError) return;
            throw error;
          }
          if (converted !== value || typeof value !== 'object' || value === null) return;
          expect(
            isDeepStrictEqual(JSON.parse(JSON.stringify(value)), asJsonWouldDeliver(value)),
          ).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('drops own "__proto__" keys at any depth (the host parser does not walk payloads)', () => {
    const value = JSON.parse('{"a":1,"__proto__":{"x":1},"deep":[{"__proto__":2,"b":3}]}');
    const converted = toJsonSafe(value, 'result');
    expect(JSON.stringify(converted)).toBe('{"a":1,"deep":[{"b":3}]}');
    expect(Object.hasOwn(converted as object, '__proto__')).toBe(false);
  });

  it('makes the conversions JSON makes in the open', () => {
    const date = new Date('2026-01-02T03:04:05.000Z');
    expect(
      toJsonSafe(
        { nan: Number.NaN, inf: -Infinity, gone: undefined, date, list: [undefined] },
        'r',
      ),
    ).toEqual({ nan: null, inf: null, date: '2026-01-02T03:04:05.000Z', list: [null] });
  });

  it('turns class instances into plain objects of their own properties', () => {
    class Point {
      x = 1;
      y = 2;
    }
    const converted = toJsonSafe({ point: new Point() }, 'result') as { point: object };
    expect(Object.getPrototypeOf(converted.point)).toBe(Object.prototype);
    expect(converted.point).toEqual({ x: 1, y: 2 });
  });

  it.each([
    ['a function', { ok: true, handler: () => 1 }, 'result.handler is a function'],
    ['a BigInt', { items: [{ big: 10n }] }, 'result.items[0].big is a BigInt'],
    ['a symbol', { 'odd key': Symbol('s') }, 'result["odd key"] is a symbol'],
    ['a Map', { lookup: new Map() }, 'result.lookup is a Map'],
    ['a Set', { tags: new Set(['a']) }, 'result.tags is a Set'],
  ])('rejects %s, naming where it is', (_label, value, message) => {
    expect(() => toJsonSafe(value, 'result')).toThrow(NotJsonSafeError);
    expect(() => toJsonSafe(value, 'result')).toThrow(message);
  });

  it('rejects a cycle, naming where it closes', () => {
    const node: Record<string, unknown> = { name: 'a', child: { name: 'b' } };
    (node.child as Record<string, unknown>).parent = node;
    expect(() => toJsonSafe(node, 'result')).toThrow(
      'result.child.parent refers back to an object that contains it (a cycle)',
    );
  });

  it('accepts the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(toJsonSafe({ a: shared, b: shared }, 'result')).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it('reports nesting too deep for the stack instead of crashing', () => {
    let deep: Record<string, unknown> = {};
    for (let index = 0; index < 100_000; index++) deep = { deep };
    expect(() => toJsonSafe(deep, 'result')).toThrow('nested too deeply');
  });
});

describe('toResultData (the seed rule)', () => {
  it('keeps objects as they are', () => {
    expect(toResultData({ text: 'x', metadata: { a: 1 } })).toEqual({
      text: 'x',
      metadata: { a: 1 },
    });
  });

  it.each([
    [42, '42'],
    ['plain', 'plain'],
    [true, 'true'],
    [null, ''],
    [undefined, ''],
    [[1, 'a'], '[1,"a"]'],
  ])('wraps %j as { text, metadata }', (value, text) => {
    expect(toResultData(value)).toEqual({ text, metadata: {} });
  });

  it('refuses a top-level function and BigInt rather than printing them', () => {
    expect(() => toResultData(() => 1)).toThrow(NotJsonSafeError);
    expect(() => toResultData(1n)).toThrow(NotJsonSafeError);
  });
});
