/**
 * Where things live in Redis. BullMQ keeps its own keys under `<prefix>:<queue>:…`; plugwork's
 * own keys sit beside them under `<prefix>:pw:…`, so one prefix isolates a whole deployment.
 */

/** One BullMQ queue per plugin: a job only ever reaches a node that offers its plugin. */
export function queueName(plugin: string): string {
  // BullMQ refuses ':' in queue names; encoding keeps every plugin name distinct and readable.
  return encodeURIComponent(plugin);
}

export function pluginOfQueue(queue: string): string {
  return decodeURIComponent(queue);
}

export class Keys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** Sorted set: node id -> expiry time (ms). A node is live while its score is in the future. */
  get nodes(): string {
    return `${this.prefix}:pw:nodes`;
  }

  /** The JSON a node publishes about itself (expires with the node's lease). */
  node(nodeId: string): string {
    return `${this.prefix}:pw:node:${nodeId}`;
  }

  /** Set of every plugin any node has ever offered: the queues getJob/listJobs look in. */
  get plugins(): string {
    return `${this.prefix}:pw:plugins`;
  }

  /** Pub/sub channel: a node's catalog changed, or a node came or went. */
  get nodesChanged(): string {
    return `${this.prefix}:pw:nodes-changed`;
  }

  /** Pub/sub channel carrying cancel requests for running jobs. */
  get cancel(): string {
    return `${this.prefix}:pw:cancel`;
  }

  /** Marks a job cancelled, for a node that picks it up after the pub/sub message went by. */
  cancelled(plugin: string, jobId: string): string {
    return `${this.prefix}:pw:cancelled:${queueName(plugin)}:${jobId}`;
  }

  /** The Redis Stream of one job's chunks. */
  chunks(plugin: string, jobId: string): string {
    return `${this.prefix}:pw:chunks:${queueName(plugin)}:${jobId}`;
  }
}
