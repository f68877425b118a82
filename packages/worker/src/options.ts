import { isAbsolute, resolve } from 'node:path';
import type {
  EventBroadcaster,
  JsonObject,
  PluginRegistry,
  ResourceManager,
} from '@plugwork/protocol';
import { jsonObjectSchema } from '@plugwork/protocol';
import { z } from 'zod';
import { InvalidOptionsError, PythonMessages } from './errors.ts';
import type { Logger } from './parent/logger.ts';
import type { SqliteStoreConfig } from './store/open-store.ts';
import {
  type RetentionOption,
  retentionOptionSchema,
  storeOptionSchema,
} from './store/store-options.ts';

/** The documented defaults, in one place (the README's option table mirrors this object). */
export const DEFAULTS = {
  poolSize: 1,
  maxLoadedPlugins: 1,
  adapterExport: 'createAdapter',
  timeouts: {
    startMs: 30_000,
    requestMs: 30_000,
    shutdownMs: 5_000,
    cancelGraceMs: 5_000,
  },
  queue: { maxSize: 1_000 },
  restart: {
    policy: 'backoff',
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    maxCrashes: 5,
    crashWindowMs: 60_000,
  },
  stream: { windowChars: 1_048_576 },
  /** Bytes of UTF-8 JSON; far below what a channel can carry (V8 strings end near 512 M). */
  limits: {
    paramsBytes: 16 * 1024 * 1024,
    resultBytes: 64 * 1024 * 1024,
    chunkBytes: 4 * 1024 * 1024,
  },
  retainJobs: 1_000,
  prefetch: 2,
  maxConcurrency: 1_000,
  runtime: 'node',
} as const;

const positiveInt = z.number().int().positive();
/** The most any payload limit may be: a quarter of V8's longest string, so a message fits. */
export const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
const payloadLimit = positiveInt.max(MAX_PAYLOAD_BYTES);
const nonNegativeInt = z.number().int().nonnegative();

function hasMethods<T>(name: string, methods: string[]) {
  return z.custom<T>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
    { message: `must be an object implementing ${name} (${methods.join(', ')})` },
  );
}

/** Paths resolved against the host's working directory, so the worker's cwd does not matter. */
const absolutePaths = z
  .array(z.string().min(1))
  .default([])
  .transform((paths) => paths.map((path) => (isAbsolute(path) ? path : resolve(path))));

const permissionsSchema = z.strictObject({
  read: absolutePaths,
  write: absolutePaths,
  net: z.union([z.boolean(), z.array(z.string().min(1))]).default(false),
  childProcess: z.boolean().default(false),
});

export type ResolvedPermissions = z.output<typeof permissionsSchema>;

export const restartPolicySchema = z.enum(['never', 'on-cancellation', 'always', 'backoff']);

