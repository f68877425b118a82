import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { JobManager, type JobManagerOptions, type WorkerOutput } from '@plugwork/worker';
import { expect } from 'vitest';

/** The fixture adapter every test worker serves (plain JavaScript: workers run built JS). */
export const TEST_ADAPTER = new URL('./fixtures/test-adapter.mjs', import.meta.url).href;

export interface Harness {
  manager: JobManager;
  /** Labelled lines the workers printed. */
  output: string[];
  /** The same lines with where they came from (worker, plugin, job). */
  outputSources: WorkerOutput[];
  /** Warnings the manager logged. */
  warnings: string[];
  /** Every worker pid the manager ever had. */
  pids: Set<number>;
  /** Shut down and check that no worker process is left. */
  close(): Promise<void>;
}

/** A JobManager on the fixture adapter, with output captured and every worker pid recorded. */
export function createHarness(options: Partial<JobManagerOptions> = {}): Harness {
  const output: string[] = [];
  const outputSources: WorkerOutput[] = [];
  const warnings: string[] = [];
  const pids = new Set<number>();
  const manager = new JobManager({
    adapter: { module: TEST_ADAPTER },
    logger: {
      output: (line, source) => {
        output.push(line);
        outputSources.push(source);
      },
      warn: (message) => warnings.push(message),
    },
    ...options,
  });
  manager.on('worker:started', (event) => pids.add(event.pid));
  manager.on('worker:restarted', (event) => pids.add(event.pid));
  return {
    manager,
    output,
    outputSources,
    warnings,
    pids,
    async close() {
      await manager.shutdown();
      await expectProcessesGone([...pids]);
    },
  };
}

export async function startHarness(options: Partial<JobManagerOptions> = {}): Promise<Harness> {
  const harness = createHarness(options);
  await harness.manager.start();
  return harness;
}

/**
 * Whether a process is still running. `process.kill(pid, 0)` throwing ESRCH is the proof it is
 * gone. One exception: a process orphaned by a killed host is re-parented to PID 1, and the
 * PID 1 of some sandboxes (this one included) never reaps; such a process has exited — it runs
 * nothing and holds no memory — yet stays a zombie ("Z" in /proc/<pid>/stat) with its pid.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until every pid has exited; fails naming the survivors after `withinMs`. */
export async function expectProcessesGone(pids: number[], withinMs = 5_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const running = pids.filter(isRunning);
    if (running.length === 0) return;
    if (Date.now() > deadline) {
      expect.fail(`worker processes still running after ${withinMs} ms: ${running.join(', ')}`);
    }
    await sleep(25);
  }
}

/** Resolves with the first event of `name` that satisfies `accept`. */
/**
 * No orphan when the host dies: runs a host script (`node <script> ...args`, a fixture that
 * prints one JSON line with its `workerPid` once its worker is up), SIGKILLs it, and expects the
 * worker gone within `withinMs`.
 */
export async function expectWorkerGoneWhenHostKilled(
  script: URL,
  args: readonly string[],
  withinMs: number,
): Promise<void> {
  const host = spawn(process.execPath, [fileURLToPath(script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const [line] = (await once(createInterface({ input: host.stdout! }), 'line')) as [string];
    const { workerPid } = JSON.parse(line) as { workerPid: number };
    expect(isRunning(workerPid)).toBe(true);
    host.kill('SIGKILL');
    await once(host, 'exit');
    await expectProcessesGone([workerPid], withinMs);
  } finally {
    host.kill('SIGKILL');
  }
}

export function nextEvent<T>(
  manager: JobManager,
  name: Parameters<JobManager['on']>[0],
  accept: (event: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (event: T) => {
      if (!accept(event)) return;
      manager.off(name, listener as never);
      resolve(event);
    };
    manager.on(name, listener as never);
  });
}

/** Every worker idle and the next echo job succeeding: the "back to normal" check after a fault. */
export async function expectHealthy(manager: JobManager): Promise<void> {
  const job = manager.submit('echo', { text: 'still alive' });
  await expect(job.result).resolves.toMatchObject({ text: 'still alive' });
  const states = await manager.getWorkerStates();
  for (const state of states) {
    expect(state.state, `worker ${state.workerId}`).toBe('idle');
    expect(state.unanswered).toBeUndefined();
  }
}

/** Worker processes this test process started and that are still running (from /proc). */
export function runningWorkerChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid || fields[0] === 'Z') continue;
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      // The entry is the build's bundle of child/main.js (or socket-main.js), or the file itself.
      if (
        /child\/(socket-)?main(\.bundle)?\.js/.test(commandLine) ||
        commandLine.includes('plugwork-worker')
      ) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
