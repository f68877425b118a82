import { hasProto, Issue, type Raw, record, withoutProto } from './checks.ts';
import type { Parser } from './shape.ts';

/**
 * `jsonObjectSchema` on the wire path: the value must be a plain object, and its own
 * `__proto__` key is dropped as zod drops it. What is inside is not walked: a message that
 * came through a JSON channel (Node IPC with JSON serialization, newline-delimited JSON) holds
 * JSON by construction, and walking a 1 MB result cost more than the channel did.
 */
export const jsonObject: Parser = (value) => {
  // The common case first: a plain object as JSON.parse makes them, without a "__proto__" key.
  if (
    typeof value === 'object' &&
    value !== null &&
    Object.getPrototypeOf(value) === Object.prototype &&
    !Array.isArray(value) &&
    !hasProto(value)
  ) {
    return value;
  }
  const reason = record(value);
  if (reason !== undefined) return new Issue([], reason);
  return hasProto(value as object) ? withoutProto(value as Raw) : value;
};
