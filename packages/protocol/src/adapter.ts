import type { PluginDescriptor, PluginDiagnostic } from './response-schemas.ts';

/** What a watching adapter reports with a change. */
export interface CatalogChange {
  /** Plugins that had been loaded and whose files changed on disk since they were loaded. */
  changedPlugins?: string[];
}

/** A value or a promise of it: adapter methods may be synchronous or asynchronous. */
export type Awaitable<T> = T | Promise<T>;

/** A plugin's configuration, as JSON. */
export type PluginConfig = Record<string, unknown>;

/** A job's parameters, as JSON: the non-reserved keys of an execute message. */
export type JobParams = Record<string, unknown>;

/** What the worker hands an adapter along with each job. */
export interface ExecutionContext {
  /** The job being run. */
  jobId: string;
  /** Fires when the host cancels the job; a plugin that honours it ends early and cleanly. */
  signal: AbortSignal;
  /** Report progress from 0 to 1, with an optional message for people. */
  reportProgress(progress: number, message?: string): void;
}

/** Streamed output: async or sync iterables of text chunks are both accepted. */
export type ChunkStream = AsyncIterable<string> | Iterable<string>;

/**
 * What a plugin manager must do for a worker to serve it (the seed's PluginManagerAdapter).
 *
 * Structural: an adapter needs no base class, only these methods. Each method may return a value
 * or a promise. An adapter lives inside the worker process; the host never calls it directly.
 *
 * `TPluginData` is whatever discovery returns and loading accepts; the built-in adapters use
 * {@link PluginDescriptor}, which is JSON-safe and so can be reported to the host.
 */
export interface PluginManagerAdapter<TPluginData = PluginDescriptor> {
  /**
   * Discover available plugins. Should read metadata only and import no plugin code, so a broken
   * plugin cannot break discovery.
   *
   * @returns plugin metadata for every usable candidate
   */
  discoverPlugins(): Awaitable<TPluginData[]>;

  /**
   * Load a plugin with its configuration: import its code, validate the config, run its setup.
   *
   * @param pluginData one entry of what discoverPlugins returned
   * @param config the plugin's configuration
   * @throws when the code cannot be imported, the config is invalid or setup fails
   */
  loadPlugin(pluginData: TPluginData, config: PluginConfig): Awaitable<void>;

  /**
   * Execute a loaded plugin once.
   *
   * @param pluginName name of the plugin to execute
   * @param params plugin-specific parameters
   * @param context job id, cancellation signal and progress reporter (plugwork extension)
   * @returns the plugin's result; the worker makes it JSON-safe
   */
  executePlugin(
    pluginName: string,
    params: JobParams,
    context?: ExecutionContext,
  ): Awaitable<unknown>;

  /**
   * Execute a loaded plugin with streaming output.
   *
   * @param pluginName name of the plugin to execute
   * @param params plugin-specific parameters
   * @param context job id, cancellation signal and progress reporter (plugwork extension)
   * @returns text chunks, as they are produced
   */
  executePluginStream(
    pluginName: string,
    params: JobParams,
    context?: ExecutionContext,
  ): Awaitable<ChunkStream>;

  /**
   * Reload a plugin with a new configuration, picking up changed code where the adapter can.
   *
   * @param pluginName name of the plugin to reload
   * @param config new configuration; `undefined` keeps the current one, `null` unloads
   */
  reloadPlugin(pluginName: string, config?: PluginConfig | null): Awaitable<void>;

  /**
   * Unload a plugin to free its resources (its dispose hook runs).
   *
   * @param pluginName name of the plugin to unload
   */
  unloadPlugin(pluginName: string): Awaitable<void>;

  /**
   * Whether a plugin supports streaming execution.
   *
   * @param pluginName name of the plugin to check
   */
  checkStreamingSupport(pluginName: string): Awaitable<boolean>;

  /** Optional: candidates that could not be offered or loaded, and why. */
  getDiagnostics?(): Awaitable<PluginDiagnostic[]>;

  /**
   * Optional: names of the plugins currently loaded.
   */
  getLoadedPlugins?(): Awaitable<string[]>;

  /**
   * Optional: call `onChange` whenever the set of plugins may have changed (watch mode), with
   * `changedPlugins` naming loaded plugins whose files changed (their code must be read anew).
   * Returns a function that stops watching.
   */
  watch?(onChange: (change?: CatalogChange) => void): () => void;

  /** Optional: release everything (dispose loaded plugins, stop watchers). */
  dispose?(): Awaitable<void>;
}

/** A factory an adapter module exports, called inside the worker with the spec's JSON options. */
export type AdapterFactory<TOptions = Record<string, unknown>> = (
  options: TOptions,
) => Awaitable<PluginManagerAdapter<PluginDescriptor>>;
