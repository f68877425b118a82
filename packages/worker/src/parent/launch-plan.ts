import type { ResolvedOptions } from '../options.ts';
import { planPythonLaunch } from './python-launch.ts';
import { findDeno, findNode, hostIsDeno, nodeMajorVersion } from './runtime-binary.ts';
import { denoPermissionFlags, nodePermissionFlags } from './sandbox-flags.ts';
import { workerReadPaths } from './worker-read-paths.ts';

/**
 * How every worker of one manager is started: which binary, over which channel, with which
 * flags. Computed once per manager; the socket path differs per worker, hence `flags(socket)`.
 */
export interface LaunchPlan {
  runtime: 'node' | 'deno' | 'python';
  /**
   * 'pipe': a socket pair the worker inherits as file descriptor 3 (a Node worker of a Node
   * host: spawn-pipe.ts). 'socket': the worker connects to a Unix socket the host listens on
   * (Deno and Python workers, and any worker of a Deno host). One JSON message per line on both.
   */
  channel: 'pipe' | 'socket';
  /**
   * The longest line either end of a plugwork worker's channel reads (Python workers keep their
   * own 16 MiB): the largest of the payload limits plus room for the envelope, so that what the
   * limits allow always fits, and a longer line (plugin code writing to the channel) is dropped
   * unbuffered.
   */
  maxLineBytes: number;
  command: string;
  /**
   * Socket workers only: the entry and its arguments before `--socket=`. Default: this
   * package's `child/socket-main.js` (a Python worker's is its `plugwork_worker` entry).
   */
  entry?: string[];
  /** What a sandboxed worker may read for itself (its packages); empty without a sandbox. */
  readPaths: string[];
  /** Runtime flags, placed before the entry script. */
  flags(socketPath: string | undefined): string[];
}

export function planLaunch(
  options: ResolvedOptions,
  adapterModule: string,
  cwd: string,
): LaunchPlan {
  const maxLineBytes = channelLineBytes(options);
  if (options.runtime === 'python') return { ...planPythonLaunch(options), maxLineBytes };
  const { worker, permissions } = options;
  const readPaths = permissions === undefined ? [] : workerReadPaths(adapterModule);
  if (options.runtime === 'deno') {
    return {
      runtime: 'deno',
      channel: 'socket',
      maxLineBytes,
      command: findDeno(worker.denoPath, cwd),
      readPaths,
      flags: (socketPath) => [
        'run',
        '--no-prompt',
        '--no-lock',
        ...(permissions === undefined
          ? ['--allow-all']
          : denoPermissionFlags(permissions, readPaths, socketPath!)),
        ...worker.execArgv,
      ],
    };
  }
  const command = findNode(worker.nodePath);
  const sandbox =
    permissions === undefined
      ? []
      : nodePermissionFlags(permissions, readPaths, nodeMajorVersion(command));
  return {
    runtime: 'node',
    channel: hostIsDeno() ? 'socket' : 'pipe',
    maxLineBytes,
    command,
    readPaths,
    flags: () => [...sandbox, ...worker.execArgv],
  };
}

/** Room for a message's envelope (type, ids, status, token) around the largest payload. */
const ENVELOPE_BYTES = 1024 * 1024;

/** LaunchPlan.maxLineBytes: the largest payload limit, plus its envelope. */
function channelLineBytes(options: Pick<ResolvedOptions, 'limits'>): number {
  const { paramsBytes, resultBytes, chunkBytes } = options.limits;
  return Math.max(paramsBytes, resultBytes, chunkBytes) + ENVELOPE_BYTES;
}
