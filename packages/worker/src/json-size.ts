/**
 * Payload limits without serialising every payload twice.
 *
 * The channel serialises each message itself, so measuring a payload exactly would mean a second
 * JSON.stringify of it. Instead a walk bounds its size from above — each UTF-16 unit of a string
 * costs at most 6 bytes of JSON (`\u001f`), every number at most 24 — and only a payload whose
 * bound reaches the limit is serialised to find its exact size. Small payloads, the common case,
 * cost one walk with no allocation.
 */

/** The exact UTF-8 size of `value`'s JSON when it exceeds `limit`; undefined when it does not. */
export function jsonBytesOver(value: unknown, limit: number): number | undefined {
  if (upperBound(value, limit) <= limit) return undefined;
  const text = JSON.stringify(value) ?? '';
  const bytes = utf8Length(text);
  return bytes > limit ? bytes : undefined;
}

/** The exact UTF-8 size of a string's JSON when it exceeds `limit`; undefined when it does not. */
export function stringJsonBytesOver(text: string, limit: number): number | undefined {
  if (text.length * 6 + 2 <= limit) return undefined;
  const bytes = utf8Length(JSON.stringify(text));
  return bytes > limit ? bytes : undefined;
}

/** Stops counting once past `stop`: the caller only needs to know that the bound is exceeded. */
function upperBound(value: unknown, stop: number): number {
  switch (typeof value) {
    case 'string':
      return value.length * 6 + 2;
    case 'number':
      return 24;
    case 'boolean':
      return 5;
    case 'undefined':
      return 4;
    case 'object':
      break;
    default:
      return stop + 1;
  }
  if (value === null) return 4;
  let total = 2;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length && total <= stop; index++) {
      total += upperBound(value[index], stop) + 1;
    }
    return total;
  }
  const record = value as Record<string, unknown>;
  // toJSON (a Date) may produce anything: leave that case to the exact measurement.
  if (typeof record.toJSON === 'function') return stop + 1;
  for (const key in record) {
    if (total > stop) break;
    if (!Object.hasOwn(record, key)) continue;
    total += key.length * 6 + 4 + upperBound(record[key], stop);
  }
  return total;
}

function utf8Length(text: string): number {
  // Buffer exists on Node and Deno; TextEncoder is the fallback for other hosts of the code.
  const buffer = (globalThis as { Buffer?: { byteLength(text: string): number } }).Buffer;
  return buffer !== undefined ? buffer.byteLength(text) : new TextEncoder().encode(text).length;
}

/** Thrown in the worker when a result or a chunk is over its limit; the loop reports it. */
export class OverLimitError extends Error {
  override name = 'OverLimitError';
  readonly kind: 'result' | 'chunk';
  readonly bytes: number;
  readonly limit: number;

  constructor(kind: 'result' | 'chunk', bytes: number, limit: number, message: string) {
    super(message);
    this.kind = kind;
    this.bytes = bytes;
    this.limit = limit;
  }
}