const optionsSchema = z.strictObject({
  adapter: z.strictObject({
    module: z.union([z.string().min(1), z.instanceof(URL)]),
    export: z.string().min(1).default(DEFAULTS.adapterExport),
    options: jsonObjectSchema.default({}),
  }),
  poolSize: positiveInt.max(256).default(DEFAULTS.poolSize),
  pluginConfigs: z.record(z.string().min(1), jsonObjectSchema).optional(),
  registry: hasMethods<PluginRegistry>('PluginRegistry', ['loadPluginConfig']).optional(),
  maxLoadedPlugins: positiveInt.default(DEFAULTS.maxLoadedPlugins),
  timeouts: z
    .strictObject({
      startMs: positiveInt.default(DEFAULTS.timeouts.startMs),
      requestMs: positiveInt.default(DEFAULTS.timeouts.requestMs),
      shutdownMs: positiveInt.default(DEFAULTS.timeouts.shutdownMs),
      cancelGraceMs: nonNegativeInt.default(DEFAULTS.timeouts.cancelGraceMs),
      jobMs: positiveInt.optional(),
      stallMs: positiveInt.optional(),
    })
    .prefault({}),
  queue: z.strictObject({ maxSize: positiveInt.default(DEFAULTS.queue.maxSize) }).prefault({}),
  restart: z
    .strictObject({
      policy: restartPolicySchema.default(DEFAULTS.restart.policy),
      baseDelayMs: nonNegativeInt.default(DEFAULTS.restart.baseDelayMs),
      maxDelayMs: nonNegativeInt.default(DEFAULTS.restart.maxDelayMs),
      maxCrashes: positiveInt.default(DEFAULTS.restart.maxCrashes),
      crashWindowMs: positiveInt.default(DEFAULTS.restart.crashWindowMs),
    })
    .prefault({}),
  worker: z
    .strictObject({
      execArgv: z.array(z.string()).default([]),
      // process.env is no plain object to zod: copied first, so `env: process.env` is taken.
      env: z
        .preprocess(
          (value) =>
            typeof value === 'object' && value !== null && !Array.isArray(value)
              ? { ...value }
              : value,
          z.record(z.string(), z.string().optional()),
        )
        .optional(),
      cwd: z.string().min(1).optional(),
      nodePath: z.string().min(1).optional(),
      denoPath: z.string().min(1).optional(),
      pythonPath: z.string().min(1).optional(),
      inheritEnv: z.boolean().optional(),
      niceIncrement: z.number().int().min(0).max(19).default(0),
    })
    .prefault({}),
  limits: z
    .strictObject({
      paramsBytes: payloadLimit.default(DEFAULTS.limits.paramsBytes),
      resultBytes: payloadLimit.default(DEFAULTS.limits.resultBytes),
      chunkBytes: payloadLimit.default(DEFAULTS.limits.chunkBytes),
    })
    .prefault({}),
  stream: z
    .strictObject({ windowChars: positiveInt.default(DEFAULTS.stream.windowChars) })
    .prefault({}),
  retainJobs: nonNegativeInt.default(DEFAULTS.retainJobs),
  store: storeOptionSchema.default('memory'),
  recovery: z.enum(['retry', 'fail']).default('retry'),
  retention: retentionOptionSchema.optional(),
  prefetch: nonNegativeInt.max(1_000).default(DEFAULTS.prefetch),
  maxConcurrency: positiveInt.max(10_000).default(DEFAULTS.maxConcurrency),
  runtime: z.enum(['node', 'deno', 'python']).default(DEFAULTS.runtime),
  permissions: permissionsSchema.optional(),
  resourceManager: hasMethods<ResourceManager>('ResourceManager', [
    'registerWorker',
    'unregisterWorker',
    'updateWorkerState',
  ]).optional(),
  broadcaster: hasMethods<EventBroadcaster>('EventBroadcaster', ['broadcast']).optional(),
  logger: z
    .custom<Logger>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        ['output', 'warn'].every((key) => {
          const method = (value as Record<string, unknown>)[key];
          return method === undefined || typeof method === 'function';
        }),
      { message: 'must be an object with optional output(line, source) and warn(message) methods' },
    )
    .optional(),
});

