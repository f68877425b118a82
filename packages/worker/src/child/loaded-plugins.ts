import type { PluginConfig, PluginDescriptor, PluginManagerAdapter } from '@plugwork/protocol/wire';
import { ChildMessages, describe, ResultErrorCode } from '../errors.ts';
import { CodedError } from './coded-error.ts';

export interface LoadedPluginsHooks {
  adapter: () => PluginManagerAdapter | undefined;
  /** Runs right before plugin code first runs. */
  pluginCode: () => void;
  log: (text: string) => void;
}

/**
 * The worker's plugins: the catalog it discovered, their configs, and which are loaded, least
 * recently used first, within `maxLoaded` (switching plugins unloads the oldest first, as the
 * seed frees GPU memory). The loop answers requests; this keeps the adapter and the list agreed.
 */
export class LoadedPlugins {
  readonly descriptors = new Map<string, PluginDescriptor>();
  readonly configs = new Map<string, PluginConfig>();
  maxLoaded = 1;
  /** The host's cap on any plugin's jobs at once here. */
  maxConcurrency = Number.POSITIVE_INFINITY;
  readonly #hooks: LoadedPluginsHooks;
  /** Least recently used first. */
  #loaded: string[] = [];

  constructor(hooks: LoadedPluginsHooks) {
    this.#hooks = hooks;
  }

  get names(): string[] {
    return [...this.#loaded];
  }

  get count(): number {
    return this.#loaded.length;
  }

  get mostRecent(): string | undefined {
    return this.#loaded[this.#loaded.length - 1];
  }

  has(name: string): boolean {
    return this.#loaded.includes(name);
  }

  setCatalog(descriptors: readonly PluginDescriptor[]): void {
    this.descriptors.clear();
    for (const descriptor of descriptors) this.descriptors.set(descriptor.name, descriptor);
  }

  /** A plugin's jobs at once here: what its descriptor declares, within the host's cap. */
  concurrencyOf(plugin: string): number {
    const declared = this.descriptors.get(plugin)?.concurrency;
    const wanted = typeof declared === 'number' && declared >= 1 ? declared : 1;
    return Math.min(wanted, this.maxConcurrency);
  }

  /** Each loaded plugin's jobs at once, for the host's scheduler. */
  concurrency(): Record<string, number> {
    const concurrency: Record<string, number> = {};
    for (const plugin of this.#loaded) concurrency[plugin] = this.concurrencyOf(plugin);
    return concurrency;
  }

  /** Loads `name` if needed, first unloading the least recently used plugins to make room. */
  async ensureLoaded(name: string): Promise<void> {
    const loaded = this.#loaded;
    if (loaded[loaded.length - 1] === name) return;
    const index = loaded.indexOf(name);
    if (index >= 0) {
      loaded.splice(index, 1);
      loaded.push(name);
      return;
    }
    const descriptor = this.descriptors.get(name);
    if (descriptor === undefined) {
      throw new CodedError(
        ResultErrorCode.UNKNOWN_PLUGIN,
        ChildMessages.unknownPlugin(name, [...this.descriptors.keys()]),
      );
    }
    await this.#makeRoom(this.maxLoaded - 1);
    this.#hooks.pluginCode();
    try {
      await this.#hooks.adapter()!.loadPlugin(descriptor, this.configs.get(name) ?? {});
    } catch (error) {
      throw new CodedError(ResultErrorCode.PLUGIN_LOAD_FAILED, describe(error));
    }
    loaded.push(name);
    this.#refreshDescriptor(name);
  }

  /**
   * Reloads a loaded plugin with `config` (undefined: its current one), or loads it when it is
   * not. Throws what the adapter threw; the list then follows what the adapter still holds.
   */
  async reload(name: string, config: PluginConfig | undefined): Promise<void> {
    if (config !== undefined) this.configs.set(name, config);
    if (!this.has(name)) {
      await this.ensureLoaded(name);
      return;
    }
    this.#hooks.pluginCode();
    try {
      await this.#hooks.adapter()!.reloadPlugin(name, config);
      this.#refreshDescriptor(name);
    } catch (error) {
      await this.#resync(name);
      throw error;
    }
    this.#loaded.splice(this.#loaded.indexOf(name), 1);
    this.#loaded.push(name);
  }

  /** Unloads `name` if loaded; throws what the adapter threw (it counts as unloaded then). */
  async unload(name: string): Promise<void> {
    const index = this.#loaded.indexOf(name);
    if (index < 0) return;
    this.#loaded.splice(index, 1);
    await this.#hooks.adapter()!.unloadPlugin(name);
  }

  /** Unloads every plugin (at stop); returns what went wrong, one line per plugin. */
  async unloadAll(): Promise<string[]> {
    const problems: string[] = [];
    const adapter = this.#hooks.adapter();
    for (const name of this.#loaded.splice(0)) {
      try {
        await adapter?.unloadPlugin(name);
      } catch (error) {
        problems.push(`unloading "${name}": ${describe(error)}`);
      }
    }
    return problems;
  }

  /** Unloads least recently used plugins until at most `keep` stay loaded. */
  async #makeRoom(keep: number): Promise<void> {
    while (this.#loaded.length > keep) {
      const victim = this.#loaded.shift()!;
      try {
        await this.#hooks.adapter()!.unloadPlugin(victim);
      } catch (error) {
        this.#hooks.log(`unloading plugin "${victim}" to make room failed: ${describe(error)}`);
      }
    }
  }

  /** After a failed reload the adapter knows best what is still loaded; without it, assume not. */
  async #resync(name: string): Promise<void> {
    let stillLoaded = false;
    try {
      const loaded = await this.#hooks.adapter()?.getLoadedPlugins?.();
      stillLoaded = loaded?.includes(name) ?? false;
    } catch {
      stillLoaded = false;
    }
    if (!stillLoaded) this.#loaded = this.#loaded.filter((loaded) => loaded !== name);
  }

  /** Adapters that know more once a plugin is loaded (definePlugin's concurrency) say so. */
  #refreshDescriptor(plugin: string): void {
    const adapter = this.#hooks.adapter() as { getPlugins?: () => unknown } | undefined;
    if (typeof adapter?.getPlugins !== 'function') return;
    try {
      const fresh = (adapter.getPlugins() as PluginDescriptor[] | undefined)?.find(
        (descriptor) => descriptor?.name === plugin,
      );
      if (fresh !== undefined) this.descriptors.set(plugin, fresh);
    } catch {
      // The discovery-time descriptor stays in force.
    }
  }
}
