/**
 * Whether a value is plain JSON (what survives a trip through Redis unchanged), and where it is
 * not: `params.when: a Date`, `params.items[2]: a function`. JSON.stringify would silently drop
 * or convert these; a job should fail at submit instead, where the mistake is.
 */
export function findNonJson(
  value: unknown,
  path: string,
  seen = new Set<object>(),
): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path}: ${value} is not a JSON number`;
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return `${path}: a circular reference`;
      seen.add(value);
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index++) {
          const problem = findNonJson(value[index], `${path}[${index}]`, seen);
          if (problem !== undefined) return problem;
        }
      } else {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          return `${path}: a ${value.constructor?.name ?? 'non-plain object'} (pass plain objects, arrays, strings, numbers, booleans or null)`;
        }
        for (const [key, item] of Object.entries(value)) {
          const problem = findNonJson(item, `${path}.${key}`, seen);
          if (problem !== undefined) return problem;
        }
      }
      seen.delete(value);
      return undefined;
    }
    case 'undefined':
      return `${path}: undefined is not JSON (leave the key out, or pass null)`;
    case 'bigint':
      return `${path}: a bigint is not JSON (pass a number or a string)`;
    default:
      return `${path}: a ${typeof value} is not JSON`;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
