import {
  type AnyPlugin,
  type ExecutionContext,
  type JobParams,
  type PluginConfig,
  type PluginContext,
  ValidationError,
  validateWithSchema,
} from '@plugwork/protocol';
import {
  InvalidChunkError,
  PluginConfigError,
  PluginDisposeError,
  PluginLoadError,
  PluginNotLoadedError,
  PluginParamsError,
  StreamingNotSupportedError,
} from './errors.ts';
import { type ImportPluginModule, importPluginModule } from './import-plugin-module.ts';
import type { PluginCandidate } from './plugin-candidate.ts';

/** A plugin whose setup has run: ready for jobs. */
export interface LoadedPlugin {
  readonly candidate: PluginCandidate;
  readonly plugin: AnyPlugin;
  /** The config as it was given, before the schema applied defaults; reused by a bare reload. */
  readonly rawConfig: PluginConfig;
  /** The config after validation: what `context.config` is. */
  readonly config: unknown;
  /** What `setup` returned: what `context.state` is. */
  readonly state: unknown;
}

export interface PluginHostOptions {
  /** How entries are imported; the default is {@link importPluginModule}. */
  importModule?: ImportPluginModule;
  /**
   * Called when the dispose hook of a plugin being replaced (reload, load over a loaded plugin)
   * throws. The replacement goes ahead regardless; an explicit `unload` throws instead.
   */
  onDisposeError?: (error: PluginDisposeError) => void;
}

/**
 * Runs the lifecycle of loaded plugins: load (import, validate config, setup), execute and
 * stream (validate params, build the context), reload, unload (dispose). Adapters differ in how
 * they find candidates, never in this.
 *
 * Lifecycle operations on one plugin run one after another; a job submitted while its plugin is
 * being loaded or reloaded waits for that to finish.
 */
export class PluginHost {
  readonly #loaded = new Map<string, LoadedPlugin>();
  readonly #pending = new Map<string, Promise<void>>();
  readonly #importModule: ImportPluginModule;
  readonly #onDisposeError: ((error: PluginDisposeError) => void) | undefined;

  constructor(options: PluginHostOptions = {}) {
    this.#importModule = options.importModule ?? importPluginModule;
    this.#onDisposeError = options.onDisposeError;
  }

  /** The loaded plugin of that name, if any. */
  get(name: string): LoadedPlugin | undefined {
    return this.#loaded.get(name);
  }

