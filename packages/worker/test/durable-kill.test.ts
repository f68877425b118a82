// kill -9 of a host with 100 durable jobs submitted, 10 finished and 2 running; a new host on
// the same file: every job ends terminal, the 10 are unchanged, the 2 follow the recovery
// policy (attempts left: run again; none left: HOST_RESTARTED), none ran twice after completing.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Job, WorkerErrorCode } from '@plugwork/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, TEST_ADAPTER } from './helpers.ts';
import { tempDir } from './store/store-helpers.ts';

const HOST = fileURLToPath(new URL('./fixtures/durable-host.mjs', import.meta.url));

describe('a durable host killed with kill -9', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('leaves a store the next host finishes: each job once, the running two by the policy', async () => {
    const { dir, remove } = tempDir();
    cleanups.push(remove);
    const file = join(dir, 'jobs.db');
    const runs = join(dir, 'runs');
    writeFileSync(runs, '');
    const hold = join(dir, 'hold');
    writeFileSync(hold, '');
    const host = spawn(process.execPath, [HOST, TEST_ADAPTER, file, runs, hold], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => void host.kill('SIGKILL'));
    let output = '';
    host.stdout.setEncoding('utf8');
    const { finished } = await new Promise<{ finished: Job[] }>((resolve, reject) => {
      host.stdout.on('data', (text: string) => {
        output += text;
        if (output.endsWith('\n')) resolve(JSON.parse(output));
      });
      host.once('exit', (code) => reject(new Error(`the host exited early (${code})`)));
    });
    expect(finished.map((job) => job.id).sort()).toEqual(
      Array.from({ length: 10 }, (_, index) => `job-${index}`).sort(),
    );
    host.kill('SIGKILL');
    await once(host, 'exit');
    // The next host's run of job-10 ends at once.
    rmSync(hold);

    const harness = await startHarness({ poolSize: 2, store: { sqlite: file } });
    cleanups.push(() => harness.close());
    const manager = harness.manager;
    // Every job terminal: page through the whole history until nothing is pending or running.
    const all = async (): Promise<Job[]> => manager.listJobs({ limit: 1000 });
    for (let waited = 0; waited < 300; waited++) {
      if ((await all()).every((job) => ['completed', 'failed', 'cancelled'].includes(job.status)))
        break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const jobs = await all();
    expect(jobs).toHaveLength(100);
    const byId = new Map(jobs.map((job) => [job.id, job]));
    for (const job of finished) expect(byId.get(job.id)).toEqual(job);
    expect(byId.get('job-10')).toMatchObject({ status: 'completed' });
    expect(byId.get('job-10')?.attempts.map((attempt) => attempt.error?.code)).toEqual([
      WorkerErrorCode.HOST_RESTARTED,
      undefined,
    ]);
    expect(byId.get('job-11')).toMatchObject({
      status: 'failed',
      error: { code: WorkerErrorCode.HOST_RESTARTED },
    });
    expect(jobs.filter((job) => job.status !== 'completed').map((job) => job.id)).toEqual([
      'job-11',
    ]);
    expect(harness.warnings.join('\n')).toMatch(
      /2 job\(s\) running when its previous host stopped: 1 queued again/,
    );

    const counts = new Map<string, number>();
    for (const line of readFileSync(runs, 'utf8').split('\n').filter(Boolean)) {
      counts.set(line, (counts.get(line) ?? 0) + 1);
    }
    for (let index = 0; index < 100; index++) {
      expect([`job-${index}`, counts.get(`job-${index}`)]).toEqual([
        `job-${index}`,
        index === 10 ? 2 : 1,
      ]);
    }
  });
});
