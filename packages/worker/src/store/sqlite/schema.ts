import type { SqliteDatabase } from './driver.ts';

/** `PRAGMA application_id` of a plugwork job store ("plwk"): tells our files from others. */
export const APPLICATION_ID = 0x706c776b;

/** One step of the schema; `version` is what `PRAGMA user_version` says after it. */
interface Migration {
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
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        plugin TEXT NOT NULL,
        status TEXT NOT NULL,
        priority INTEGER NOT NULL,
        run_at INTEGER NOT NULL,
        submitted_at INTEGER NOT NULL,
        started_at INTEGER,
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
      -- History pages by status, and by plugin (and status), walk these in seq order.
      CREATE INDEX jobs_status_seq ON jobs (status, seq);
      CREATE INDEX jobs_plugin_status_seq ON jobs (plugin, status, seq);
      -- Retention by age.
      CREATE INDEX jobs_status_ended ON jobs (status, ended_at);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Brings a file from `from` (0: empty) to SCHEMA_VERSION. Call inside a write transaction. */
export function migrate(db: SqliteDatabase, from: number): void {
  for (const step of MIGRATIONS) {
    if (step.version <= from) continue;
    db.exec(step.sql);
  }
  db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
  db.exec(`PRAGMA user_version = ${SCHEMA_VERSION}`);
}
