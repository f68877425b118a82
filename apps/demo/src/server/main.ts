#!/usr/bin/env node
// `pnpm demo`: the web UI and JSON API on http://127.0.0.1:3000.
import { parseCommandLine } from '../command-line.ts';
import { resolveSettings } from '../config/settings.ts';
import { describe } from '../errors.ts';
import { DEFAULT_DATA_DIR } from '../paths.ts';
import { onStopSignals } from '../signals.ts';
import { startServer } from './start-server.ts';

const HELP = `Usage: pnpm demo [options]

Starts the plugwork demo: the web UI and the JSON API.

Options:
  --adapter <fs|npm|both>     where plugins come from (default: both)
  --host <address>            address to bind (default 127.0.0.1; env HOST)
  --port <number>             port (default 3000; env PORT; 0 picks a free one)
  --plugwork-config <file>    config file (default ./plugwork.config.json if present;
                              env PLUGWORK_CONFIG)
  --store <dir>               keep jobs in SQLite files in <dir> (default apps/demo/.data):
                              the queue and the history survive a restart
  --no-store                  keep jobs in memory only
  --redis <url>               run jobs through BullMQ on this Redis (redis://host:port): the
                              page submits, plugwork nodes run the plugins, the workers panel
                              shows the nodes. A node runs in this process too, on the plugin
                              folders (--adapter npm: the npm packages), unless --no-local-node
  --redis-prefix <prefix>     the nodes' key prefix (default plugwork)
  --no-local-node             with --redis: only submit; the nodes run elsewhere
  -h, --help                  show this help

apps/demo/README.md describes the config file and the API.
`;

async function main(): Promise<void> {
  const { values } = parseCommandLine(
    {
      options: {
        adapter: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        'plugwork-config': { type: 'string' },
        store: { type: 'string' },
        'no-store': { type: 'boolean' },
        redis: { type: 'string' },
        'redis-prefix': { type: 'string' },
        'no-local-node': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    },
    'pnpm demo',
  );
  if (values.help === true) {
    process.stdout.write(HELP);
    return;
  }
  const settings = resolveSettings({
    ...(values.adapter === undefined ? {} : { adapter: values.adapter }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(values.port === undefined ? {} : { port: values.port }),
    ...(values['plugwork-config'] === undefined ? {} : { configFile: values['plugwork-config'] }),
    ...(values['no-store'] === true
      ? { store: false as const }
      : values.store === undefined
        ? {}
        : { store: values.store }),
    defaultStore: DEFAULT_DATA_DIR,
    ...(values.redis === undefined ? {} : { redis: values.redis }),
    ...(values['redis-prefix'] === undefined ? {} : { redisPrefix: values['redis-prefix'] }),
    ...(values['no-local-node'] === true ? { localNode: false } : {}),
  });
  const server = await startServer({ settings });
  const { plugins, diagnostics } = server.host.catalog();
  const lines = [
    `plugwork demo on ${server.url}`,
    `  sources: ${server.host.sources.join(' + ')}${settings.configFile === undefined ? '' : ` (config: ${settings.configFile})`}`,
    settings.redis === undefined
      ? `  jobs: ${settings.store === undefined ? 'in memory (--no-store)' : `kept in ${settings.store.directory}`}`
      : `  jobs: BullMQ on ${settings.redis.url} (prefix ${settings.redis.prefix}); ${settings.redis.localNode ? 'a node runs in this process' : 'no node in this process (--no-local-node)'}`,
    `  plugins: ${plugins.map((plugin) => `${plugin.id} [${plugin.source}]`).join(', ') || 'none'}`,
  ];
  if (diagnostics.length > 0) {
    lines.push(
      `  ${diagnostics.length} plugin(s) with problems: see the page, or GET /api/plugins`,
    );
  }
  lines.push('Press Ctrl-C to stop.');
  // Before the banner: whoever reads "Press Ctrl-C" may press it at once.
  onStopSignals({
    first(signal) {
      process.stdout.write(`${signal}: stopping the server and its workers…\n`);
      server.close().then(
        () => {
          process.stdout.write('Stopped.\n');
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(`plugwork demo: shutdown failed: ${describe(error)}\n`);
          process.exit(1);
        },
      );
    },
    again(signal) {
      process.stderr.write(`plugwork demo: ${signal} again: exiting now.\n`);
      process.exit(1);
    },
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`plugwork demo: ${describe(error)}\n`);
  process.exit(1);
});
