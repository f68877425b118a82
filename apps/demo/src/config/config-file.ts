import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { DemoError, describe } from '../errors.ts';

/** Where the adapters look for plugins: the plugins folders, npm packages, or both. */
export const adapterChoiceSchema = z.enum(['fs', 'npm', 'both']);
export type AdapterChoice = z.output<typeof adapterChoiceSchema>;

const poolSize = z.number().int().min(1).max(16);
const pluginConfig = z.record(z.string(), z.unknown());

/**
 * plugwork.config.json. Every field is optional; what is left out keeps the demo's default.
 * Strict: a misspelt field is an error naming it, not silently ignored.
 */
export const configFileSchema = z.strictObject({
  /** Editors use it for completion; ignored. */
  $schema: z.string().optional(),
  adapter: adapterChoiceSchema.optional(),
  fs: z
    .strictObject({
      /** Plugin folders, relative to this file. */
      directories: z.array(z.string().min(1, 'must be a non-empty path')).min(1).optional(),
      watch: z.boolean().optional(),
      poolSize: poolSize.optional(),
    })
    .optional(),
  npm: z
    .strictObject({
      /** The project whose package.json and node_modules are read, relative to this file. */
      root: z.string().min(1, 'must be a non-empty path').optional(),
      scope: z.enum(['dependencies', 'all']).optional(),
      allow: z.array(z.string().min(1)).optional(),
      poolSize: poolSize.optional(),
    })
    .optional(),
  /** The Python plugins of the plugin folders: a pool of Python workers beside the Node ones. */
  python: z
    .strictObject({
      /** Left out: when the interpreter is there and new enough (3.9). */
      enabled: z.boolean().optional(),
      /** The interpreter (default python3 on the PATH). */
      path: z.string().min(1, 'must be a non-empty path').optional(),
      poolSize: poolSize.optional(),
    })
    .optional(),
  /** The folder of the job store files (relative to this file), or false for no store. */
  store: z.union([z.string().min(1, 'must be a non-empty path'), z.literal(false)]).optional(),
  /** Plugins one worker keeps loaded at once. */
  maxLoadedPlugins: z.number().int().min(1).max(64).optional(),
  /** Config per plugin name, validated by each plugin when it loads. */
  pluginConfigs: z.record(z.string().min(1), pluginConfig).optional(),
  server: z
    .strictObject({
      host: z.string().min(1).optional(),
      port: z.number().int().min(0).max(65_535).optional(),
      bodyLimitBytes: z
        .number()
        .int()
        .min(1_024)
        .max(64 * 1024 * 1024)
        .optional(),
    })
    .optional(),
});

export type ConfigFile = z.output<typeof configFileSchema>;

export const CONFIG_FILE_NAME = 'plugwork.config.json';

/** A config file read and validated, with the folder its relative paths are resolved from. */
export interface LoadedConfigFile {
  file: string;
  config: ConfigFile;
}

/** The file to read: the one named (flag or PLUGWORK_CONFIG), else ./plugwork.config.json if any. */
export function findConfigFile(named: string | undefined, cwd: string): string | undefined {
  if (named !== undefined) return path.resolve(cwd, named);
  const candidate = path.join(cwd, CONFIG_FILE_NAME);
  return existsSync(candidate) ? candidate : undefined;
}

/** Reads and validates a config file. Throws DemoError naming the file and every bad field. */
export function readConfigFile(file: string): LoadedConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw DemoError.configUnreadable(
      file,
      code === 'ENOENT' ? 'there is no such file' : describe(error),
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw DemoError.configUnreadable(file, `it is not valid JSON (${describe(error)})`);
  }
  const result = configFileSchema.safeParse(json);
  if (!result.success) throw DemoError.configInvalid(file, result.error);
  return { file, config: result.data };
}
