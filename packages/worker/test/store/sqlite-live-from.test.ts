// A restarted SQLite store finds its live jobs (pending, running) from meta.live_from on, by
// seq, rather than through an index of them: every write keeps live_from at or below the
// oldest live row, however far behind the newest rows that row is, and a file of schema
// version 1 (which had the index) gets live_from when it is migrated.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import { openJobStore } from '../../src/store/open-store.ts';
import { openDatabase } from '../../src/store/sqlite/open-database.ts';
import { pickDriver } from '../../src/store/sqlite/pick-driver.ts';
import { MIGRATIONS } from '../../src/store/sqlite/schema.ts';
import { newJob, storeFixture, tempDir, WORKER } from './store-helpers.ts';

/** meta.live_from and the file's indexes, read with a connection of its own. */
async function inspect(file: string): Promise<{ liveFrom: unknown; indexes: unknown[] }> {
  const db = (await pickDriver()).open(file);
  try {
    return {
      liveFrom: db.prepare("SELECT value FROM meta WHERE key = 'live_from'").get()?.value,
      indexes: db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'jobs'")
        .all()
        .map((row) => row.name),
    };
  } finally {
    db.close();
  }
}

const failure = { code: WorkerErrorCode.PLUGIN_ERROR, message: 'Plugin "echo" failed: boom' };

describe('SQLite store, where the live rows start', () => {
  const fixture = storeFixture('sqlite');
  afterEach(() => fixture.cleanup());

  it('keeps an old pending job behind many finished ones through restarts', async () => {
    let store = await fixture.open();
    // Delayed, so nothing claims it while the others run.
    store.insert(newJob({ id: 'old', runAt: Date.now() + 3_600_000 }));
    for (let i = 0; i < 300; i++) {
      const { job } = store.insert(newJob({ id: `done-${i}` }));
      store.markRunning(job.id, WORKER);
      store.finish(job.id, { status: 'completed', result: { i } });
    }
    const running = store.insert(newJob({ id: 'running', maxAttempts: 2 })).job;
    store.markRunning(running.id, WORKER);
    await store.close();
    expect(await inspect(fixture.file)).toMatchObject({ liveFrom: 1 });

    store = await fixture.open();
    expect([store.pendingCount, store.runningCount]).toEqual([1, 1]);
    expect(store.get('old')).toMatchObject({ status: 'pending', seq: 1 });
    store.recover('retry');
    // The old job ends: live rows now start at the requeued one, 302.
    store.finish('old', { status: 'failed', error: failure });
    await store.close();
    expect(await inspect(fixture.file)).toMatchObject({ liveFrom: 302 });

    store = await fixture.open();
    expect(store.get('running')).toMatchObject({ status: 'pending', seq: 302 });
    expect(store.get('old')).toMatchObject({ status: 'failed', error: failure });
    expect(store.pendingCount).toBe(1);
    const claimed = store.claimNext();
    expect(claimed?.id).toBe('running');
    store.markRunning('running', WORKER);
    store.finish('running', { status: 'completed', result: {} });
    await store.close();
    // Nothing live: live rows would start at the next job's seq.
    expect(await inspect(fixture.file)).toMatchObject({ liveFrom: 303 });
    store = await fixture.open();
    expect([store.pendingCount, store.runningCount]).toEqual([0, 0]);
    expect(store.list({ status: 'completed', limit: 500 }).jobs).toHaveLength(301);
  });

  it('migrates a version-1 file: live_from at its oldest live row, the live index gone', async () => {
    const temp = tempDir();
    try {
      const file = join(temp.dir, 'v1.db');
      const driver = await pickDriver();
      const v1 = openDatabase(driver, file, {
        maxSizeBytes: undefined,
        quickCheck: false,
        migrations: MIGRATIONS.slice(0, 1),
      }).db;
      const insert = v1.prepare(
        `INSERT INTO jobs (seq, id, plugin, status, priority, run_at, submitted_at, ended_at,
           max_attempts, spec, attempts) VALUES (?, ?, 'echo', ?, 0, 1, 1, ?, 1, ?, '[]')`,
      );
      const spec = JSON.stringify({ params: {}, stream: false, metadata: {} });
      insert.run(1, 'a', 'completed', 2, spec);
      insert.run(2, 'b', 'pending', null, spec);
      insert.run(3, 'c', 'completed', 2, spec);
      insert.run(4, 'd', 'pending', null, spec);
      v1.prepare("UPDATE meta SET value = 5 WHERE key = 'next_seq'").run();
      v1.close();
      expect(await inspect(file)).toMatchObject({ liveFrom: undefined });
      expect((await inspect(file)).indexes).toContain('live_seq');

      const store = await openJobStore({ sqlite: file });
      expect(store.pendingCount).toBe(2);
      expect(store.claimNext()?.id).toBe('b');
      await store.close();
      const after = await inspect(file);
      expect(after.liveFrom).toBe(2);
      expect(after.indexes).not.toContain('live_seq');
    } finally {
      temp.remove();
    }
  });
});
