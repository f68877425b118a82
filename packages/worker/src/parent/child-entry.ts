import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The file a worker process starts from: the bundle the build makes of a child entry
 * (scripts/bundle-child.mjs), or the entry itself where there is no bundle (a build that ran
 * tsc alone). Both are built JavaScript; the bundle loads as one file, which halves what a
 * worker's start-up costs beyond a bare Node process and keeps its memory within about 1.5 MB
 * of one.
 */
export function childEntry(name: 'main' | 'socket-main'): URL {
  const bundle = new URL(`../child/${name}.bundle.js`, import.meta.url);
  return existsSync(fileURLToPath(bundle))
    ? bundle
    : new URL(`../child/${name}.js`, import.meta.url);
}
