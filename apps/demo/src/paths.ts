import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// src/ and dist/ sit side by side in the package, so these resolve the same from either.

/** The demo package's folder (apps/demo). */
export const DEMO_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** The web UI: static HTML, CSS and ES modules, served as they are. */
export const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/** The default plugin folders for the fs adapter. */
export const DEFAULT_PLUGIN_DIRECTORIES = [
  fileURLToPath(new URL('../plugins', import.meta.url)),
  fileURLToPath(new URL('../plugins-extra', import.meta.url)),
];

/**
 * Preloaded into every worker process (`--import`): the worker ignores SIGINT, so a Ctrl-C in the
 * terminal reaches the host only, and the host cancels jobs and stops workers in order.
 */
export const WORKER_PRELOAD = new URL('../runtime/ignore-sigint.mjs', import.meta.url).href;
