#!/usr/bin/env node
// `pnpm plugwork list` and `pnpm plugwork run <plugin>`: the demo's plugins from a terminal.
import { parseArgs } from 'node:util';
import type { JsonObject } from '@plugwork/protocol';
import { type DemoSettings, resolveSettings } from '../config/settings.ts';
import { DemoError, DemoErrorCode, describe } from '../errors.ts';
import { DemoHost } from '../host/demo-host.ts';
import { listCommand } from './commands/list.ts';
import { RunExit, runCommand } from './commands/run.ts';
import { parseParams, readPluginConfig } from './params.ts';

const HELP = `Usage: pnpm plugwork <command> [options]

Commands:
  list                         the plugins, and the problems of those that cannot be offered
  run <plugin>                 run one job: its streamed output, or its result as JSON

Options of run:
  -p, --param <key=value>      a param; repeat for more. JSON values are JSON (top=3),
                               anything else is text (text=hello world)
  -c, --config <file>          the plugin's config, a JSON file
  -s, --stream                 print the output as it streams in
      --timeout <ms>           fail the job when it runs longer

Options of list:
      --json                   print the catalog as JSON

Common options:
      --adapter <fs|npm|both>  where plugins come from (default: both)
      --plugwork-config <file> config file (default ./plugwork.config.json if present)
  -h, --help                   show this help

Exit codes: 0 done, 1 the job failed (or an error), 2 wrong usage, 130 cancelled with Ctrl-C.
`;

const USAGE_EXIT = 2;

interface Io {
  argv: string[];
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

async function main(io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(io.argv);
  } catch (error) {
    io.stderr.write(`plugwork: ${describe(error)}\n\n${HELP}`);
    return USAGE_EXIT;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true || command === undefined || command === 'help') {
    (command === undefined && values.help !== true ? io.stderr : io.stdout).write(HELP);
    return command === undefined && values.help !== true ? USAGE_EXIT : 0;
  }
  if (command !== 'list' && command !== 'run') {
    io.stderr.write(`plugwork: unknown command "${command}" (use list or run)\n`);
    return USAGE_EXIT;
  }
  if (command === 'run' && rest.length !== 1) {
    io.stderr.write(
      `plugwork: run needs one plugin name, as in: pnpm plugwork run word-stream --param text="hi there" --stream\n`,
    );
    return USAGE_EXIT;
  }
  if (command === 'list' && rest.length > 0) {
    io.stderr.write(`plugwork: list takes no arguments (got "${rest.join(' ')}")\n`);
    return USAGE_EXIT;
  }

  let timeoutMs: number | undefined;
  let params = {};
  const pluginConfigs: Record<string, JsonObject> = {};
  try {
    if (values.timeout !== undefined) {
      timeoutMs = Number(values.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
        throw DemoError.invalidArgument(
          '--timeout',
          `"${values.timeout}" (a number of milliseconds)`,
        );
      }
    }
    params = parseParams(values.param ?? []);
    if (values.config !== undefined) pluginConfigs[rest[0]!] = readPluginConfig(values.config);
  } catch (error) {
    io.stderr.write(`plugwork: ${describe(error)}\n`);
    return USAGE_EXIT;
  }

  let settings: DemoSettings;
  try {
    settings = resolveSettings({
      ...(values.adapter === undefined ? {} : { adapter: values.adapter }),
      ...(values['plugwork-config'] === undefined ? {} : { configFile: values['plugwork-config'] }),
    });
  } catch (error) {
    io.stderr.write(`plugwork: ${describe(error)}\n`);
    return error instanceof DemoError && error.code === DemoErrorCode.INVALID_ARGUMENT
      ? USAGE_EXIT
      : RunExit.FAILED;
  }
  // One job at a time: one worker per source, and no folder watching.
  settings.fs = { ...settings.fs, poolSize: 1, watch: false };
  settings.npm = { ...settings.npm, poolSize: 1 };
  settings.pluginConfigs = { ...settings.pluginConfigs, ...pluginConfigs };

  const interrupted = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) process.exit(RunExit.CANCELLED);
    interrupted.abort();
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);

  const host = await DemoHost.start({ settings });
  try {
    if (interrupted.signal.aborted) return RunExit.CANCELLED;
    if (command === 'list') {
      io.stdout.write(listCommand(host, { json: values.json === true, cwd: process.cwd() }));
      return 0;
    }
    return await runCommand(host, {
      plugin: rest[0]!,
      params,
      stream: values.stream === true,
      timeoutMs,
      stdout: io.stdout,
      stderr: io.stderr,
      signal: interrupted.signal,
    });
  } finally {
    await host.shutdown();
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      param: { type: 'string', short: 'p', multiple: true },
      config: { type: 'string', short: 'c' },
      stream: { type: 'boolean', short: 's' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
      adapter: { type: 'string' },
      'plugwork-config': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

main({ argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`plugwork: ${describe(error)}\n`);
    process.exitCode = 1;
  },
);
