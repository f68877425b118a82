// kill -9 of a host in the middle of its writes, again and again on one file: the file always
// opens clean, holds at least what the host knew was committed, and no job is left running.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runtimeCommand, storeFixture } from './store-helpers.ts';

const CHURN_HOST = fileURLToPath(new URL('./fixtures/churn-host.mjs', import.meta.url));

describe('SQLite store under kill -9 mid-write', () => {
  const fixture = storeFixture('sqlite');
  afterEach(() => fixture.cleanup());

  it('survives five kills at random moments', async () => {
    await (await fixture.open()).close();
    let submittedBefore = 0;
    for (let round = 0; round < 5; round++) {
      const [command, args] = runtimeCommand(CHURN_HOST, [fixture.file, String(round)]);
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let committed = { submitted: 0, finished: 0 };
      let buffered = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text: string) => {
        buffered += text;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        const last = lines.at(-1);
        if (last !== undefined) {
          const [submitted, finished] = last.split(' ').map(Number);
          committed = { submitted: submitted!, finished: finished! };
        }
      });
      // Wait for a few committed batches, then kill at a moment the host does not choose.
      while (committed.submitted < 600) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (child.exitCode !== null) throw new Error(`churn host exited with ${child.exitCode}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 40)));
      child.kill('SIGKILL');
      await once(child, 'exit');

      const store = await fixture.open({ quickCheck: true });
      const all = [];
      let cursor: string | undefined;
      do {
        const page = store.list({ cursor, limit: 1000 });
        all.push(...page.jobs);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      const thisRound = all.filter((job) => job.id.startsWith(`r${round}-`));
      expect(thisRound.length).toBeGreaterThanOrEqual(committed.submitted);
      expect(new Set(all.map((job) => job.seq)).size).toBe(all.length);
      // The host leaves some jobs running and queued at every moment.
      expect(store.pendingCount + store.runningCount).toBeGreaterThan(0);
      const report = store.recover('retry');
      expect(store.runningCount).toBe(0);
      for (const job of [...report.requeued, ...report.failed]) {
        expect(job.attempts.length).toBeLessThanOrEqual(job.maxAttempts);
      }
      for (const job of all) {
        if (job.status === 'completed') expect(job.result).toEqual({ text: job.id });
        expect(job.endedAt !== undefined).toBe(
          ['completed', 'failed', 'cancelled'].includes(job.status),
        );
      }
      submittedBefore += committed.submitted;
      await store.close();
    }
    expect(submittedBefore).toBeGreaterThanOrEqual(3_000);
  }, 120_000);
});
