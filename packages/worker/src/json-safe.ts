import { describe, JsonSafetyPhrases } from './errors.ts';

/** Thrown by {@link toJsonSafe}: `reason` names the offending place, for a person. */
export class NotJsonSafeError extends Error {
  override name = 'NotJsonSafeError';
}

/**
 * Returns `value` as it will arrive on the other side of a JSON channel, or throws
 * NotJsonSafeError when JSON would lose something without a word: a function, a symbol, a
 * BigInt, a cycle, a Map or a Set.
 *
 * Conversions JSON makes in the open are kept (NaN and Infinity become null, `undefined`
 * properties disappear, Date becomes its ISO string via toJSON). The input is returned as is
 * when nothing needs converting, so the common case allocates nothing.
 *
 * @param root how the message names the value (`result`, `params`)
 */
export function toJsonSafe(value: unknown, root: string): unknown {
  const path: (string | number)[] = [];
  try {
    return convert(value, path, []);
  } catch (error) {
    if (error instanceof NotJsonSafeError) throw error;
    if (error instanceof RangeError) {
      throw new NotJsonSafeError(JsonSafetyPhrases.tooDeep(formatPath(root, path)));
    }
    throw error;
  }

  function convert(current: unknown, at: (string | number)[], ancestors: object[]): unknown {
    switch (typeof current) {
      case 'string':
      case 'boolean':
        return current;
      case 'number':
        return Number.isFinite(current) ? current : null;
      case 'undefined':
        return undefined;
      case 'bigint':
        throw new NotJsonSafeError(JsonSafetyPhrases.bigint(formatPath(root, at)));
      case 'function':
        throw new NotJsonSafeError(JsonSafetyPhrases.function(formatPath(root, at)));
      case 'symbol':
        throw new NotJsonSafeError(JsonSafetyPhrases.symbol(formatPath(root, at)));
    }
    if (current === null) return null;
    const object = current as Record<string, unknown>;
    if (ancestors.includes(object)) {
      throw new NotJsonSafeError(JsonSafetyPhrases.cycle(formatPath(root, at)));
    }
    if (typeof object.toJSON === 'function') {
      let replaced: unknown;
      try {
        replaced = (object.toJSON as () => unknown)();
      } catch (error) {
        throw new NotJsonSafeError(
          JsonSafetyPhrases.toJsonThrew(formatPath(root, at), describe(error)),
        );
      }
      ancestors.push(object);
      const converted = convert(replaced, at, ancestors);
      ancestors.pop();
      return converted;
    }
    if (object instanceof Map || object instanceof Set || object instanceof WeakMap) {
      throw new NotJsonSafeError(
        JsonSafetyPhrases.collection(formatPath(root, at), object.constructor.name),
      );
    }
    ancestors.push(object);
    const result = Array.isArray(object)
      ? convertArray(object, at, ancestors)
      : convertObject(object, at, ancestors);
    ancestors.pop();
    return result;
  }

  function convertArray(array: unknown[], at: (string | number)[], ancestors: object[]): unknown {
    let copy: unknown[] | undefined;
    for (let index = 0; index < array.length; index++) {
      const item = array[index];
      at.push(index);
      let converted = convert(item, at, ancestors);
      at.pop();
      if (converted === undefined) converted = null;
      if (copy === undefined && converted !== item) copy = array.slice(0, index);
      copy?.push(converted);
    }
    return copy ?? array;
  }

  function convertObject(
    object: Record<string, unknown>,
    at: (string | number)[],
    ancestors: object[],
  ): unknown {
    let copy: Record<string, unknown> | undefined;
    const keys = Object.keys(object);
    for (let index = 0; index < keys.length; index++) {
      const key = keys[index]!;
      const item = object[key];
      at.push(key);
      const converted = convert(item, at, ancestors);
      at.pop();
      if (copy === undefined && converted !== item) {
        copy = {};
        for (let before = 0; before < index; before++) {
          const kept = keys[before]!;
          copy[kept] = object[kept];
        }
      }
      if (copy !== undefined && converted !== undefined) copy[key] = converted;
    }
    // A class instance becomes a plain object, as it would through JSON.
    if (copy === undefined && !isPlainObject(object)) return Object.assign({}, object);
    return copy ?? object;
  }
}

/** True for `{}`-literals and `Object.create(null)` objects. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function formatPath(root: string, path: readonly (string | number)[]): string {
  let text = root;
  for (const segment of path) {
    text +=
      typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z_$][\w$]*$/.test(segment)
          ? `.${segment}`
          : `[${JSON.stringify(segment)}]`;
  }
  return text;
}
