import { CliMessages } from '../errors.ts';

/** What the plugwork-node command line asks for. */
export interface NodeArgs {
  redis: string;
  plugins: string[];
  npm: string | undefined;
  pool: number;
  prefix: string | undefined;
  name: string | undefined;
  /** Watch the plugin folders (a folder dropped in is offered without a restart). Default true. */
  watch: boolean;
  drainMs: number | undefined;
  /** BullMQ lock duration; a dead node's jobs are retried within about twice this. */
  lockMs: number | undefined;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `--flag value` / `--flag=value` arguments; throws UsageError with one clear line. */
export function parseNodeArgs(argv: readonly string[]): NodeArgs {
  const args: NodeArgs = {
    redis: '',
    plugins: [],
    npm: undefined,
    pool: 1,
    prefix: undefined,
    name: undefined,
    watch: true,
    drainMs: undefined,
    lockMs: undefined,
  };
  for (let index = 0; index < argv.length; index++) {
    const raw = argv[index]!;
    const eq = raw.indexOf('=');
    const flag = eq === -1 ? raw : raw.slice(0, eq);
    const value = (): string => {
      if (eq !== -1) return raw.slice(eq + 1);
      const next = argv[++index];
      if (next === undefined) throw new UsageError(CliMessages.missing(`a value after ${flag}`));
      return next;
    };
    switch (flag) {
      case '--redis':
        args.redis = value();
        break;
      case '--plugins':
        args.plugins.push(value());
        break;
      case '--npm':
        args.npm = value();
        break;
      case '--pool':
        args.pool = integer(flag, value(), 1);
        break;
      case '--prefix':
        args.prefix = value();
        break;
      case '--name':
        args.name = value();
        break;
      case '--drain-ms':
        args.drainMs = integer(flag, value(), 0);
        break;
      case '--lock-ms':
        args.lockMs = integer(flag, value(), 100);
        break;
      case '--watch':
        args.watch = true;
        break;
      case '--no-watch':
        args.watch = false;
        break;
      case '--help':
      case '-h':
        throw new UsageError(CliMessages.usage);
      default:
        throw new UsageError(`${CliMessages.unknown(raw)}\n${CliMessages.usage}`);
    }
  }
  if (args.redis === '')
    throw new UsageError(`${CliMessages.missing('--redis')}\n${CliMessages.usage}`);
  if (args.plugins.length === 0 && args.npm === undefined) {
    throw new UsageError(`${CliMessages.missing('--plugins or --npm')}\n${CliMessages.usage}`);
  }
  if (args.plugins.length > 0 && args.npm !== undefined) {
    throw new UsageError(
      'plugwork-node: give --plugins or --npm, not both (a node serves one adapter; run a second node for the other).',
    );
  }
  return args;
}

function integer(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(CliMessages.bad(flag, text, `an integer >= ${min}`));
  }
  return value;
}
