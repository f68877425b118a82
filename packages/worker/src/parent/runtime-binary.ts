import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** True when this host runs under Deno (its Node compatibility layer reports a deno version). */
export function hostIsDeno(): boolean {
  return typeof (process.versions as Record<string, string | undefined>).deno === 'string';
}

/**
 * The deno executable for Deno workers: the `denoPath` option, else $PLUGWORK_DENO_PATH or
 * $DENO_PATH, else the binary of the `deno` npm package installed where the host runs (or
 * beside this package), else the
 * host itself when it is Deno, else `deno` on the PATH.
 */
export function findDeno(option: string | undefined, cwd: string): string {
  if (option !== undefined) return option;
  const fromEnv = process.env.PLUGWORK_DENO_PATH || process.env.DENO_PATH;
  if (fromEnv) return fromEnv;
  if (hostIsDeno()) return process.execPath;
  // Where the application installed it, else next to this package (a workspace's root).
  for (const from of [join(cwd, 'noop.js'), import.meta.url]) {
    try {
      const manifest = createRequire(from).resolve('deno/package.json');
      for (const name of ['deno', 'deno.exe']) {
        const binary = join(dirname(manifest), name);
        if (existsSync(binary)) return binary;
      }
    } catch {
      // Not installed there.
    }
  }
  return 'deno';
}

/**
 * The node executable for Node workers: the `nodePath` option, else $PLUGWORK_NODE_PATH, else
 * the host itself when it is Node. Under a Deno host `process.execPath` is deno, so the default
 * there is `node` on the PATH.
 */
export function findNode(option: string | undefined): string {
  if (option !== undefined) return option;
  if (process.env.PLUGWORK_NODE_PATH) return process.env.PLUGWORK_NODE_PATH;
  return hostIsDeno() ? 'node' : process.execPath;
}

/** The major version of a node binary: the host's own without spawning, else `node --version`. */
export function nodeMajorVersion(node: string): number {
  if (node === process.execPath && !hostIsDeno())
    return Number(process.versions.node.split('.')[0]);
  try {
    const version = execFileSync(node, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return Number(/^v?(\d+)/.exec(version.trim())?.[1] ?? 0);
  } catch {
    // The spawn itself will fail with a clear WorkerStartError; assume a current Node meanwhile.
    return 22;
  }
}
