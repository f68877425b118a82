import type { PluginDescriptor } from '@plugwork/protocol';

/** What a live node publishes about itself (BullmqRunner.listNodes(), the demo's workers panel). */
export interface NodeInfo {
  /** Unique per node process. */
  id: string;
  /** The node's name (default `<hostname>:<pid>`); BullMQ records it as each job's processedBy. */
  name: string;
  host: string;
  pid: number;
  /** Plugins it offers, hence the queues it consumes. */
  plugins: string[];
  /**
   * Their descriptors (description, params schema, concurrency…), for a client that shows a
   * catalog, such as the demo's `--redis` mode.
   */
  catalog: PluginDescriptor[];
  poolSize: number;
  /** Jobs it is running now (the BullMQ job ids, with their plugins). */
  running: { id: string; plugin: string }[];
  startedAt: number;
  /** When it last refreshed this record (ms since the epoch). */
  seenAt: number;
}

export function parseNodeInfo(text: string | null): NodeInfo | undefined {
  if (text === null) return undefined;
  try {
    const info = JSON.parse(text) as NodeInfo;
    if (typeof info.id !== 'string' || !Array.isArray(info.plugins)) return undefined;
    // A record written by a node of an earlier version has no descriptors.
    return Array.isArray(info.catalog) ? info : { ...info, catalog: [] };
  } catch {
    return undefined;
  }
}
