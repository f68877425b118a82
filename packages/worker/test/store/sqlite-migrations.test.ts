// The schema runner: a file records its version, opening it runs the steps it lacks, once, in
// one transaction; a step that fails leaves the file as it was.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import { openJobStore } from '../../src/store/open-store.ts';
import { openDatabase } from '../../src/store/sqlite/open-database.ts';
import { pickDriver } from '../../src/store/sqlite/pick-driver.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/sqlite/schema.ts';
import { newJob, tempDir } from './store-helpers.ts';

/** A version after this plugwork's. */
const NEXT = SCHEMA_VERSION + 1;
const WITH_NEXT = [...MIGRATIONS, { version: NEXT, sql: 'ALTER TABLE jobs ADD COLUMN tag TEXT;' }];

describe('SQLite schema migrations', () => {
  let temp: ReturnType<typeof tempDir>;
  afterEach(() => temp.remove());

  async function currentFile(): Promise<string> {
    temp = tempDir();
    const file = join(temp.dir, 'jobs.db');
    const store = await openJobStore({ sqlite: file });
    for (const id of ['a', 'b', 'c']) store.insert(newJob({ id }));
    await store.close();
    return file;
  }

  const columns = (db: ReturnType<typeof openDatabase>['db']) =>
    db
      .prepare('PRAGMA table_info(jobs)')
      .all()
      .map((row) => row.name);

  it('runs the steps a file lacks, once, and keeps its rows', async () => {
    const file = await currentFile();
    const driver = await pickDriver();
    const options = { maxSizeBytes: undefined, quickCheck: true, migrations: WITH_NEXT };
    const first = openDatabase(driver, file, options);
    expect(first.previousVersion).toBe(SCHEMA_VERSION);
    expect(first.db.prepare('PRAGMA user_version').get()).toEqual({ user_version: NEXT });
    expect(columns(first.db)).toContain('tag');
    expect(first.db.prepare('SELECT id FROM jobs ORDER BY seq').all()).toEqual([
      { id: 'a' },
      { id: 'b' },
      { id: 'c' },
    ]);
    first.db.close();
    // Again: nothing to run (the ALTER TABLE would fail on a second run).
    const second = openDatabase(driver, file, options);
    expect(second.previousVersion).toBe(NEXT);
    second.db.close();
    // This plugwork only knows up to SCHEMA_VERSION: the file is now from its future.
    await expect(openJobStore({ sqlite: file })).rejects.toMatchObject({
      code: WorkerErrorCode.STORE_NEWER_SCHEMA,
    });
  });

  it('leaves the file at its old version when a step fails', async () => {
    const file = await currentFile();
    const driver = await pickDriver();
    const broken = [
      ...MIGRATIONS,
      { version: NEXT, sql: 'ALTER TABLE jobs ADD COLUMN tag TEXT; THIS IS NOT SQL;' },
    ];
    expect(() =>
      openDatabase(driver, file, { maxSizeBytes: undefined, quickCheck: true, migrations: broken }),
    ).toThrow(expect.objectContaining({ code: WorkerErrorCode.STORE_OPEN_FAILED, file }));
    const store = await openJobStore({ sqlite: file });
    expect(store.pendingCount).toBe(3);
    await store.close();
    const { db } = openDatabase(driver, file, { maxSizeBytes: undefined, quickCheck: true });
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    expect(columns(db)).not.toContain('tag');
    db.close();
  });
});
