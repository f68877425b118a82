import { fsAdapter } from '@plugwork/adapter-fs';
import {
  BullmqNode,
  type BullmqNodeOptions,
  BullmqRunner,
  type BullmqRunnerOptions,
} from '@plugwork/bullmq';
import { PLUGINS_DIR } from './plugins.ts';
import { type RedisServer, startRedis } from './redis.ts';

/** A redis-server, nodes in this process, runners; close() stops everything it made. */
export interface Cluster {
  redis: RedisServer;
  warnings: string[];
  node(
    options?: Partial<BullmqNodeOptions> & { dir?: string; poolSize?: number; watch?: boolean },
  ): Promise<BullmqNode>;
  runner(options?: Partial<BullmqRunnerOptions>): BullmqRunner;
  close(): Promise<void>;
}

export async function startCluster(options: { persist?: boolean } = {}): Promise<Cluster> {
  const redis = await startRedis(options);
  const nodes: BullmqNode[] = [];
  const runners: BullmqRunner[] = [];
  const warnings: string[] = [];
  const logger = { warn: (message: string) => warnings.push(message) };
  return {
    redis,
    warnings,
    async node({ dir, poolSize, watch, ...rest } = {}) {
      const node = new BullmqNode({
        connection: redis.url,
        prefix: redis.prefix,
        heartbeatMs: 500,
        logger,
        manager: {
          adapter: fsAdapter({
            directories: [dir ?? PLUGINS_DIR],
            watch: watch ?? false,
            debounceMs: 50,
          }),
          poolSize: poolSize ?? 1,
          timeouts: { cancelGraceMs: 500 },
          logger: { output: () => {}, warn: (message) => warnings.push(message) },
        },
        ...rest,
      });
      nodes.push(node);
      await node.start();
      return node;
    },
    runner(options = {}) {
      const runner = new BullmqRunner({
        connection: redis.url,
        prefix: redis.prefix,
        logger,
        ...options,
      });
      runners.push(runner);
      return runner;
    },
    async close() {
      await Promise.all(runners.map((runner) => runner.close()));
      await Promise.all(nodes.map((node) => node.close({ drainMs: 0 })));
      await redis.close();
    },
  };
}

/** Resolves once the handle has seen its job start (polled: the event may have gone by). */
export async function running(job: { readonly status: string }, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (job.status === 'pending') {
    if (Date.now() > deadline) throw new Error(`the job did not start within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Polls `condition` every 10 ms until it holds. */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
