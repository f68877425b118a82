// kill -9 of a host holding a SQLite store: everything its batch timer committed survives, and
// the jobs it left running follow the recovery policy.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import type { StoredJob } from '../../src/store/stored-job.ts';
import { runtimeCommand, storeFixture } from './store-helpers.ts';

const CRASH_HOST = fileURLToPath(new URL('./fixtures/crash-host.mjs', import.meta.url));

describe('SQLite store after kill -9 of its host', () => {
  const fixture = storeFixture('sqlite');
  afterEach(() => fixture.cleanup());

  it('keeps the 100 jobs; the 10 finished are unchanged; the 2 running follow the policy', async () => {
    // Opening once makes the file (and names it); the child host then owns it.
    await (await fixture.open()).close();
    const [command, args] = runtimeCommand(CRASH_HOST, [fixture.file]);
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    const reported = new Promise<{ finished: StoredJob[] }>((resolve, reject) => {
      child.stdout.on('data', (text: string) => {
        output += text;
        if (output.endsWith('\n')) resolve(JSON.parse(output));
      });
      child.once('exit', (code) => reject(new Error(`crash host exited early (${code})`)));
    });
    const { finished } = await reported;
    child.kill('SIGKILL');
    const [, signal] = await once(child, 'exit');
    expect(signal).toBe('SIGKILL');

    const store = await fixture.open();
    expect(store.pendingCount + store.runningCount).toBe(90);
    expect(store.runningCount).toBe(2);
    const report = store.recover('retry');
    expect(report.requeued.map((job) => job.id)).toEqual(['job-10']);
    expect(report.failed.map((job) => job.id)).toEqual(['job-11']);
    expect(store.get('job-11')?.error?.code).toBe(WorkerErrorCode.HOST_RESTARTED);
    for (const job of finished) expect(store.get(job.id)).toEqual(job);

    // Run everything that is left: the completed ones are never offered again.
    const claimed: string[] = [];
    for (let job = store.claimNext(); job; job = store.claimNext()) {
      claimed.push(job.id);
      store.markRunning(job.id, { workerId: 'worker-1', workerPid: process.pid });
      store.finish(job.id, { status: 'completed', result: { text: 'after restart' } });
    }
    expect(claimed).toEqual([
      'job-10',
      ...Array.from({ length: 88 }, (_, index) => `job-${index + 12}`),
    ]);
    const all: StoredJob[] = [];
    let cursor: string | undefined;
    do {
      const page = store.list({ cursor, limit: 30 });
      all.push(...page.jobs);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    expect(all).toHaveLength(100);
    expect(all.every((job) => job.status === 'completed' || job.status === 'failed')).toBe(true);
    expect(all.filter((job) => job.status === 'failed').map((job) => job.id)).toEqual(['job-11']);
    expect(store.get('job-10')?.attempts).toHaveLength(2);
  });
});
