import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// src/ and dist/ sit side by side in the package, so these resolve the same from either.

/** The demo package's folder (apps/demo). */
export const DEMO_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The web UI: static HTML, CSS and ES modules, served as they are. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/** Where `pnpm demo` keeps its job store files (one per source) unless told otherwise. */
export const DEFAULT_DATA_DIR = path.join(DEMO_ROOT, '.data');

/** The default plugin folders for the fs adapter. */
export const DEFAULT_PLUGIN_DIRECTORIES = [
  fileURLToPath(new URL('../plugins', import.meta.url)),
  fileURLToPath(new URL('../plugins-extra', import.meta.url)),
];
