import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobStore } from '../../src/store/job-store.ts';
import {
  type JobStoreConfig,
  type OpenStoreHooks,
  openJobStore,
} from '../../src/store/open-store.ts';
import type { NewJob } from '../../src/store/stored-job.ts';

/** A fresh temp directory, removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'plugwork-store-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;

/** A job as the JobManager would hand it to a store; `overrides` set what a test is about. */
export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  const submittedAt = overrides.submittedAt ?? Date.now();
  return {
    id: `job-${++counter}`,
    plugin: 'echo',
    params: { text: 'hi' },
    stream: false,
    metadata: {},
    timeoutMs: undefined,
    stallMs: undefined,
    priority: 0,
    submittedAt,
    runAt: submittedAt,
    maxAttempts: 1,
    backoff: undefined,
    retryOn: [],
    ...overrides,
  };
}

export const WORKER = { workerId: 'worker-1', workerPid: 4242 } as const;

/** The two kinds, for suites that every store must pass. */
export const STORE_KINDS = ['memory', 'sqlite'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/**
 * Opens stores of one kind for a test and closes and removes them after it. `reopen` closes the
 * current SQLite store and opens the same file again, as a restarted host would.
 */
export function storeFixture(kind: StoreKind) {
  let temp: ReturnType<typeof tempDir> | undefined;
  const open: JobStore[] = [];
  const fixture = {
    file: '',
    async open(
      config: Partial<Exclude<JobStoreConfig, 'memory'>> = {},
      hooks?: OpenStoreHooks,
    ): Promise<JobStore> {
      if (kind === 'memory') {
        const store = await openJobStore('memory', hooks);
        open.push(store);
        return store;
      }
      temp ??= tempDir();
      fixture.file ||= join(temp.dir, 'jobs.db');
      const store = await openJobStore({ sqlite: fixture.file, ...config }, hooks);
      open.push(store);
      return store;
    },
    async cleanup(): Promise<void> {
      for (const store of open.splice(0)) await store.close().catch(() => {});
      temp?.remove();
      temp = undefined;
      fixture.file = '';
    },
  };
  return fixture;
}

/** The command that runs a script on the runtime running this test (Node or Deno). */
export function runtimeCommand(script: string, args: string[]): [string, string[]] {
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  return [process.execPath, deno ? ['run', '-A', script, ...args] : [script, ...args]];
}

/** What fixtures/open-store.mjs printed: how opening the store went in that process. */
export interface OpenOutcome {
  ok: boolean;
  code?: string;
  name?: string;
  message?: string;
  file?: string;
  driver?: string;
}

/** Runs fixtures/open-store.mjs (or a copy of it, `script`) in a child and returns its outcome. */
export async function openInChild(
  file: string,
  options: { script?: string; driver?: string; uid?: number; gid?: number } = {},
): Promise<OpenOutcome> {
  const { execFile } = await import('node:child_process');
  const script =
    options.script ?? fileURLToPath(new URL('./fixtures/open-store.mjs', import.meta.url));
  const [command, args] = runtimeCommand(script, [
    file,
    ...(options.driver ? [options.driver] : []),
  ]);
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { uid: options.uid, gid: options.gid, timeout: 20_000, cwd: tmpdir() },
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as OpenOutcome);
        } catch {
          reject(
            new Error(`open-store child failed: ${error?.message ?? ''}\n${stdout}\n${stderr}`),
          );
        }
      },
    );
  });
}
