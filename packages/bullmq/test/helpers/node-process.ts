import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { RedisServer } from './redis.ts';

/** The built CLI, as `plugwork-node` runs it. */
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface NodeProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Lines the node printed (stdout, JSON events). */
  readonly lines: string[];
  readonly stderr: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for a stdout line that includes `text`. */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
}

/** Starts `plugwork-node` in a process of its own and waits until it is ready. */
export async function spawnNode(
  redis: RedisServer,
  options: { dir: string; npm?: string; pool?: number; lockMs?: number; extra?: string[] },
): Promise<NodeProcess> {
  const args = [CLI, '--redis', redis.url, '--prefix', redis.prefix];
  args.push(...(options.npm === undefined ? ['--plugins', options.dir] : ['--npm', options.npm]));
  args.push('--pool', String(options.pool ?? 1), '--no-watch');
  if (options.lockMs !== undefined) args.push('--lock-ms', String(options.lockMs));
  args.push(...(options.extra ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const stderr: string[] = [];
  const waiters: { text: string; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.filter((candidate) => line.includes(candidate.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (text: string, timeoutMs = 20_000) => {
    const seen = lines.find((line) => line.includes(text));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`node did not print "${text}" in ${timeoutMs} ms:\n${stderr.join('\n')}`),
          ),
        timeoutMs,
      );
      waiters.push({
        text,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then(({ code, signal }) =>
        reject(
          new Error(`node exited (${code ?? signal}) before "${text}":\n${stderr.join('\n')}`),
        ),
      );
    });
  };
  await waitFor('"ready":true');
  return { pid: child.pid!, child, lines, stderr, exited, waitFor };
}

/** SIGKILLs the node if it still runs, and waits for it. */
export async function killNode(node: NodeProcess): Promise<void> {
  if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  await node.exited;
}
