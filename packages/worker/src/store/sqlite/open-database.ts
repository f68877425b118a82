import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readSync,
  statSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { describe, JobStoreError } from '../../errors.ts';
import { type SqliteDatabase, type SqliteDriver, sqliteErrorKind } from './driver.ts';
import { APPLICATION_ID, MIGRATIONS, type Migration, migrate } from './schema.ts';

export interface OpenDatabaseOptions {
  /** Refuse writes that would grow the file past this (SQLite's max_page_count). */
  readonly maxSizeBytes: number | undefined;
  /** Run `PRAGMA quick_check` on an existing file (about 55 ms per 100,000 jobs). */
  readonly quickCheck: boolean;
  /** The schema's steps; tests pass their own to exercise the runner. Default MIGRATIONS. */
  readonly migrations?: readonly Migration[];
}

export interface OpenedDatabase {
  readonly db: SqliteDatabase;
  /** The schema version the file had (0 for a new file). */
  readonly previousVersion: number;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';
const BUSY_TIMEOUT_MS = 250;
const WAL_CHECKPOINT_PAGES = 8_000;

/**
 * Opens (or creates) a store file and brings its schema up to date. Every way this can fail is
 * a JobStoreError that names the file and says what to do: not SQLite or another program's
 * database (STORE_NOT_PLUGWORK), a newer schema (STORE_NEWER_SCHEMA), read-only
 * (STORE_READ_ONLY), damaged (STORE_CORRUPT), in use by another host (STORE_LOCKED).
 *
 * The file is held in WAL mode with an exclusive lock for as long as the store is open: one
 * store file, one JobManager (two managers claiming from one queue would run jobs twice).
 */
export function openDatabase(
  driver: SqliteDriver,
  file: string,
  options: OpenDatabaseOptions,
): OpenedDatabase {
  const migrations = options.migrations ?? MIGRATIONS;
  const latest = migrations[migrations.length - 1]!.version;
  const existed = checkHeader(file);
  let db: SqliteDatabase;
  try {
    db = driver.open(file);
  } catch (error) {
    throw classify(file, error);
  }
  try {
    // Before anything reads: in exclusive mode the first read takes the lock and keeps it.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    // The drivers' defaults differ (better-sqlite3 waits 5 s, node:sqlite not at all). A file
    // held by a live host stays held; a short wait only bridges a previous host's last close.
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const applicationId = Number(db.prepare('PRAGMA application_id').get()?.application_id);
    const version = Number(db.prepare('PRAGMA user_version').get()?.user_version);
    if (applicationId !== APPLICATION_ID) {
      const tables = db
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .all()
        .map((row) => String(row.name));
      if (applicationId !== 0 || tables.length > 0) {
        throw JobStoreError.foreign(
          file,
          applicationId !== 0
            ? `application id ${applicationId}`
            : `its tables: ${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}`,
        );
      }
    } else if (version > latest) {
      throw JobStoreError.newerSchema(file, version, latest);
    }
    if (existed && options.quickCheck) {
      const problems = db
        .prepare('PRAGMA quick_check(3)')
        .all()
        .map((row) => String(row.quick_check));
      if (problems[0] !== 'ok') {
        throw JobStoreError.corrupt(file, problems.join('; ').replace(/\s+/g, ' ').trim());
      }
    }
    const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
    if (mode !== 'wal') {
      throw JobStoreError.readOnly(
        file,
        `SQLite could not switch it to WAL mode (it stayed in "${String(mode)}" mode)`,
      );
    }
    // A commit survives a crash of the process (the WAL is written before COMMIT returns);
    // NORMAL leaves the fsync to checkpoints, so only an OS crash or power loss could lose the
    // last commits.
    db.exec('PRAGMA synchronous = NORMAL');
    // A store's writes touch the same few pages again and again (the tails of the table and its
    // indexes): a larger WAL between checkpoints copies each of them back once, not every 1000
    // pages, and fsyncs less often. The WAL file is cut back to 64 MiB after a checkpoint.
    db.exec(`PRAGMA wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    db.exec(`PRAGMA journal_size_limit = ${64 * 1024 * 1024}`);
    // Takes the write lock now, so a read-only file or a second host fails here, at start().
    db.exec('BEGIN IMMEDIATE');
    try {
      if (version < latest || applicationId !== APPLICATION_ID) migrate(db, version, migrations);
      db.exec('COMMIT');
    } catch (error) {
      rollback(db);
      throw error;
    }
    if (options.maxSizeBytes !== undefined) {
      const pageSize = Number(db.prepare('PRAGMA page_size').get()?.page_size);
      db.exec(
        `PRAGMA max_page_count = ${Math.max(1, Math.floor(options.maxSizeBytes / pageSize))}`,
      );
    }
    return { db, previousVersion: applicationId === APPLICATION_ID ? version : 0 };
  } catch (error) {
    try {
      db.close();
    } catch {
      // Already failing; the first error is the one to report.
    }
    throw classify(file, error);
  }
}

/** True when the file exists and is not empty; throws when it is not SQLite at all. */
function checkHeader(file: string): boolean {
  let size: number;
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) throw JobStoreError.openFailed(file, 'it is a directory');
    size = stats.size;
  } catch (error) {
    if (error instanceof JobStoreError) throw error;
    if ((error as { code?: unknown }).code !== 'ENOENT') {
      throw JobStoreError.openFailed(file, describe(error), error);
    }
    if (!existsSync(dirname(file))) {
      throw JobStoreError.openFailed(file, `its directory ${dirname(file)} does not exist`);
    }
    return false;
  }
  if (size === 0) return false;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let read = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw JobStoreError.openFailed(file, describe(error), error);
  }
  if (read < header.length || header.toString('latin1') !== SQLITE_HEADER) {
    throw JobStoreError.notSqlite(file);
  }
  return true;
}

/** A SQLite error at open, as the JobStoreError a person can act on. */
function classify(file: string, error: unknown): JobStoreError {
  if (error instanceof JobStoreError) return error;
  const reason = describe(error);
  const kind = sqliteErrorKind(error);
  switch (kind) {
    case 'SQLITE_CORRUPT':
    case 'SQLITE_NOTADB':
      return JobStoreError.corrupt(file, reason, error);
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return JobStoreError.locked(file, error);
    case 'SQLITE_FULL':
      return JobStoreError.full(file, reason, error);
  }
  // SQLite words a read-only file many ways (READONLY, CANTOPEN, IOERR_LOCK when it cannot
  // lock a file it could only open for reading): ask the file system what is writable.
  if (existsSync(file) && !canOpenForWriting(file)) {
    return JobStoreError.readOnly(file, `${reason}: this process may not write the file`, error);
  }
  if (!canWrite(dirname(file))) {
    return JobStoreError.readOnly(
      file,
      `${reason}: its directory ${dirname(file)} cannot be written`,
      error,
    );
  }
  if (kind === 'SQLITE_READONLY' || kind === 'SQLITE_PERM') {
    return JobStoreError.readOnly(file, reason, error);
  }
  return JobStoreError.openFailed(file, reason, error);
}

/** Opening for writing is the real test: access() of some runtimes reads only mode bits. */
function canOpenForWriting(file: string): boolean {
  try {
    closeSync(openSync(file, 'r+'));
    return true;
  } catch {
    return false;
  }
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function rollback(db: SqliteDatabase): void {
  try {
    db.exec('ROLLBACK');
  } catch {
    // SQLite may have rolled the transaction back itself (SQLITE_FULL can); nothing to undo.
  }
}

/** Runs `body` in one write transaction: committed whole, or rolled back and rethrown. */
export function inTransaction(db: SqliteDatabase, body: () => void): void {
  try {
    db.exec('BEGIN');
    body();
    db.exec('COMMIT');
  } catch (error) {
    rollback(db);
    throw error;
  }
}
