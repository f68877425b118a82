import type { ResolvedPermissions } from '../options.ts';
import { withRealPaths } from './sandbox-links.ts';

/** Node's permission model: `--permission` from Node 22 on, `--experimental-permission` on 20. */
export function nodePermissionFlags(
  permissions: ResolvedPermissions,
  readPaths: readonly string[],
  nodeMajor: number,
): string[] {
  const flags = [nodeMajor >= 22 ? '--permission' : '--experimental-permission'];
  // The permission model announces itself on stderr as experimental on some versions; that
  // line would reach the host's log from every worker.
  flags.push('--disable-warning=ExperimentalWarning');
  // Granted where they really are too: a granted path may itself be a link.
  for (const path of unique([...withRealPaths(permissions.read), ...readPaths]))
    flags.push(`--allow-fs-read=${path}`);
  for (const path of withRealPaths(permissions.write)) flags.push(`--allow-fs-write=${path}`);
  if (permissions.childProcess) flags.push('--allow-child-process');
  // No --allow-worker: Node warns that it can undo the sandbox. The worker needs no thread: the
  // host's watchdog process guards it (see host-watchdog.ts).
  return flags;
}

/**
 * Deno's flags. Without `--allow-*` Deno denies everything, so this lists exactly what the
 * worker gets: reading the given paths and what the worker itself needs, writing the given
 * paths, and the channel's socket (read, write and a `unix:` net grant).
 */
export function denoPermissionFlags(
  permissions: ResolvedPermissions,
  readPaths: readonly string[],
  socketPath: string,
): string[] {
  const flags = [
    `--allow-read=${unique([...withRealPaths(permissions.read), ...readPaths, socketPath]).join(',')}`,
  ];
  flags.push(
    `--allow-write=${unique([...withRealPaths(permissions.write), socketPath]).join(',')}`,
  );
  const net = permissions.net;
  if (net === true) flags.push('--allow-net');
  else
    flags.push(
      `--allow-net=${unique([`unix:${socketPath}`, ...(net === false ? [] : net)]).join(',')}`,
    );
  if (permissions.childProcess) flags.push('--allow-run');
  return flags;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
