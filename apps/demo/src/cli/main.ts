#!/usr/bin/env node
// `plugwork list` and `plugwork run <plugin>`: the demo's plugins from a terminal.
import type { JsonObject } from '@plugwork/protocol';
import { parseCommandLine } from '../command-line.ts';
import { type DemoSettings, resolveSettings } from '../config/settings.ts';
import { DemoError, DemoErrorCode, describe } from '../errors.ts';
import { DemoHost } from '../host/demo-host.ts';
import { CLI_HINTS } from '../host/hints.ts';
import { onStopSignals, runByPackageManagerScript } from '../signals.ts';
import { listCommand } from './commands/list.ts';
import { RunExit, runCommand } from './commands/run.ts';
import { type RawParams, readPluginConfig, splitParams } from './params.ts';

const HELP = `Usage: plugwork <command> [options]   (or: pnpm plugwork <command> [options])

Commands:
  list                         the plugins, and the problems of those that cannot be offered
  run <plugin>                 run one job: its streamed output, or its result as JSON

Options of run:
  -p, --param <key=value>      a param; repeat for more. Typed by the plugin's params schema
                               (text=5 is text where the plugin wants text); without one,
                               JSON values are JSON (top=3), anything else is text
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

const COMMAND = 'plugwork';
const USAGE_EXIT = 2;

interface Io {
  argv: string[];
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Every message the CLI writes for a person starts the same way. */
function fail(io: Io, message: string): void {
  io.stderr.write(`${COMMAND}: ${message}\n`);
}

async function main(io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(io.argv);
  } catch (error) {
    fail(io, describe(error));
    return USAGE_EXIT;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help === true || command === 'help') {
    io.stdout.write(HELP);
    return 0;
  }
  if (command === undefined) {
    io.stderr.write(HELP);
    return USAGE_EXIT;
  }
  if (command !== 'list' && command !== 'run') {
    fail(io, `unknown command "${command}" (use list or run; ${COMMAND} --help says more)`);
    return USAGE_EXIT;
  }
  if (command === 'run' && rest.length !== 1) {
    fail(
      io,
      `run needs one plugin name, as in: ${COMMAND} run word-stream --param text="hi there" --stream`,
    );
    return USAGE_EXIT;
  }
  if (command === 'list' && rest.length > 0) {
    fail(io, `list takes no arguments (got "${rest.join(' ')}")`);
    return USAGE_EXIT;
  }

  let timeoutMs: number | undefined;
  let params: RawParams = new Map();
  let config: { file: string; value: JsonObject } | undefined;
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
    params = splitParams(values.param ?? []);
    if (values.config !== undefined) {
      config = { file: values.config, value: readPluginConfig(values.config) };
    }
  } catch (error) {
    fail(io, describe(error));
    return USAGE_EXIT;
  }

  let settings: DemoSettings;
  try {
    settings = resolveSettings({
      ...(values.adapter === undefined ? {} : { adapter: values.adapter }),
      ...(values['plugwork-config'] === undefined ? {} : { configFile: values['plugwork-config'] }),
    });
  } catch (error) {
    fail(io, describe(error));
    return error instanceof DemoError && error.code === DemoErrorCode.INVALID_ARGUMENT
      ? USAGE_EXIT
      : RunExit.FAILED;
  }
  // One job at a time: one worker per source, and no folder watching.
  settings.fs = { ...settings.fs, poolSize: 1, watch: false };
  settings.npm = { ...settings.npm, poolSize: 1 };
  if (config !== undefined) {
    settings.pluginConfigs = { ...settings.pluginConfigs, [rest[0]!]: config.value };
  }

  const interrupted = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  onStopSignals({
    first(signal) {
      interruptedBy = signal;
      interrupted.abort();
    },
    again() {
      process.exit(RunExit.CANCELLED);
    },
  });

  let host: DemoHost;
  try {
    host = await DemoHost.start({ settings, hints: CLI_HINTS });
  } catch (error) {
    fail(io, describe(error));
    return RunExit.FAILED;
  }
  try {
    if (interrupted.signal.aborted) return RunExit.CANCELLED;
    if (command === 'list') {
      io.stdout.write(listCommand(host, { json: values.json === true, cwd: process.cwd() }));
      return 0;
    }
    const code = await runCommand(host, {
      plugin: rest[0]!,
      params,
      config,
      stream: values.stream === true,
      timeoutMs,
      stdout: io.stdout,
      stderr: io.stderr,
      signal: interrupted.signal,
    });
    // Under `pnpm plugwork`, pnpm got the same Ctrl-C and would call 130 its script failing.
    if (code === RunExit.CANCELLED && interruptedBy === 'SIGINT' && runByPackageManagerScript()) {
      return 0;
    }
    return code;
  } catch (error) {
    fail(io, describe(error));
    return error instanceof DemoError && error.code === DemoErrorCode.INVALID_ARGUMENT
      ? USAGE_EXIT
      : RunExit.FAILED;
  } finally {
    await host.shutdown();
  }
}

function parse(argv: string[]) {
  return parseCommandLine(
    {
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
    },
    COMMAND,
  );
}

main({ argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${COMMAND}: ${describe(error)}\n`);
    process.exitCode = 1;
  },
);
