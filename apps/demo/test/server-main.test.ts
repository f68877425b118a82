// `pnpm demo` as a process: it starts, serves, and stops cleanly on Ctrl-C or SIGTERM with no
// worker left behind; a bad config or a busy port stops it at once with a clear message.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptEnv } from './support/server.ts';

const MAIN = path.resolve(import.meta.dirname, '../bin/plugwork-demo.js');
const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'plugwork-demo-main-'));
/** Every server this file started: a test that fails halfway must not leave one running. */
const launched: ChildProcess[] = [];
afterAll(() => {
  for (const child of launched) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** The job store the server keeps (its default, apps/demo/.data, is not for tests). */
const STORE = path.join(scratch, 'store');

/** The server as its bin starts it, or (`viaPnpm`) as the README's `pnpm demo` does. */
function launch(args: string[], env: Record<string, string> = {}, viaPnpm = false) {
  const storeArgs =
    args.includes('--no-store') || args.includes('--store') || args.includes('--help')
      ? []
      : ['--store', STORE];
  const [command, commandArgs, cwd] = viaPnpm
    ? ['npx', ['-y', 'pnpm@12.4.2', 'demo', ...args, ...storeArgs], REPO_ROOT]
    : [process.execPath, [MAIN, ...args, ...storeArgs], scratch];
  const child = spawn(command, commandArgs, {
    cwd,
    env: scriptEnv({ PORT: '', HOST: '', PLUGWORK_CONFIG: '', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  launched.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    /** Resolves with the URL the server printed once it listens. */
    url: () =>
      new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /plugwork demo on (http:\/\/\S+)/.exec(stdout);
          if (match !== null) resolve(match[1]!);
        };
        child.stdout!.on('data', check);
        check();
        child.once('close', () => reject(new Error(`the server exited: ${stderr}`)));
      }),
  };
}

function groupGone(child: ChildProcess): boolean {
  try {
    process.kill(-child.pid!, 0);
    return false;
  } catch {
    return true;
  }
}

describe('the demo server process', () => {
  for (const [name, signal, toGroup] of [
    ['Ctrl-C (SIGINT to the whole process group)', 'SIGINT', true],
    ['SIGTERM', 'SIGTERM', false],
  ] as const) {
    it(`serves on 127.0.0.1 and stops cleanly on ${name}`, async () => {
      const server = launch(['--port', '0']);
      const url = await server.url();
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(server.output().stdout).toMatch(/sources: fs \+ python \+ npm\n/);
      const catalog = (await (await fetch(`${url}api/plugins`)).json()) as { plugins: unknown[] };
      expect(catalog.plugins).toHaveLength(6);
      // Keep a job running, so that stopping has something to cancel.
      const submitted = await fetch(`${url}api/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ plugin: 'hash-chain', params: { rounds: 100000, size_kb: 64 } }),
      });
      expect(submitted.status).toBe(202);

      process.kill(toGroup ? -server.child.pid! : server.child.pid!, signal);
      expect(await server.exited).toBe(0);
      expect(server.output().stdout).toContain(
        `${signal}: stopping the server and its workers…\nStopped.\n`,
      );
      // No crash reports: the workers were stopped by the host, not killed by the signal.
      expect(server.output().stderr).not.toMatch(/killed by SIGINT|Restarting/);
      expect(groupGone(server.child)).toBe(true);
    });
  }

  it('`pnpm demo`: --help prints only the help on stdout; Ctrl-C ends without pnpm calling it a failure', async () => {
    const help = launch(['--help'], {}, true);
    expect(await help.exited).toBe(0);
    expect(help.output().stdout).toMatch(/^Usage: pnpm demo \[options\]\n/);
    expect(help.output().stdout).not.toContain('turbo');

    const server = launch(['--port', '0'], {}, true);
    await server.url();
    // A terminal's Ctrl-C: SIGINT to npx, pnpm, the server and its workers at once (pnpm
    // forwards it to the server once more).
    process.kill(-server.child.pid!, 'SIGINT');
    await server.exited;
    const { stdout, stderr } = server.output();
    expect(stdout).toContain('SIGINT: stopping the server and its workers…\nStopped.\n');
    expect(stderr).not.toMatch(/Command failed|ELIFECYCLE|again: exiting now/);
    expect(groupGone(server.child)).toBe(true);
  });

  it('keeps its jobs across a restart: the history shows, the jobs still queued run', async () => {
    const store = path.join(scratch, 'restart-store');
    const api = async (url: string, route: string, body?: unknown) => {
      const response = await fetch(`${url}api/${route}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return (await response.json()) as { job: { id: string; status: string } } & {
        jobs: { id: string; status: string }[];
      };
    };
    const until = async (check: () => Promise<boolean>) => {
      for (let tries = 0; tries < 300 && !(await check()); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const first = launch(['--port', '0', '--adapter', 'fs', '--store', store]);
    let url = await first.url();
    expect(first.output().stdout).toContain(`jobs: kept in ${store}`);
    const done = (
      await api(url, 'jobs', { plugin: 'hash-chain', params: { rounds: 10, size_kb: 1 } })
    ).job.id;
    await until(async () => (await api(url, `jobs/${done}`)).job.status === 'completed');
    // Two workers: two long jobs run, the rest wait (queued, or sent ahead to a busy worker).
    const long = { plugin: 'hash-chain', params: { rounds: 100_000, size_kb: 64 } };
    const waiting: string[] = [];
    for (let index = 0; index < 6; index++) waiting.push((await api(url, 'jobs', long)).job.id);
    process.kill(first.child.pid!, 'SIGINT');
    expect(await first.exited).toBe(0);

    const second = launch(['--port', '0', '--adapter', 'fs', '--store', store]);
    url = await second.url();
    try {
      const listed = await api(url, 'jobs');
      expect(listed.jobs.find((job) => job.id === done)?.status).toBe('completed');
      const pendingBefore = waiting.filter(
        (id) => listed.jobs.find((job) => job.id === id)?.status !== 'cancelled',
      );
      expect(pendingBefore.length).toBeGreaterThanOrEqual(2);
      // They run on the restarted server.
      const statuses = async () => {
        const jobs = (await api(url, 'jobs')).jobs;
        return pendingBefore.map((id) => jobs.find((job) => job.id === id)?.status);
      };
      await until(async () => (await statuses()).some((status) => status !== 'pending'));
      expect(await statuses()).toContainEqual(expect.stringMatching(/^(running|completed)$/));
    } finally {
      process.kill(second.child.pid!, 'SIGTERM');
      await second.exited;
    }
  });

  it('refuses a bad config file, naming the field', async () => {
    const file = path.join(scratch, 'plugwork.config.json');
    writeFileSync(file, JSON.stringify({ adapter: 'both', fs: { directory: 'plugins' } }));
    try {
      const server = launch([]);
      expect(await server.exited).toBe(1);
      expect(server.output().stderr).toBe(
        `plugwork demo: Invalid config file ${file}: "fs.directory": unknown field (check the spelling). apps/demo/README.md describes every field\n`,
      );
    } finally {
      rmSync(file);
    }
  });

  it('says so when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const server = launch([], { PORT: String(port) });
      expect(await server.exited).toBe(1);
      expect(server.output().stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
      expect(groupGone(server.child)).toBe(true);
    } finally {
      blocker.close();
    }
  });
});
