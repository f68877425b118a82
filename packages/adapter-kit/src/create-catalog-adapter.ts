import {
  type CatalogChange,
  type ExecutionContext,
  type JobParams,
  type PluginConfig,
  type PluginDescriptor,
  type PluginDiagnostic,
  type PluginManagerAdapter,
  toJsonSchema,
} from '@plugwork/protocol';
import {
  AdapterError,
  type PluginDisposeError,
  PluginNotLoadedError,
  UnknownPluginError,
} from './errors.ts';
import type { ImportPluginModule } from './import-plugin-module.ts';
import { LoadQueue } from './load-queue.ts';
import { LoadedPluginFiles } from './loaded-plugin-files.ts';
import { oneAtATime } from './one-at-a-time.ts';
import {
  type DiscoveryResult,
  describeCandidate,
  type LoadedFacts,
  type PluginCandidate,
} from './plugin-candidate.ts';
import { snapshotPluginFiles } from './plugin-files.ts';
import { type LoadedPlugin, PluginHost } from './plugin-host.ts';
import { readPluginPackage } from './read-plugin-package.ts';
import { dedupeCandidates } from './read-plugin-packages.ts';

export interface CatalogAdapterOptions {
  /** The descriptor's `source`: `fs`, `npm`, or your adapter's own word. */
  source: string;
  /**
   * Find the candidates: read manifests only, import no plugin code. Called on every
   * discoverPlugins and after every change a watcher reports. Candidates come in priority order;
   * on a name clash the first wins and the rest become DUPLICATE_NAME diagnostics.
   * `context.loadedDirectories` are the folders (recursively, without node_modules) of every
   * plugin this process has loaded: a watching source should watch them too, so that an edit
   * to any file of a loaded plugin is seen.
   */
  discover(context: DiscoverContext): DiscoveryResult | Promise<DiscoveryResult>;
  /**
   * Optional: start watching wherever the candidates come from and call `changed` when they may
   * have changed (debounce on your side). Called once, when the adapter is created; return a
   * function that stops watching. Present => the adapter has a `watch` method.
   */
  watch?(changed: () => void): () => void;
  /**
   * Read one candidate again just before loading or reloading it, so a manifest or entry that
   * changed since discovery is honoured. Default: {@link readPluginPackage} of its folder.
   */
  reread?(candidate: PluginCandidate): Promise<PluginCandidate>;
  /** How entries are imported (default: `importPluginModule`). */
  importModule?: ImportPluginModule;
}

/** What discover() is told. */
export interface DiscoverContext {
  loadedDirectories: readonly string[];
}

/**
 * The adapter {@link createCatalogAdapter} returns: a PluginManagerAdapter whose methods all
 * return promises, with every optional method but `watch` (present when the source can watch).
 */
export interface CatalogAdapter extends PluginManagerAdapter<PluginDescriptor> {
  discoverPlugins(): Promise<PluginDescriptor[]>;
  /** Only `pluginData.name` is used: the adapter loads its own, freshly read, candidate. */
  loadPlugin(pluginData: PluginDescriptor, config?: PluginConfig): Promise<void>;
  executePlugin(name: string, params: JobParams, context?: ExecutionContext): Promise<unknown>;
  executePluginStream(
    name: string,
    params: JobParams,
    context?: ExecutionContext,
  ): Promise<AsyncIterable<string>>;
  reloadPlugin(name: string, config?: PluginConfig | null): Promise<void>;
  unloadPlugin(name: string): Promise<void>;
  checkStreamingSupport(name: string): Promise<boolean>;
  getDiagnostics(): Promise<PluginDiagnostic[]>;
  /**
   * The catalogue as it stands, without scanning again: what the last discovery (or, in watch
   * mode, the last change) produced. Empty before the first discovery.
   */
  getPlugins(): PluginDescriptor[];
  getLoadedPlugins(): string[];
  dispose(): Promise<void>;
  /**
   * Run discovery now and update the catalogue. Loaded plugins whose folder is gone (or now holds
   * another plugin) are unloaded; a loaded plugin whose folder is momentarily broken (a manifest
   * mid-edit) keeps running and keeps its last good descriptor.
   */
  refresh(): Promise<void>;
}

/**
 * Build a complete PluginManagerAdapter from a `discover()` function. Everything but finding
 * candidates (loading, config validation, execute / stream, reload, unload, diagnostics, watch
 * notifications) is done here, the same way for every adapter.
 */