  /** Names of the loaded plugins. */
  names(): string[] {
    return [...this.#loaded.keys()];
  }

  /**
   * Import the candidate's entry, check it is a plugin of the expected name, validate `config`
   * with its `configSchema`, run `setup`. Loading a plugin that is already loaded replaces it:
   * the new code and config are prepared first, then the old instance is disposed and the new
   * one set up, so a bad config or a broken import leaves the running plugin untouched.
   *
   * @throws PluginLoadError (PluginConfigError for an invalid config, listing every field)
   */
  load(candidate: PluginCandidate, config: PluginConfig = {}): Promise<LoadedPlugin> {
    return this.#serialize(candidate.name, async () => {
      const prepared = await this.#prepare(candidate, config);
      const previous = this.#loaded.get(candidate.name);
      if (previous !== undefined) {
        this.#loaded.delete(candidate.name);
        try {
          await runDispose(previous);
        } catch (error) {
          this.#onDisposeError?.(error as PluginDisposeError);
        }
      }
      let state: unknown;
      try {
        state = await prepared.plugin.setup?.(prepared.config);
      } catch (error) {
        throw PluginLoadError.setupFailed(candidate.name, candidate.folder, error);
      }
      const loaded: LoadedPlugin = { candidate, ...prepared, state };
      this.#loaded.set(candidate.name, loaded);
      return loaded;
    });
  }

  /**
   * Load the plugin again from `candidate` (re-read from disk by the caller), importing its entry
   * afresh so changed code runs. `config` undefined keeps the config it was loaded with.
   */
  reload(candidate: PluginCandidate, config?: PluginConfig): Promise<LoadedPlugin> {
    const current = this.#loaded.get(candidate.name);
    return this.load(candidate, config ?? current?.rawConfig ?? {});
  }

  /**
   * Run the plugin's `dispose` and forget it. Unloading a plugin that is not loaded does nothing.
   *
   * @returns whether a plugin was unloaded
   * @throws PluginDisposeError when dispose throws (the plugin is unloaded regardless)
   */
  unload(name: string): Promise<boolean> {
    return this.#serialize(name, async () => {
      const loaded = this.#loaded.get(name);
      if (loaded === undefined) return false;
      this.#loaded.delete(name);
      await runDispose(loaded);
      return true;
    });
  }

  /** Unload every plugin; all dispose hooks run even when some throw. */
  async unloadAll(): Promise<void> {
    const results = await Promise.allSettled(this.names().map((name) => this.unload(name)));
    const errors = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as unknown] : [],
    );
    if (errors.length > 0) {
      throw new AggregateError(
        errors,
        `${errors.length} plugin(s) failed to dispose: ${errors.map((e) => (e as Error).message).join(' | ')}`,
      );
    }
  }

  /**
   * Run one job: validate `params` with the plugin's `paramsSchema` (else the manifest's
   * `params` JSON Schema), call `execute`.
   *
   * @throws PluginNotLoadedError, PluginParamsError; whatever the plugin throws, unchanged
   */
  async execute(name: string, params: JobParams, context?: ExecutionContext): Promise<unknown> {
    const loaded = await this.#require(name);
    const valid = await validateParams(loaded, params);
    return loaded.plugin.execute(valid, makeContext(loaded, context));
  }

  /**
   * Run one job as a stream of text chunks. Params are validated before this resolves; chunks
   * that are not strings fail the stream with InvalidChunkError.
   *
   * @throws PluginNotLoadedError, StreamingNotSupportedError, PluginParamsError
   */
  async stream(
    name: string,
    params: JobParams,
    context?: ExecutionContext,
  ): Promise<AsyncIterable<string>> {
    const loaded = await this.#require(name);
    const streamHook = loaded.plugin.stream;
    if (typeof streamHook !== 'function') throw new StreamingNotSupportedError(name);
    const valid = await validateParams(loaded, params);
    const chunks: unknown = streamHook(valid, makeContext(loaded, context));
    if (!isIterable(chunks)) throw InvalidChunkError.notIterable(name, chunks);
    return onlyStrings(name, chunks);
  }

  async #require(name: string): Promise<LoadedPlugin> {
    await this.#pending.get(name);
    const loaded = this.#loaded.get(name);
    if (loaded === undefined) throw new PluginNotLoadedError(name);
    return loaded;
  }

  async #prepare(
    candidate: PluginCandidate,
    rawConfig: PluginConfig,
  ): Promise<Omit<LoadedPlugin, 'candidate' | 'state'>> {
    const plugin = await this.#importModule(candidate);
    const declared = candidate.manifest.name;
    if (declared !== undefined && plugin.name !== declared) {
      throw PluginLoadError.nameMismatch(candidate.name, candidate.folder, plugin.name);
    }
    let config: unknown = rawConfig;
    if (plugin.configSchema !== undefined) {
      try {
        config = await validateWithSchema(
          plugin.configSchema,
          rawConfig,
          `Config of plugin "${candidate.name}"`,
        );
      } catch (error) {
        if (error instanceof ValidationError) {
          throw new PluginConfigError(candidate.name, candidate.folder, error.issues);
        }
        throw error;
      }
    }
    return { plugin, rawConfig, config };
  }

  /** Run `task` after every earlier lifecycle operation on `name` has settled. */
  #serialize<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#pending.get(name) ?? Promise.resolve();
    const run = previous.then(task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#pending.set(name, settled);
    void settled.then(() => {
      if (this.#pending.get(name) === settled) this.#pending.delete(name);
    });
    return run;
  }
}

async function runDispose(loaded: LoadedPlugin): Promise<void> {
  try {
    await loaded.plugin.dispose?.(loaded.state, loaded.config);
  } catch (error) {
    throw new PluginDisposeError(loaded.candidate.name, loaded.candidate.folder, error);
  }
}

async function validateParams(loaded: LoadedPlugin, params: JobParams): Promise<unknown> {
  // The plugin's own schema is the authority; the manifest's JSON Schema stands in without one.
  const schema = loaded.plugin.paramsSchema ?? loaded.candidate.manifestParams;
  if (schema === undefined) return params;
  try {
    return await validateWithSchema(schema, params, `Params of plugin "${loaded.plugin.name}"`);
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new PluginParamsError(loaded.candidate.name, error.issues);
    }
    throw error;
  }
}

function makeContext(
  loaded: LoadedPlugin,
  context: ExecutionContext | undefined,
): PluginContext<unknown, unknown> {
  let signal: AbortSignal | undefined;
  return {
    jobId: context?.jobId ?? globalThis.crypto.randomUUID(),
    // Read on first use: the worker makes a job's AbortController only when someone asks for
    // its signal. Without a host-provided signal, nothing can cancel the job: one that never fires.
    get signal() {
      signal ??= context?.signal ?? new AbortController().signal;
      return signal;
    },
    reportProgress: (progress, message) => context?.reportProgress(progress, message),
    config: loaded.config,
    state: loaded.state,
  };
}

function isIterable(value: unknown): value is AsyncIterable<unknown> | Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (Symbol.asyncIterator in value || Symbol.iterator in value)
  );
}

async function* onlyStrings(
  name: string,
  chunks: AsyncIterable<unknown> | Iterable<unknown>,
): AsyncGenerator<string> {
  for await (const chunk of chunks) {
    if (typeof chunk !== 'string') throw InvalidChunkError.notAString(name, chunk);
    yield chunk;
  }
}
