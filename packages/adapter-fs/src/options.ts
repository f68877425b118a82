import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAdapterOptions } from '@plugwork/adapter-kit';
import { z } from 'zod';

const directory = z
  .string()
  .min(1, 'must be a non-empty path')
  .transform((value) => path.resolve(value.startsWith('file:') ? fileURLToPath(value) : value));

/**
 * Options of {@link createAdapter}. Strict, so a misspelt option (`directory`, `debounce`) is an
 * error rather than silently ignored.
 */
export const fsAdapterOptionsSchema = z.strictObject({
  /** One directory or several; each immediate subfolder is a plugin. Paths or file: URLs. */
  directories: z
    .union([
      directory.transform((dir) => [dir]),
      z.array(directory).min(1, 'needs at least one directory'),
    ])
    // The same directory twice would report each of its plugins as its own duplicate.
    .transform((dirs) => [...new Set(dirs)]),
  /** Watch the directories and update the catalogue when folders come, go or change. */
  watch: z.boolean().default(false),
  /** How long the file system must be quiet before a change is acted on, in milliseconds. */
  debounceMs: z.number().int().min(0).max(60_000).default(100),
});

/** What you pass to createAdapter / fsAdapter. */
export type FsAdapterOptions = z.input<typeof fsAdapterOptionsSchema>;

/** The options after validation: absolute directories, defaults filled in. */
export type ResolvedFsAdapterOptions = z.output<typeof fsAdapterOptionsSchema>;

/** @throws AdapterOptionsError listing every invalid option */
export function resolveFsAdapterOptions(options: unknown): ResolvedFsAdapterOptions {
  return parseAdapterOptions(fsAdapterOptionsSchema, options, '@plugwork/adapter-fs');
}