/** Everything a JobManager can be configured with. Only `adapter` is required. */
export interface JobManagerOptions {
  /**
   * How each worker builds its adapter: a module it imports and a factory it calls with JSON
   * `options`. `module` is a file:// URL, an absolute path, a path relative to the current
   * directory (`./adapter.js`) or a package name resolved from the current directory.
   */
  adapter: { module: string | URL; export?: string; options?: JsonObject };
  /** Worker processes to run (>= 1). Default 1. */
  poolSize?: number;
  /** Config per plugin name. The ones listed are loaded at worker start (up to maxLoadedPlugins). */
  pluginConfigs?: Record<string, JsonObject>;
  /** Asked for a plugin's config whenever a worker loads it. Use this or pluginConfigs. */
  registry?: PluginRegistry;
  /** Plugins a worker may keep loaded at once; loading one more unloads the least recently used. Default 1 (the seed's behaviour). */
  maxLoadedPlugins?: number;
  timeouts?: {
    /** Spawn to `ready`, including loading the configured plugins. Default 30 000. */
    startMs?: number;
    /** reload / unload / get_state answer. Default 30 000. */
    requestMs?: number;
    /** stop to exit, before the worker is killed. Default 5 000. */
    shutdownMs?: number;
    /** Cooperative cancel to kill. Default 5 000. */
    cancelGraceMs?: number;
    /** Default per-job time limit (submit option timeoutMs overrides). Default none. */
    jobMs?: number;
    /** Default per-job stall limit: no progress report and no chunk for this long. Default none. */
    stallMs?: number;
  };
  queue?: {
    /** Queued (not yet running) jobs beyond which submit() throws QueueFullError. Default 1 000. */
    maxSize?: number;
  };
  restart?: {
    /** When a dead worker is replaced. Default 'backoff'. */
    policy?: 'never' | 'on-cancellation' | 'always' | 'backoff';
    /** First backoff delay; doubles per crash in the window. Default 500. */
    baseDelayMs?: number;
    /** Backoff ceiling. Default 30 000. */
    maxDelayMs?: number;
    /** Crashes within crashWindowMs after which the worker is reported failed. Default 5. */
    maxCrashes?: number;
    /** Default 60 000. */
    crashWindowMs?: number;
  };
  worker?: {
    /** Node flags for worker processes (e.g. '--max-old-space-size=4096'). Default []. */
    execArgv?: string[];
    /**
     * Environment of worker processes. Without `permissions`: the whole environment (default:
     * the host's process.env). With `permissions`: added to the allow-listed variables of the
     * host (see inheritEnv); a key set to undefined removes one.
     */
    env?: Record<string, string | undefined>;
    /**
     * With `permissions`, workers get only an allow-list of the host's environment variables
     * (PATH, HOME, USER, LOGNAME, LANG, LANGUAGE, LC_*, TZ, TMPDIR, TEMP, TMP) plus worker.env:
     * no API keys or passwords leak into plugin code. `true` passes the host's whole
     * environment instead. Ignored without `permissions` (workers get the host's environment).
     */
    inheritEnv?: boolean;
    /** Working directory of worker processes. Default: the host's process.cwd(). */
    cwd?: string;
    /**
     * The node binary for runtime 'node'. Default: $PLUGWORK_NODE_PATH, else the host's own
     * executable under a Node host, else `node` on the PATH (under a Deno host).
     */
    nodePath?: string;
    /**
     * The deno binary for runtime 'deno'. Default: $PLUGWORK_DENO_PATH or $DENO_PATH, else the
     * `deno` npm package installed where the host runs, else the host itself under Deno, else
     * `deno` on the PATH.
     */
    denoPath?: string;
    /** The Python (>= 3.9) for runtime 'python'. Default: $PLUGWORK_PYTHON_PATH, else `python3`. */
    pythonPath?: string;
    /**
     * Runs worker processes at a lower CPU priority than the host: their nice value is the
     * host's plus this (0 to 19; every thread of the worker). With few cores and plugins that
     * compute flat out, the host then still gets a core at once to read and answer (see
     * BENCHMARKS.md, time to first chunk). Workers lose nothing while the host is idle.
     * Default 0 (the host's priority).
     */
    niceIncrement?: number;
  };
  stream?: {
    /** Characters of chunk text a streaming job may have in flight unconsumed. Default 1 048 576. */
    windowChars?: number;
  };
  /**
   * Payload limits, in bytes of UTF-8 JSON (at most 256 MiB each). Params over `paramsBytes`
   * are refused at submit (PayloadTooLargeError); a result over `resultBytes` fails its job with
   * RESULT_TOO_LARGE and a streamed chunk over `chunkBytes` with CHUNK_TOO_LARGE, and the
   * worker goes on. Defaults: 16 MiB, 64 MiB, 4 MiB.
   */
  limits?: { paramsBytes?: number; resultBytes?: number; chunkBytes?: number };
  /**
   * Jobs a worker is sent ahead, beyond those it runs: it starts the next one the moment it
   * sends a result, without waiting for the host. Jobs sent ahead that a dying worker had not
   * started run elsewhere, never twice. 0 turns pipelining off. Default 2. For a plugin whose
   * jobs run shorter than a millisecond the window grows, up to 64 jobs (about 2 ms of its
   * work), so that short jobs travel several to a write; one long job shrinks it back.
   */
  prefetch?: number;
  /**
   * The most jobs of one plugin a worker runs at once, whatever the plugin declares
   * (`concurrency` in its manifest or definePlugin). Default 1 000.
   */
  maxConcurrency?: number;
  /**
   * Finished jobs kept for getJob/listJobs before the oldest are forgotten, per status, with the
   * memory store (the SQLite store keeps them until `retention` says otherwise). Default 1 000.
   */
  retainJobs?: number;
  /**
   * Where jobs are kept: 'memory' (default: nothing survives the process) or
   * `{ sqlite: './jobs.db' }`, a file that keeps the queue, the running jobs' state and the
   * history across restarts and crashes. See the README's "Durable jobs".
   */
  store?: 'memory' | SqliteStoreConfig;
  /**
   * Jobs a previous host left running: 'retry' (default) runs them again if they have attempts
   * left and fails the others with HOST_RESTARTED; 'fail' fails them all with HOST_RESTARTED.
   */
  recovery?: 'retry' | 'fail';
  /**
   * How long finished jobs are kept, per status (`{ maxAgeMs?, maxCount? }` each), pruned every
   * `intervalMs` (default 60 000) in small batches. Default: the memory store keeps retainJobs
   * per status; the SQLite store keeps everything.
   */
  retention?: RetentionOption;
  /**
   * What runs the workers: 'node' (default; Node IPC channel), 'deno' or 'python' (a socket
   * channel of their own, newline-delimited JSON). With 'python', `adapter` names a Python
   * module and class, or is fsAdapter(...). See the README's "Runtimes and sandboxing" and
   * "Python plugins".
   */
  runtime?: 'node' | 'deno' | 'python';
  /**
   * Sandbox every worker: absent means no sandbox. Present, a worker may read only `read` plus
   * what the worker itself needs, write only `write`, spawn processes only with `childProcess`,
   * and (runtime 'deno' only) connect only where `net` allows. Relative paths are resolved
   * against the host's working directory.
   */
  permissions?: {
    /** Folders and files plugins may read: their own folder(s), data they need. Default []. */
    read?: string[];
    /** Folders and files plugins may write. Default [] (nothing). */
    write?: string[];
    /** Deno only: false (default) = no network, true = any, or a list of hosts (`host:port`). */
    net?: boolean | string[];
    /** Whether plugins may start processes. Default false. */
    childProcess?: boolean;
  };
  resourceManager?: ResourceManager;
  broadcaster?: EventBroadcaster;
  /** Where worker output and warnings go. Default: process.stderr. */
  logger?: Logger;
}

