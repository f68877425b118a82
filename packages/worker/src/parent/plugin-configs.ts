import type { JsonObject } from '@plugwork/protocol';
import { describe } from '../errors.ts';
import { isPlainObject, toJsonSafe } from '../json-safe.ts';
import type { ResolvedOptions } from '../options.ts';

/**
 * The config a worker loads each plugin with: a reload's, else pluginConfigs', else the
 * registry's (asked on every load).
 */
export class PluginConfigs {
  readonly #options: ResolvedOptions;
  readonly #overrides = new Map<string, JsonObject>();
  /** With a suspicious link under the sandbox, nothing loads at init (see catalog-state.ts). */
  deferInitLoads = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
  }

  override(plugin: string): JsonObject | undefined {
    return this.#overrides.get(plugin);
  }

  setOverride(plugin: string, config: JsonObject | undefined): void {
    if (config === undefined) this.#overrides.delete(plugin);
    else this.#overrides.set(plugin, config);
  }

  /** pluginConfigs name the plugins loaded at start; a later reload's config replaces theirs. */
  atInit(): Record<string, JsonObject> {
    const configs: Record<string, JsonObject> = {};
    if (this.deferInitLoads) return configs;
    for (const [plugin, config] of Object.entries(this.#options.pluginConfigs ?? {})) {
      configs[plugin] = this.#overrides.get(plugin) ?? config;
    }
    return configs;
  }

  async configFor(plugin: string): Promise<JsonObject> {
    const override = this.#overrides.get(plugin);
    if (override !== undefined) return override;
    const registry = this.#options.registry;
    if (registry === undefined) return this.#options.pluginConfigs?.[plugin] ?? {};
    let config: unknown;
    try {
      config = (await registry.loadPluginConfig(plugin)) ?? {};
    } catch (error) {
      throw new Error(`the registry could not provide its config: ${describe(error)}`);
    }
    const safe = toJsonSafe(config, 'config');
    if (!isPlainObject(safe)) {
      throw new Error('the registry returned a config that is not an object');
    }
    return safe as JsonObject;
  }
}
