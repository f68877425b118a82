import type { SqliteDatabase } from './driver.ts';

/** `PRAGMA application_id` of a plugwork job store ("plwk"): tells our files from others. */
export const APPLICATION_ID = 0x706c776b;

/** One step of the schema; `version` is what `PRAGMA user_version` says after it. */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

/**
 * Every schema version, in order. A store file records its version in `user_version`; opening
 * it runs the steps it lacks, in one transaction. Never edit a released step: add one.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE jobs (
        -- Submission order, assigned by the store (never reused: see meta.next_seq).
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        plugin TEXT NOT NULL,
        status TEXT NOT NULL,
        priority INTEGER NOT NULL,
        run_at INTEGER NOT NULL,
        submitted_at INTEGER NOT NULL,
        started_at INTEGER,
        -- Set when, and only when, the job finished (completed, failed, cancelled).
        ended_at INTEGER,
        max_attempts INTEGER NOT NULL,
        -- What submit fixed: params, stream, metadata, timeoutMs, stallMs, backoff (JSON).
        spec TEXT NOT NULL,
        attempts TEXT NOT NULL,
        progress REAL,
        progress_message TEXT,
        result TEXT,
        error TEXT,
        worker_id TEXT,
        worker_pid INTEGER
      );
      CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT INTO meta (key, value) VALUES ('next_seq', 1);
      -- The history indexes hold finished jobs only: a job enters them once, when it ends, so
      -- submitting and starting a job touch only the id index and live_seq. Live jobs
      -- (pending, running) are all in the store's memory, which answers queries for them.
      CREATE INDEX finished_status_seq ON jobs (status, seq) WHERE ended_at IS NOT NULL;
      CREATE INDEX finished_plugin_status_seq ON jobs (plugin, status, seq) WHERE ended_at IS NOT NULL;
      -- The jobs a restarted host picks up again.
      CREATE INDEX live_seq ON jobs (seq) WHERE ended_at IS NULL;
      -- Retention by age.
      CREATE INDEX finished_status_ended ON jobs (status, ended_at) WHERE ended_at IS NOT NULL;
    `,
  },
  {
    // live_seq cost every job's end a delete at the front of an index, which SQLite pays
    // for with page rebalancing (measured with better-sqlite3, 2,048 finishes to a
    // transaction: 6.9 µs a finish with it, 4.4 µs without). What a restarted host needs is
    // only where the live rows start: meta.live_from, at or below the seq of every row with
    // no ended_at, kept by each write; the open reads the rows from there on by seq.
    version: 2,
    sql: `
      INSERT INTO meta (key, value)
        SELECT 'live_from', coalesce(min(seq), (SELECT value FROM meta WHERE key = 'next_seq'))
        FROM jobs INDEXED BY live_seq WHERE ended_at IS NULL;
      DROP INDEX live_seq;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/**
 * Brings a file from `from` (0: empty) to the last version of `migrations`. Call inside a write
 * transaction: a step that fails leaves the file at its old version.
 */
export function migrate(
  db: SqliteDatabase,
  from: number,
  migrations: readonly Migration[] = MIGRATIONS,
): void {
  for (const step of migrations) {
    if (step.version <= from) continue;
    db.exec(step.sql);
  }
  db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
  db.exec(`PRAGMA user_version = ${migrations[migrations.length - 1]!.version}`);
}