export function createCatalogAdapter(options: CatalogAdapterOptions): CatalogAdapter {
  const { source } = options;
  const reread = options.reread ?? ((candidate) => readPluginPackage(candidate.folder));
  const disposeProblems = new Map<string, PluginDiagnostic>();
  const host = new PluginHost({
    ...(options.importModule === undefined ? {} : { importModule: options.importModule }),
    onDisposeError: (error: PluginDisposeError) => {
      disposeProblems.set(error.pluginName ?? '', error.toDiagnostic());
    },
  });

  let catalog = new Map<string, PluginCandidate>();
  let discoveryDiagnostics: PluginDiagnostic[] = [];
  /** Failures of the last load of each plugin, shown until it loads or leaves the catalogue. */
  const loadProblems = new Map<string, PluginDiagnostic>();
  const loads = new LoadQueue();
  let discovered = false;
  let snapshot = '';
  const listeners = new Set<(change?: CatalogChange) => void>();
  const loadedFiles = new LoadedPluginFiles();
  let stopWatching: (() => void) | undefined;
  let disposed = false;

  function describe(name: string): PluginDescriptor | undefined {
    const loaded = host.get(name);
    const candidate = catalog.get(name) ?? loaded?.candidate;
    if (candidate === undefined) return undefined;
    if (loaded === undefined) return describeCandidate(candidate, source);
    return describeCandidate(candidate, source, loadedFacts(loaded));
  }

  function descriptors(): PluginDescriptor[] {
    const names = new Set([...catalog.keys(), ...host.names()]);
    return [...names].flatMap((name) => describe(name) ?? []);
  }

  function diagnostics(): PluginDiagnostic[] {
    return [...discoveryDiagnostics, ...loadProblems.values(), ...disposeProblems.values()];
  }

  function notify(change: CatalogChange | undefined): void {
    for (const listener of listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own business; the other listeners still hear of it.
      }
    }
  }

  /** Listeners hear of a changed catalogue or diagnostics (a load that failed or recovered). */
  function notifyIfChanged(change?: CatalogChange): void {
    const next = JSON.stringify([descriptors(), diagnostics()]);
    if (next === snapshot && change === undefined) return;
    snapshot = next;
    notify(change);
  }

  async function runDiscovery(): Promise<void> {
    const found = await options.discover({ loadedDirectories: loadedFiles.directories() });
    const { candidates, problems } = dedupeCandidates(found.candidates);
    catalog = new Map(candidates.map((candidate) => [candidate.name, candidate]));
    discoveryDiagnostics = [
      ...found.diagnostics,
      ...problems.map((problem) => problem.toDiagnostic()),
    ];
    discovered = true;
    for (const name of loadProblems.keys()) {
      if (!catalog.has(name)) loadProblems.delete(name);
    }
    await unloadVanished();
    const changed = listeners.size === 0 ? [] : await loadedFiles.changed();
    notifyIfChanged(changed.length === 0 ? undefined : { changedPlugins: changed });
  }

  /** Unload loaded plugins whose folder is gone or now holds a different plugin. */
  async function unloadVanished(): Promise<void> {
    const brokenFolders = new Set(discoveryDiagnostics.map((d) => d.location));
    const folderOwners = new Map([...catalog.values()].map((c) => [c.folder, c.name]));
    for (const name of host.names()) {
      if (catalog.has(name)) continue;
      const folder = host.get(name)?.candidate.folder ?? '';
      const owner = folderOwners.get(folder);
      if (owner === undefined && brokenFolders.has(folder)) continue;
      try {
        await host.unload(name);
      } catch (error) {
        if (error instanceof AdapterError) disposeProblems.set(name, error.toDiagnostic());
      }
    }
  }

  // Requests arriving while discovery runs share one follow-up run, which sees every change
  // made before it started.
  const refresh = oneAtATime(runDiscovery);

  async function findCandidate(name: string): Promise<PluginCandidate> {
    if (!catalog.has(name)) await refresh();
    const candidate = catalog.get(name);
    if (candidate !== undefined) return candidate;
    const problem = discoveryDiagnostics.find((d) => d.plugin_name === name);
    throw new UnknownPluginError(name, [...catalog.keys()], problem);
  }

  async function track<T>(name: string, location: string, task: () => Promise<T>): Promise<T> {
    try {
      const result = await task();
      loadProblems.delete(name);
      disposeProblems.delete(name);
      // A problem cleared, or a descriptor that gained the schemas the loaded code declares.
      if (discovered) notifyIfChanged();
      return result;
    } catch (error) {
      // A name that does not exist (any more) is the caller's problem, not the candidate's. A
      // refused reload (a bad config, code that no longer imports) leaves the running instance
      // serving jobs: the refusal is the caller's answer, not a problem of the plugin.
      if (
        error instanceof AdapterError &&
        !(error instanceof UnknownPluginError) &&
        host.get(name) === undefined
      ) {
        loadProblems.set(name, error.toDiagnostic(location));
        if (discovered) notifyIfChanged();
      }
      throw error;
    }
  }

  async function load(candidate: PluginCandidate, config: PluginConfig): Promise<void> {
    await track(candidate.name, candidate.folder, async () => {
      const fresh = await reread(candidate);
      if (fresh.name !== candidate.name) {
        // Renamed on disk since discovery: the catalogue is stale, the old name is gone.
        await refresh();
        throw new UnknownPluginError(candidate.name, [...catalog.keys()]);
      }
      catalog.set(fresh.name, fresh);
      // Taken before the import, so that an edit made while it runs still counts as a change.
      // The first import in this process is what its module cache holds (the entry is
      // re-imported fresh later, the modules it imports are not), so that is what later files
      // are compared with.
      const files =
        listeners.size === 0 || loadedFiles.has(fresh.name)
          ? undefined
          : await snapshotPluginFiles(fresh.folder);
      try {
        await host.load(fresh, config);
      } finally {
        // A failed import is cached too (the runtime will not evaluate that module again):
        // the plugin's files are watched for a fix from the first attempt on.
        if (files !== undefined) {
          loadedFiles.set(fresh.name, fresh.folder, files);
          // Discovery tells the source which folders to watch: now these ones too. A change
          // made since the snapshot above is caught by the comparison this runs.
          refresh().catch(() => undefined);
        }
      }
    });
  }

  /** Run a job on the host; a plugin it does not know is reported as unknown or not loaded. */
  async function onHost<T>(name: string, job: () => Promise<T>): Promise<T> {
    await loads.settled(name);
    try {
      return await job();
    } catch (error) {
      if (error instanceof PluginNotLoadedError && !catalog.has(name)) {
        throw new UnknownPluginError(name, [...catalog.keys()]);
      }
      throw error;
    }
  }

  const adapter: CatalogAdapter = {
    async discoverPlugins() {
      await refresh();
      return descriptors();
    },

    loadPlugin(pluginData, config = {}) {
      const { name } = pluginData;
      return loads.run(name, async () => load(await findCandidate(name), config));
    },

    executePlugin(name: string, params: JobParams, context?: ExecutionContext) {
      return onHost(name, () => host.execute(name, params, context));
    },

    executePluginStream(name: string, params: JobParams, context?: ExecutionContext) {
      return onHost(name, () => host.stream(name, params, context));
    },

    async reloadPlugin(name: string, config?: PluginConfig | null) {
      if (config === null) {
        await adapter.unloadPlugin(name);
        return;
      }
      await loads.run(name, async () => {
        const loaded = host.get(name);
        const candidate = catalog.get(name) ?? loaded?.candidate ?? (await findCandidate(name));
        await load(candidate, config ?? loaded?.rawConfig ?? {});
      });
    },

    async unloadPlugin(name: string) {
      try {
        await host.unload(name);
        disposeProblems.delete(name);
      } catch (error) {
        if (error instanceof AdapterError) disposeProblems.set(name, error.toDiagnostic());
        throw error;
      }
    },

    async checkStreamingSupport(name: string) {
      const loaded = host.get(name);
      if (loaded !== undefined) return typeof loaded.plugin.stream === 'function';
      const candidate = await findCandidate(name);
      return candidate.manifest.streaming ?? false;
    },

    async getDiagnostics() {
      if (!discovered) await refresh();
      return diagnostics();
    },

    getPlugins() {
      return descriptors();
    },

    getLoadedPlugins() {
      return host.names();
    },

    refresh,

    async dispose() {
      if (disposed) return;
      disposed = true;
      stopWatching?.();
      listeners.clear();
      await host.unloadAll();
    },
  };

  if (options.watch !== undefined) {
    const startWatching = options.watch;
    adapter.watch = (onChange: (change?: CatalogChange) => void) => {
      listeners.add(onChange);
      return () => {
        listeners.delete(onChange);
      };
    };
    stopWatching = startWatching(() => {
      if (!disposed) refresh().catch(() => undefined);
    });
  }

  return adapter;
}

function loadedFacts(loaded: LoadedPlugin): LoadedFacts {
  return {
    streaming: typeof loaded.plugin.stream === 'function',
    configSchema: toJsonSchema(loaded.plugin.configSchema),
    paramsSchema: toJsonSchema(loaded.plugin.paramsSchema),
    concurrency: positiveInteger(loaded.plugin.concurrency),
  };
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 ? value : undefined;
}
