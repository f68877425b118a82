import type { Awaitable, PluginConfig } from './adapter.ts';
import type { PluginDescriptor } from './response-schemas.ts';

/**
 * Optional: where the host looks up plugins and their configs (the seed's plugin registry).
 * A JobManager given a registry asks it for a plugin's config before loading it.
 */
export interface PluginRegistry {
  /** Every plugin in a category (`text`, `image`, …). */
  getPluginsByCategory(category: string): Awaitable<PluginDescriptor[]>;
  /** One plugin by name, or undefined when there is none. */
  getPlugin(name: string): Awaitable<PluginDescriptor | undefined>;
  /** The config to load a plugin with, or undefined for none (the plugin's defaults). */
  loadPluginConfig(name: string): Awaitable<PluginConfig | undefined>;
}

/** The states a worker process goes through, as reported to a ResourceManager. */
export type WorkerLifecycleState =
  | 'starting'
  | 'idle'
  | 'busy'
  | 'stopping'
  | 'restarting'
  | 'exited'
  | 'failed';

/**
 * Optional: told about every worker process, for hosts that budget memory, GPUs or licences.
 */
export interface ResourceManager {
  registerWorker(pid: number, info: { workerId: string; plugins: string[] }): Awaitable<void>;
  unregisterWorker(pid: number): Awaitable<void>;
  updateWorkerState(
    pid: number,
    state: WorkerLifecycleState,
    details?: { jobId?: string; pluginName?: string },
  ): Awaitable<void>;
}

/**
 * Optional: receives every job and worker event, for hosts that push them to clients
 * (server-sent events, websockets, a message bus).
 */
export interface EventBroadcaster {
  broadcast(eventType: string, data: unknown): Awaitable<void>;
}
