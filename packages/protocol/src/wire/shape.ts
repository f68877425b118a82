import { hasProto, Issue, notAnArray, notAnObject, object, type Raw } from './checks.ts';

/**
 * A parser of one value: the value to keep (possibly a new object) or the Issue that rejects
 * it. Success allocates nothing for leaves, so a message's envelope costs a handful of typeof
 * checks and one small object.
 */
export type Parser = (value: unknown) => unknown;

/** A leaf parser from a check that returns zod's sentence on failure. */
export function leaf(check: (value: unknown) => string | undefined): Parser {
  return (value) => {
    const reason = check(value);
    return reason === undefined ? value : new Issue([], reason);
  };
}

export interface Field {
  key: string;
  parse: Parser;
  /** `.optional()`: an absent key is fine and stays absent. */
  optional?: boolean;
  /** `.nullable()`: null is fine. */
  nullable?: boolean;
  /** `.default(…)`: what an absent key becomes. */
  fallback?: () => unknown;
}

/**
 * `z.object(shape)` (strict: unknown keys are dropped) or `z.looseObject(shape)` (unknown keys
 * are kept, `__proto__` excepted). Fields are checked in order and the first failure wins,
 * which is the issue zod lists first.
 */
export function shape(fields: readonly Field[], loose: boolean): Parser {
  const known = new Set(fields.map((field) => field.key));
  return (value) => {
    if (!object(value)) return new Issue([], notAnObject(value));
    const input = value as Raw;
    const output: Raw = {};
    for (const field of fields) {
      const item = input[field.key];
      if (item === undefined) {
        if (field.fallback !== undefined) {
          output[field.key] = field.fallback();
          continue;
        }
        if (field.optional === true) continue;
      } else if (item === null && field.nullable === true) {
        output[field.key] = null;
        continue;
      }
      const parsed = field.parse(item);
      if (parsed instanceof Issue) return parsed.under(field.key);
      output[field.key] = parsed;
    }
    if (loose) {
      for (const key in input) {
        if (!known.has(key) && key !== '__proto__') output[key] = input[key];
      }
    }
    return output;
  };
}

/** `z.array(item)`. Returns the input array itself when no item changed. */
export function arrayOf(item: Parser): Parser {
  return (value) => {
    if (!Array.isArray(value)) return new Issue([], notAnArray(value));
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const parsed = item(value[index]);
      if (parsed instanceof Issue) return parsed.under(String(index));
      if (copy === undefined && parsed !== value[index]) copy = value.slice(0, index);
      copy?.push(parsed);
    }
    return copy ?? value;
  };
}

/**
 * `z.record(z.string(), value)`: every own key's value parsed; `__proto__` keys are dropped
 * without a check, as zod does. Returns the input itself when nothing changed.
 */
export function recordOf(isRecord: (value: unknown) => string | undefined, item: Parser): Parser {
  return (value) => {
    const reason = isRecord(value);
    if (reason !== undefined) return new Issue([], reason);
    const input = value as Raw;
    let changed = hasProto(input);
    const output: Raw = {};
    for (const key of Object.keys(input)) {
      if (key === '__proto__') continue;
      const parsed = item(input[key]);
      if (parsed instanceof Issue) return parsed.under(key);
      if (parsed !== input[key]) changed = true;
      output[key] = parsed;
    }
    return changed ? output : input;
  };
}
