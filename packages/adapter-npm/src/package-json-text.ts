import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** What reading `<folder>/package.json` as text gave. */
export type PackageJsonText =
  | { kind: 'text'; text: string }
  /** No such file (or no such folder): the package is not there. */
  | { kind: 'missing' }
  /** It exists but cannot be read; the kit's reader turns this into a diagnostic. */
  | { kind: 'unreadable' };

/**
 * Read `<folder>/package.json` as text, synchronously. On purpose: a node_modules holds hundreds
 * of small package.json files, and reading them synchronously is about ten times faster than
 * through the thread pool (each async read is four round trips: open, stat, read, close).
 * {@link readPackageJsonTexts} keeps the event loop responsive between batches.
 */
export function readPackageJsonText(folder: string): PackageJsonText {
  try {
    return { kind: 'text', text: readFileSync(path.join(folder, 'package.json'), 'utf8') };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? { kind: 'missing' } : { kind: 'unreadable' };
  }
}

/** Files read between two turns of the event loop: well under a millisecond of blocking. */
const BATCH = 64;

/** Map `read` over `items` in synchronous batches, yielding to the event loop between them. */
export async function inBatches<T, R>(items: readonly T[], read: (item: T) => R): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += BATCH) {
    if (start > 0) await nextTurn();
    for (const item of items.slice(start, start + BATCH)) results.push(read(item));
  }
  return results;
}

/**
 * Whether a package.json may declare a plugin. A substring test, so the hundreds of ordinary
 * packages in a node_modules are passed over without being parsed; the few that mention
 * `"plugwork"` (as a key, or anywhere else) are then read properly by the adapter kit.
 */
export function mayDeclarePlugin(text: string): boolean {
  return text.includes('"plugwork"');
}
