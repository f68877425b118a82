import type { JsonObject, PluginConfig, ResponseResponse } from '@plugwork/protocol';
import {
  describe,
  InvalidConfigError,
  PluginOperationError,
  type PlugworkWorkerError,
  WorkerErrorCode,
  WorkerRequestError,
} from '../errors.ts';
import { isPlainObject, toJsonSafe } from '../json-safe.ts';
import type { CatalogState } from './catalog-state.ts';
import type { ManagerContext } from './manager-context.ts';
import type { PluginConfigs } from './plugin-configs.ts';
import { unknownPlugin } from './unknown-plugin.ts';
import { loadedPluginsOf, type WorkerHandle } from './worker-handle.ts';
import type { WorkerSlot } from './worker-slot.ts';

/**
 * What is done to a plugin on every worker at once, between jobs: reload (code and config),
 * unload, and replacing the processes that ran a plugin whose files changed.
 */
export class PluginOperations {
  readonly #context: ManagerContext;
  readonly #catalog: CatalogState;
  readonly #configs: PluginConfigs;

  constructor(context: ManagerContext, catalog: CatalogState, configs: PluginConfigs) {
    this.#context = context;
    this.#catalog = catalog;
    this.#configs = configs;
  }

  async reload(plugin: string, config?: PluginConfig): Promise<void> {
    if (!this.#catalog.has(plugin)) throw unknownPlugin(this.#catalog.current, plugin);
    const previous = this.#configs.override(plugin);
    if (config !== undefined) {
      let safe: unknown;
      try {
        safe = toJsonSafe(config, 'config');
      } catch (error) {
        throw new InvalidConfigError(plugin, describe(error));
      }
      if (!isPlainObject(safe)) throw new InvalidConfigError(plugin, 'a config must be an object');
      this.#configs.setOverride(plugin, safe as JsonObject);
    }
    const subject = ` plugin "${plugin}"`;
    // A process that has run the plugin keeps its modules cached: only a fresh one reads the
    // code anew, imports included. So each is replaced (between jobs), and those that had it
    // loaded load it again with the config, which also proves the config good.
    const slots = this.#context.slots.filter((slot) => slot.usable && slot.everLoaded.has(plugin));
    const results = await Promise.allSettled(
      slots.map(async (slot) => {
        const hadLoaded = slot.loaded.has(plugin);
        await slot.recycle();
        if (!hadLoaded) return;
        await slot.runOperation(async (handle) => {
          const answer = await this.#request(slot, handle, subject, {
            type: 'reload',
            plugin_name: plugin,
            config: await this.#configs.configFor(plugin),
          });
          this.updateLoaded(slot, answer);
        });
      }),
    );
    const failures = rejections(results);
    if (failures.length > 0) {
      if (config !== undefined) {
        this.#configs.setOverride(plugin, previous);
        // A fresh process that refused the config has the plugin unloaded and the refusal on
        // record as a problem of the plugin's, though the plugin works with its old config.
        // Replace it once more: the plugin goes on as before the reload (its next job loads
        // it), and the catalog, which the new process's `ready` resets, shows no false problem.
        const refused = slots.filter((_, index) => results[index]!.status === 'rejected');
        await Promise.allSettled(refused.map((slot) => slot.recycle()));
      }
      throw new PluginOperationError('reload', plugin, failures);
    }
  }

  async unload(plugin: string): Promise<void> {
    if (!this.#catalog.has(plugin)) throw unknownPlugin(this.#catalog.current, plugin);
    const results = await Promise.allSettled(
      this.#context.slots
        .filter((slot) => slot.usable)
        .map((slot) =>
          slot.runOperation(async (handle) => {
            if (!slot.loaded.has(plugin)) return;
            const answer = await this.#request(slot, handle, ` plugin "${plugin}"`, {
              type: 'unload',
              plugin_name: plugin,
            });
            this.updateLoaded(slot, answer);
          }),
        ),
    );
    const failures = rejections(results);
    if (failures.length > 0) throw new PluginOperationError('unload', plugin, failures);
  }

  /**
   * Files of these plugins changed: every worker process that has run one of them (its module
   * cache holds the old code and imports), and the one that saw the change, is replaced once
   * its current jobs end. Queued jobs wait for the fresh processes; nothing is dropped.
   */
  recycleFor(reporter: WorkerSlot, plugins: readonly string[]): void {
    for (const slot of this.#context.slots) {
      // The reporter names only plugins it has imported or tried to (a failed import is cached
      // as failed): it is replaced whether or not the import succeeded.
      const holds = slot === reporter || plugins.some((plugin) => slot.everLoaded.has(plugin));
      if (!slot.usable || !holds) continue;
      slot
        .recycle()
        .catch((error: Error) =>
          this.#context.logger.warn(
            `Replacing worker ${slot.id} after a plugin change failed: ${error.message}`,
          ),
        );
    }
  }

  /** What a worker says it has loaded, and each loaded plugin's jobs at once. */
  updateLoaded(slot: WorkerSlot, answer: ResponseResponse | undefined, loaded?: string[]): void {
    const names = answer === undefined ? loaded : loadedPluginsOf(answer);
    if (names !== undefined) slot.loaded = new Set(names);
    const concurrency = answer?.data?.concurrency;
    if (typeof concurrency === 'object' && concurrency !== null && !Array.isArray(concurrency)) {
      const cap = this.#context.options.maxConcurrency;
      for (const [plugin, value] of Object.entries(concurrency)) {
        if (typeof value === 'number' && Number.isInteger(value) && value >= 1) {
          slot.concurrency.set(plugin, Math.min(value, cap));
        }
      }
    }
  }

  /** A reload/unload request; a timeout replaces the worker (its plugin state is unknown). */
  async #request(
    slot: WorkerSlot,
    handle: WorkerHandle,
    subject: string,
    message: { type: string } & Record<string, unknown>,
  ): Promise<ResponseResponse> {
    const { requestMs } = this.#context.options.timeouts;
    try {
      return await handle.request<ResponseResponse>(message, requestMs, subject);
    } catch (error) {
      if (!(error instanceof WorkerRequestError)) throw error;
      this.updateLoaded(slot, undefined, error.loadedPlugins);
      if (error.code !== WorkerErrorCode.REQUEST_TIMEOUT) throw error;
      slot.kill('request-timeout');
      throw WorkerRequestError.timeout(slot.id, handle.pid, message.type, subject, requestMs, true);
    }
  }
}

function rejections(results: PromiseSettledResult<unknown>[]): PlugworkWorkerError[] {
  return results
    .filter((result): result is PromiseRejectedResult => result.status === 'rejected')
    .map((result) => result.reason as PlugworkWorkerError);
}
