#!/usr/bin/env node
// plugwork-node: one machine's node. Consumes the BullMQ queues of the plugins it finds, until
// SIGINT or SIGTERM, then lets running jobs finish (or hands them back) and exits.
import { parseNodeArgs, UsageError } from './args.ts';

async function main(): Promise<void> {
  let args: ReturnType<typeof parseNodeArgs>;
  try {
    args = parseNodeArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  // Imported once the command line is known good, so a usage error answers at once; the
  // adapters only when asked for.
  const { BullmqNode } = await import('../node/bullmq-node.ts');
  const adapter =
    args.npm === undefined
      ? (await import('@plugwork/adapter-fs')).fsAdapter({
          directories: args.plugins,
          watch: args.watch,
        })
      : (await import('@plugwork/adapter-npm')).npmAdapter({ root: args.npm });
  const node = new BullmqNode({
    connection: args.redis,
    prefix: args.prefix,
    name: args.name,
    manager: { adapter, poolSize: args.pool },
    shutdown: args.drainMs === undefined ? undefined : { drainMs: args.drainMs },
    lock:
      args.lockMs === undefined
        ? undefined
        : {
            durationMs: args.lockMs,
            stalledIntervalMs: Math.max(100, Math.floor(args.lockMs / 2)),
          },
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`plugwork-node: ${signal}, finishing running jobs…\n`);
    node.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`plugwork-node: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const catalog = await node.start();
  const plugins = catalog.plugins.map((plugin) => plugin.name);
  // One line a script (or a test) can wait for.
  process.stdout.write(
    `${JSON.stringify({ ready: true, node: node.id, name: node.name, pid: process.pid, plugins })}\n`,
  );
  for (const diagnostic of catalog.diagnostics) {
    process.stderr.write(`plugwork-node: ${diagnostic.message}\n`);
  }
  node.on('queue:started', (plugin) =>
    process.stdout.write(`${JSON.stringify({ queue: 'started', plugin })}\n`),
  );
  node.on('queue:stopped', (plugin) =>
    process.stdout.write(`${JSON.stringify({ queue: 'stopped', plugin })}\n`),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `plugwork-node: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
