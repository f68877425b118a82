/**
 * The field checks of the wire parser. Each returns undefined when the value passes, or the
 * sentence zod's schema for that field would give, word for word, so that a message rejected on
 * the wire path reads exactly as it did when zod checked it (the protocol tests compare both).
 */

/** One failing field: the keys leading to it (none for the message itself) and the reason. */
export class Issue {
  readonly path: readonly string[];
  readonly reason: string;
  constructor(path: string | readonly string[], reason: string) {
    this.path = typeof path === 'string' ? [path] : path;
    this.reason = reason;
  }

  /** The same issue one level down: `plugins` + `0.name` -> `plugins.0.name`. */
  under(parent: string): Issue {
    return new Issue([parent, ...this.path], this.reason);
  }
}

export type Raw = Record<string, unknown>;

/** What zod calls a value's type in "received …" (util.parsedType and the English locale). */
function received(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isFinite(value) ? 'number' : String(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'array';
      const named = value as { constructor?: { name?: unknown } };
      if (Object.getPrototypeOf(value) !== Object.prototype && 'constructor' in value) {
        if (named.constructor) return String(named.constructor.name);
      }
      return 'object';
    }
    default:
      return typeof value;
  }
}

function invalidType(expected: string, value: unknown): string {
  return `Invalid input: expected ${expected}, received ${received(value)}`;
}

export function string(value: unknown): string | undefined {
  return typeof value === 'string' ? undefined : invalidType('string', value);
}

/** `z.string().min(1)`: ids and names. */
export function nonEmptyString(value: unknown): string | undefined {
  if (typeof value !== 'string') return invalidType('string', value);
  return value.length > 0 ? undefined : 'Too small: expected string to have >=1 characters';
}

export function boolean(value: unknown): string | undefined {
  return typeof value === 'boolean' ? undefined : invalidType('boolean', value);
}

/** `z.number()`: finite numbers only. */
export function number(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value)
    ? undefined
    : invalidType('number', value);
}

/** `z.number().int()`: a safe integer. */
export function integer(value: unknown): string | undefined {
  const notNumber = number(value);
  if (notNumber !== undefined) return notNumber;
  if (!Number.isInteger(value)) return invalidType('int', value);
  if (Number.isSafeInteger(value)) return undefined;
  return (value as number) > 0
    ? `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`
    : `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`;
}

/** `z.number().int().positive()`: counts and sizes. */
export function positiveInteger(value: unknown): string | undefined {
  const notInteger = integer(value);
  if (notInteger !== undefined) return notInteger;
  return (value as number) > 0 ? undefined : 'Too small: expected number to be >0';
}

/** `z.number().nonnegative()`. */
export function nonNegativeNumber(value: unknown): string | undefined {
  const notNumber = number(value);
  if (notNumber !== undefined) return notNumber;
  return (value as number) >= 0 ? undefined : 'Too small: expected number to be >=0';
}

/** `z.number().min(0).max(1)`: progress. */
export function fraction(value: unknown): string | undefined {
  const notNumber = number(value);
  if (notNumber !== undefined) return notNumber;
  if ((value as number) < 0) return 'Too small: expected number to be >=0';
  return (value as number) <= 1 ? undefined : 'Too big: expected number to be <=1';
}

/** `z.enum(['success', 'error'])`. */
export function status(value: unknown): string | undefined {
  return value === 'success' || value === 'error'
    ? undefined
    : 'Invalid option: expected one of "success"|"error"';
}

/** `z.object(…)` accepts any non-array object before it checks the keys. */
export function object(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function notAnObject(value: unknown): string {
  return invalidType('object', value);
}

/**
 * `jsonObjectSchema` (a `z.record`): a plain object. Its values are not walked: what arrived
 * through a JSON channel is JSON by construction.
 */
export function record(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) return undefined;
  }
  return invalidType('record', value);
}

export function notAnArray(value: unknown): string {
  return invalidType('array', value);
}

/** A copy of `input` without its own `__proto__` key, which parsing drops as zod does. */
export function withoutProto(input: Raw): Raw {
  const copy: Raw = {};
  for (const key in input) {
    if (key !== '__proto__') copy[key] = input[key];
  }
  return copy;
}

/** Whether `input` has an own `__proto__` key (JSON.parse makes one from `"__proto__":`). */
export function hasProto(input: object): boolean {
  return Object.hasOwn(input, '__proto__');
}
