import { JobStoreError } from '../../errors.ts';
import type { SqliteDatabase, SqliteDriver } from './driver.ts';

type BetterSqlite3 = new (path: string) => SqliteDatabase;

/**
 * Loads better-sqlite3 (an optional peer dependency, for runtimes without node:sqlite). Throws
 * JobStoreError STORE_DRIVER_MISSING when it is not installed, or names what went wrong when it
 * is but cannot load (an addon built for another Node version).
 */
export async function loadBetterSqlite3(runtime: string): Promise<SqliteDriver> {
  let Database: BetterSqlite3;
  try {
    // Imported only here and only when needed, so hosts that never use it need not install it.
    const specifier = 'better-sqlite3';
    const module = (await import(specifier)) as { default?: BetterSqlite3 };
    Database = module.default as BetterSqlite3;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      String((error as Error).message).includes('better-sqlite3')
    ) {
      throw JobStoreError.driverMissing(runtime, error);
    }
    throw JobStoreError.driverFailed('better-sqlite3', (error as Error).message, error);
  }
  if (typeof Database !== 'function') {
    throw JobStoreError.driverFailed('better-sqlite3', 'its module exports no Database class');
  }
  return { name: 'better-sqlite3', open: (file) => new Database(file) };
}
