import * as path from 'node:path';
import type { JsonObject } from '@plugwork/protocol';
import { DemoError } from '../errors.ts';
import { DEFAULT_PLUGIN_DIRECTORIES, DEMO_ROOT } from '../paths.ts';
import {
  type AdapterChoice,
  adapterChoiceSchema,
  type ConfigFile,
  configFileSchema,
  findConfigFile,
  readConfigFile,
} from './config-file.ts';

/** Everything the demo runs with: defaults, then the config file, then env, then flags. */
export interface DemoSettings {
  adapter: AdapterChoice;
  fs: { directories: string[]; watch: boolean; poolSize: number };
  npm: {
    root: string;
    scope: 'dependencies' | 'all';
    allow: string[] | undefined;
    poolSize: number;
  };
  /** The Python plugins of the `fs` folders; `enabled` undefined: when python3 works. */
  python: { enabled: boolean | undefined; path: string | undefined; poolSize: number };
  maxLoadedPlugins: number;
  /** Where each source's SQLite job store lives (`jobs-fs.db`, `jobs-npm.db`); undefined: in memory. */
  store: { directory: string } | undefined;
  pluginConfigs: Record<string, JsonObject>;
  server: { host: string; port: number; bodyLimitBytes: number };
  /** The config file read, if any. */
  configFile: string | undefined;
  /**
   * `--redis` mode: jobs go through BullMQ on this Redis to plugwork nodes; `localNode` runs one
   * node in the demo's own process (its pool from `fs`, or `npm` with `--adapter npm`).
   */
  redis?: { url: string; prefix: string; localNode: boolean } | undefined;
}

/** The demo's defaults: what runs with no config file and no flags. */
export const DEFAULT_SETTINGS: Omit<DemoSettings, 'configFile'> = {
  adapter: 'both',
  fs: { directories: DEFAULT_PLUGIN_DIRECTORIES, watch: true, poolSize: 2 },
  npm: { root: DEMO_ROOT, scope: 'dependencies', allow: undefined, poolSize: 1 },
  python: { enabled: undefined, path: undefined, poolSize: 1 },
  maxLoadedPlugins: 4,
  store: undefined,
  pluginConfigs: {},
  server: { host: '127.0.0.1', port: 3000, bodyLimitBytes: 1024 * 1024 },
};

export interface SettingsInput {
  /** Relative paths and ./plugwork.config.json are resolved from here. Default process.cwd(). */
  cwd?: string;
  /** PORT, HOST and PLUGWORK_CONFIG are read from here. Default process.env. */
  env?: Record<string, string | undefined>;
  /** --plugwork-config: the config file to read (it must exist). */
  configFile?: string;
  /** A config given as an object instead of a file (same format); relative paths from `cwd`. */
  config?: unknown;
  /** --adapter */
  adapter?: string;
  /** --host */
  host?: string;
  /** --port */
  port?: string;
  /** --store <dir> (a folder), or false for --no-store. */
  store?: string | false;
  /** The store folder when neither a flag nor the config file names one (`pnpm demo`'s data dir). */
  defaultStore?: string;
  /** --redis <url>: submit through BullMQ to the nodes on this Redis. */
  redis?: string;
  /** --redis-prefix (default `plugwork`, the nodes' default). */
  redisPrefix?: string;
  /** false for --no-local-node. Default true. */
  localNode?: boolean;
}

