import type { JsonObject } from '@plugwork/protocol/wire';
import { toJsonSafe } from '../json-safe.ts';

/**
 * A plugin's return value as the `data` of a result message (the seed's rule): an object goes
 * as it is; a string, number, boolean, null or undefined becomes `{ text, metadata: {} }`; an
 * array becomes `{ text: <its JSON>, metadata: {} }`.
 *
 * Throws NotJsonSafeError for what JSON would silently mangle (a function, a symbol, a BigInt, a
 * cycle, a Map, a Set) anywhere in the value, so that it becomes the job's error rather than a
 * result with holes in it, or a worker crash.
 */
export function toResultData(value: unknown): JsonObject {
  const safe = toJsonSafe(value, 'result');
  if (typeof safe === 'object' && safe !== null) {
    if (!Array.isArray(safe)) return safe as JsonObject;
    return { text: JSON.stringify(safe), metadata: {} };
  }
  return { text: safe === undefined || safe === null ? '' : String(safe), metadata: {} };
}
