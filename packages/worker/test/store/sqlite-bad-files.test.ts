// Every way a store file can be unusable gets a JobStoreError at open that names the file and
// says what to do, and leaves the file as it was.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import { openJobStore } from '../../src/store/open-store.ts';
import { pickDriver } from '../../src/store/sqlite/pick-driver.ts';
import { APPLICATION_ID, SCHEMA_VERSION } from '../../src/store/sqlite/schema.ts';
import { newJob, openInChild, runtimeCommand, tempDir } from './store-helpers.ts';

const isRoot = process.getuid?.() === 0;
const NOBODY = 65534;

describe('SQLite store files that cannot be used', () => {
  let temp: ReturnType<typeof tempDir>;
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });
  const fresh = () => {
    temp = tempDir();
    cleanups.push(temp.remove);
    return join(temp.dir, 'jobs.db');
  };

  /** A store file with `count` finished jobs in it, closed. */
  async function storeWith(file: string, count: number): Promise<void> {
    const store = await openJobStore({ sqlite: file });
    for (let index = 0; index < count; index++) {
      const { job } = store.insert(newJob({ params: { text: `job ${index} `.repeat(20) } }));
      store.markRunning(job.id, { workerId: 'worker-1', workerPid: 1 });
      store.finish(job.id, { status: 'completed', result: { text: 'ok '.repeat(30) } });
    }
    await store.close();
  }

  async function openError(file: string): Promise<Error & { code?: string; file?: string }> {
    try {
      const store = await openJobStore({ sqlite: file });
      await store.close();
    } catch (error) {
      return error as Error;
    }
    throw new Error(`opening ${file} succeeded`);
  }

  it('a file that is not SQLite at all', async () => {
    const file = fresh();
    writeFileSync(file, 'id,name\n1,not a database\n');
    const error = await openError(file);
    expect(error).toMatchObject({ code: WorkerErrorCode.STORE_NOT_PLUGWORK, file });
    expect(error.message).toContain(`The job store file ${file} is not a SQLite database`);
    expect(readFileSync(file, 'utf8')).toBe('id,name\n1,not a database\n');
  });

  it("another program's SQLite database", async () => {
    const file = fresh();
    const db = (await pickDriver()).open(file);
    db.exec("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ada')");
    db.close();
    const error = await openError(file);
    expect(error).toMatchObject({ code: WorkerErrorCode.STORE_NOT_PLUGWORK, file });
    expect(error.message).toMatch(/another program \(its tables: users\).*leaves it untouched/);
    const again = (await pickDriver()).open(file);
    expect(again.prepare('SELECT name FROM users').all()).toEqual([{ name: 'ada' }]);
    again.close();
  });

  it('a store written by a newer plugwork (schema version 99)', async () => {
    const file = fresh();
    await storeWith(file, 3);
    const db = (await pickDriver()).open(file);
    db.exec('PRAGMA user_version = 99');
    db.close();
    const error = await openError(file);
    expect(error).toMatchObject({ code: WorkerErrorCode.STORE_NEWER_SCHEMA, file });
    expect(error.message).toMatch(
      new RegExp(
        `schema version 99.*knows versions up to ${SCHEMA_VERSION}.*Upgrade @plugwork/worker`,
      ),
    );
    const after = (await pickDriver()).open(file);
    expect(after.prepare('PRAGMA user_version').get()).toEqual({ user_version: 99 });
    expect(after.prepare('PRAGMA application_id').get()).toEqual({
      application_id: APPLICATION_ID,
    });
    expect(after.prepare('SELECT count(*) AS n FROM jobs').get()).toEqual({ n: 3 });
    after.close();
  });

  it('creates a new file at the current schema version, and opens it again as it is', async () => {
    const file = fresh();
    await storeWith(file, 1);
    await storeWith(file, 1);
    const db = (await pickDriver()).open(file);
    expect(db.prepare('PRAGMA user_version').get()).toEqual({ user_version: SCHEMA_VERSION });
    expect(db.prepare('SELECT count(*) AS n FROM jobs').get()).toEqual({ n: 2 });
    db.close();
  });

  it('a read-only file (opened by a user who may not write it)', async () => {
    const file = fresh();
    await storeWith(file, 3);
    chmodSync(temp.dir, 0o755);
    chmodSync(file, 0o444);
    // Root writes anything, so the reader is an unprivileged user when the tests run as root.
    const outcome = isRoot
      ? await openInChild(file, { uid: NOBODY, gid: NOBODY })
      : await openError(file).then((error) => ({ ...error, message: error.message, ok: false }));
    expect(outcome).toMatchObject({ ok: false, code: WorkerErrorCode.STORE_READ_ONLY, file });
    expect(outcome.message).toMatch(
      /cannot be written .*check the permissions of the file and of its directory/,
    );
    expect(statSync(file).mode & 0o777).toBe(0o444);
  });

  it.runIf(isRoot && process.platform === 'linux')(
    'a file on a read-only file system',
    async () => {
      fresh();
      const mountPoint = join(temp.dir, 'ro');
      mkdirSync(mountPoint);
      const { execFileSync } = await import('node:child_process');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
      cleanups.push(() => execFileSync('umount', [mountPoint]));
      const file = join(mountPoint, 'jobs.db');
      await storeWith(file, 3);
      execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
      const error = await openError(file);
      expect(error).toMatchObject({ code: WorkerErrorCode.STORE_READ_ONLY, file });
    },
  );

  describe('a damaged file', () => {
    async function damaged(
      damage: (file: string, size: number) => void,
    ): Promise<Error & { code?: string }> {
      const file = fresh();
      await storeWith(file, 300);
      damage(file, statSync(file).size);
      const error = await openError(file);
      expect(error).toMatchObject({ code: WorkerErrorCode.STORE_CORRUPT, file });
      expect(error.message).toContain(`The job store file ${file} is damaged`);
      expect(error.message).toContain('Restore it from a backup, or move it aside');
      return error;
    }

    it('cut short (half of it missing)', async () => {
      await damaged((file, size) => truncateSync(file, Math.floor(size / 2)));
    });

    it('with garbage over pages in the middle', async () => {
      await damaged((file, size) => {
        const bytes = readFileSync(file);
        const start = Math.floor(size / 2 / 4096) * 4096;
        for (let index = start; index < start + 3 * 4096; index++)
          bytes[index] = (index * 7919) & 0xff;
        writeFileSync(file, bytes);
      });
    });

    it('with its first page (the schema) overwritten after the header', async () => {
      await damaged((file) => {
        const bytes = readFileSync(file);
        bytes.fill(0xa5, 100, 4096);
        writeFileSync(file, bytes);
      });
    });

    it('with a broken header behind the SQLite magic', async () => {
      await damaged((file) => {
        const bytes = readFileSync(file);
        bytes.fill(0xff, 16, 100);
        writeFileSync(file, bytes);
      });
    });
  });

  it('a file another host has open', async () => {
    const file = fresh();
    await storeWith(file, 1);
    const script = fileURLToPath(new URL('./fixtures/open-store.mjs', import.meta.url));
    const [command, args] = runtimeCommand(script, [file, '', 'hold']);
    const holder = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => holder.kill('SIGKILL'));
    const first = await new Promise<string>((resolve) =>
      holder.stdout.once('data', (data) => resolve(String(data))),
    );
    expect(JSON.parse(first)).toMatchObject({ ok: true });
    const error = await openError(file);
    expect(error).toMatchObject({ code: WorkerErrorCode.STORE_LOCKED, file });
    expect(error.message).toMatch(
      /in use by another process: a store file serves one JobManager at a time/,
    );
  });

  it('a path whose directory does not exist, or that is a directory', async () => {
    const file = join(fresh(), 'missing', 'jobs.db');
    expect(await openError(file)).toMatchObject({
      code: WorkerErrorCode.STORE_OPEN_FAILED,
      message: expect.stringMatching(/its directory .*missing does not exist/),
    });
    expect(await openError(temp.dir)).toMatchObject({
      code: WorkerErrorCode.STORE_OPEN_FAILED,
      message: expect.stringContaining('it is a directory'),
    });
  });

  it('better-sqlite3 not installed (forced, as on Node 20)', async () => {
    // A copy of the built package outside the workspace, where no node_modules holds it.
    fresh();
    const copy = join(temp.dir, 'pkg');
    cpSync(fileURLToPath(new URL('../../dist/', import.meta.url)), join(copy, 'dist'), {
      recursive: true,
    });
    const script = join(copy, 'test', 'store', 'fixtures', 'open-store.mjs');
    cpSync(fileURLToPath(new URL('./fixtures/open-store.mjs', import.meta.url)), script);
    const outcome = await openInChild(join(temp.dir, 'jobs.db'), {
      script,
      driver: 'better-sqlite3',
    });
    expect(outcome).toMatchObject({ ok: false, code: WorkerErrorCode.STORE_DRIVER_MISSING });
    expect(outcome.message).toMatch(
      /needs the better-sqlite3 package on .*npm install better-sqlite3@12/,
    );
  });
});