/** Resolves the settings. Throws DemoError naming the file, field, flag or variable at fault. */
export function resolveSettings(input: SettingsInput = {}): DemoSettings {
  const cwd = input.cwd ?? process.cwd();
  const env = input.env ?? process.env;
  let file: ConfigFile = {};
  let baseDir = cwd;
  let configFile: string | undefined;
  if (input.config !== undefined) {
    const result = configFileSchema.safeParse(input.config);
    if (!result.success) throw DemoError.configInvalid('(given as an object)', result.error);
    file = result.data;
  } else {
    configFile = findConfigFile(input.configFile ?? nonEmpty(env.PLUGWORK_CONFIG), cwd);
    if (configFile !== undefined) {
      file = readConfigFile(configFile).config;
      baseDir = path.dirname(configFile);
    }
  }
  const fromFile = (relative: string) => path.resolve(baseDir, relative);

  let adapter = file.adapter ?? DEFAULT_SETTINGS.adapter;
  if (input.adapter !== undefined) {
    const parsed = adapterChoiceSchema.safeParse(input.adapter);
    if (!parsed.success) {
      throw DemoError.invalidArgument('--adapter', `"${input.adapter}" (use fs, npm or both)`);
    }
    adapter = parsed.data;
  }

  const host =
    input.host ?? nonEmpty(env.HOST) ?? file.server?.host ?? DEFAULT_SETTINGS.server.host;
  const portText = input.port ?? nonEmpty(env.PORT);
  const port =
    portText === undefined
      ? (file.server?.port ?? DEFAULT_SETTINGS.server.port)
      : parsePort(portText, input.port !== undefined ? '--port' : 'PORT');

  let store: DemoSettings['store'];
  if (input.store !== undefined) {
    store = input.store === false ? undefined : { directory: path.resolve(cwd, input.store) };
  } else if (file.store !== undefined) {
    store = file.store === false ? undefined : { directory: fromFile(file.store) };
  } else if (input.defaultStore !== undefined) {
    store = { directory: input.defaultStore };
  }

  return {
    adapter,
    fs: {
      directories: file.fs?.directories?.map(fromFile) ?? DEFAULT_SETTINGS.fs.directories,
      watch: file.fs?.watch ?? DEFAULT_SETTINGS.fs.watch,
      poolSize: file.fs?.poolSize ?? DEFAULT_SETTINGS.fs.poolSize,
    },
    npm: {
      root: file.npm?.root === undefined ? DEFAULT_SETTINGS.npm.root : fromFile(file.npm.root),
      scope: file.npm?.scope ?? DEFAULT_SETTINGS.npm.scope,
      allow: file.npm?.allow ?? DEFAULT_SETTINGS.npm.allow,
      poolSize: file.npm?.poolSize ?? DEFAULT_SETTINGS.npm.poolSize,
    },
    python: {
      enabled: file.python?.enabled ?? DEFAULT_SETTINGS.python.enabled,
      // A name such as python3.12 is looked up on the PATH; a path is relative to the file.
      path:
        file.python?.path === undefined
          ? DEFAULT_SETTINGS.python.path
          : file.python.path.includes('/')
            ? fromFile(file.python.path)
            : file.python.path,
      poolSize: file.python?.poolSize ?? DEFAULT_SETTINGS.python.poolSize,
    },
    maxLoadedPlugins: file.maxLoadedPlugins ?? DEFAULT_SETTINGS.maxLoadedPlugins,
    store,
    pluginConfigs: (file.pluginConfigs ?? {}) as Record<string, JsonObject>,
    server: {
      host,
      port,
      bodyLimitBytes: file.server?.bodyLimitBytes ?? DEFAULT_SETTINGS.server.bodyLimitBytes,
    },
    configFile,
    redis: redisSettings(input),
  };
}

function redisSettings(input: SettingsInput): DemoSettings['redis'] {
  if (input.redis === undefined) {
    if (input.redisPrefix !== undefined || input.localNode === false) {
      const flag = input.redisPrefix !== undefined ? '--redis-prefix' : '--no-local-node';
      throw DemoError.invalidArgument(flag, 'it only applies with --redis <url>');
    }
    return undefined;
  }
  if (!/^rediss?:\/\/./.test(input.redis)) {
    throw DemoError.invalidArgument(
      '--redis',
      `"${input.redis}" is not a Redis URL (use redis://host:port, e.g. redis://127.0.0.1:6379)`,
    );
  }
  const prefix = input.redisPrefix ?? 'plugwork';
  if (prefix === '' || /[\s:]/.test(prefix)) {
    throw DemoError.invalidArgument('--redis-prefix', `"${prefix}" (no spaces or colons)`);
  }
  return { url: input.redis, prefix, localNode: input.localNode !== false };
}

function parsePort(text: string, name: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) {
    throw DemoError.invalidArgument(name, `"${text}" is not a port number (0 to 65535)`);
  }
  return port;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