export type ResolvedOptions = z.output<typeof optionsSchema>;

/** Validates options and fills in defaults. Throws InvalidOptionsError naming the option. */
export function resolveOptions(options: unknown): ResolvedOptions {
  const result = optionsSchema.safeParse(options);
  if (!result.success) throw toOptionsError(result.error);
  const resolved = result.data;
  if (resolved.pluginConfigs !== undefined && resolved.registry !== undefined) {
    throw InvalidOptionsError.configsAndRegistry();
  }
  if (resolved.runtime === 'python' && resolved.permissions !== undefined) {
    throw new InvalidOptionsError('permissions', PythonMessages.noSandbox);
  }
  if (resolved.restart.maxDelayMs < resolved.restart.baseDelayMs) {
    throw new InvalidOptionsError(
      'restart.maxDelayMs',
      `must be at least restart.baseDelayMs (${resolved.restart.baseDelayMs})`,
    );
  }
  return resolved;
}

function toOptionsError(error: z.ZodError): InvalidOptionsError {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join('.');
  if (path === '' && issue.code === 'invalid_type') {
    return new InvalidOptionsError('', 'pass an object, at least { adapter: { module } }');
  }
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return InvalidOptionsError.unknownOption(path === '' ? key : `${path}.${key}`);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return new InvalidOptionsError(path, 'is required');
  }
  return new InvalidOptionsError(path, lowerFirst(issue.message));
}

function lowerFirst(text: string): string {
  return text.length > 0 ? text[0]!.toLowerCase() + text.slice(1) : text;
}
