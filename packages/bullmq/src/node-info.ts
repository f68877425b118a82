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
    return typeof info.id === 'string' && Array.isArray(info.plugins) ? info : undefined;
  } catch {
    return undefined;
  }
}
