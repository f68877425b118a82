import { resolve } from 'node:path';
import type { JobStore, WriteErrorHook } from './job-store.ts';
import { MemoryJobStore } from './memory-store.ts';
import type { SqliteDriverName } from './sqlite/pick-driver.ts';
import { SqliteJobStore } from './sqlite/sqlite-store.ts';
import { ThreadDatabase } from './sqlite/thread-database.ts';

/** Where jobs are kept: in this process's memory, or in a SQLite file that survives it. */
export type JobStoreConfig = 'memory' | SqliteStoreConfig;

export interface SqliteStoreConfig {
  /** The file (created if missing); a relative path is resolved from the working directory. */
  sqlite: string;
  /** Changes are committed at most this long after they happen. Default 10 ms. */
  flushMs?: number;
  /** Refuse writes that would grow the file past this many bytes (STORE_FULL). Default: none. */
  maxSizeBytes?: number;
  /** Check an existing file's integrity at open (about 55 ms per 100,000 jobs). Default true. */
  quickCheck?: boolean;
  /** Force a driver. Default: node:sqlite where the runtime has it, else better-sqlite3. */
  driver?: SqliteDriverName;
}

export const STORE_DEFAULTS = { flushMs: 10, quickCheck: true } as const;

export interface OpenStoreHooks {
  /** A batched write failed; `rejected` jobs could not be stored and will not run. */
  onWriteError?: WriteErrorHook;
}

/** Opens the store `config` names. Rejects with JobStoreError (naming the file) when it cannot. */
export async function openJobStore(
  config: JobStoreConfig,
  hooks: OpenStoreHooks = {},
): Promise<JobStore> {
  if (config === 'memory') return new MemoryJobStore();
  const file = resolve(config.sqlite);
  const db = await ThreadDatabase.open(file, config.driver, {
    maxSizeBytes: config.maxSizeBytes,
    quickCheck: config.quickCheck ?? STORE_DEFAULTS.quickCheck,
  });
  try {
    return new SqliteJobStore(db, file, db.driver, {
      flushMs: config.flushMs ?? STORE_DEFAULTS.flushMs,
      onWriteError: hooks.onWriteError,
    });
  } catch (error) {
    db.close();
    throw error;
  }
}
