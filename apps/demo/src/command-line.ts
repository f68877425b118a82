import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DemoError } from './errors.ts';

/**
 * `parseArgs`, with its errors in the demo's words: Node's own ("Unknown option '--colour'. To
 * specify a positional argument starting with a '-', place it at the end of the command after
 * '--', as in '-- \"--colour\"") names the flag in a sentence about something else.
 *
 * @param command how the help is reached, e.g. `pnpm plugwork`
 * @throws DemoError INVALID_ARGUMENT
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  config: T,
  command: string,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const option = /'([^']+)'/.exec((error as Error).message)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw DemoError.unknownOption(option, command);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      // "Option '-p, --param <value>' argument missing": the long name is the one to show.
      const long = /--[\w-]+/.exec(option)?.[0] ?? option;
      throw DemoError.missingOptionValue(long, command);
    }
    throw error;
  }
}
