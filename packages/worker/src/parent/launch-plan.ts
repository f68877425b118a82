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
   * 'ipc': fork() with Node's IPC channel (a Node worker of a Node host). 'socket': the worker
   * connects to a Unix socket the host listens on (Deno workers, and any worker of a Deno host,
   * which has no Node IPC channel to give).
   */
  channel: 'ipc' | 'socket';
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
  if (options.runtime === 'python') return planPythonLaunch(options);
  const { worker, permissions } = options;
  const readPaths = permissions === undefined ? [] : workerReadPaths(adapterModule);
  if (options.runtime === 'deno') {
    return {
      runtime: 'deno',
      channel: 'socket',
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
    channel: hostIsDeno() ? 'socket' : 'ipc',
    command,
    readPaths,
    flags: () => [...sandbox, ...worker.execArgv],
  };
}
