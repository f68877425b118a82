import { JobStoreError } from '../../errors.ts';
import { loadBetterSqlite3 } from './better-sqlite3-driver.ts';
import type { SqliteDriver } from './driver.ts';
import { loadNodeSqlite } from './node-sqlite-driver.ts';

export type SqliteDriverName = 'node:sqlite' | 'better-sqlite3';

/** This runtime, for messages: `Node v20.20.2`, `Deno 2.9.6`. */
export function runtimeName(): string {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  return deno === undefined ? `Node ${process.version}` : `Deno ${deno.version.deno}`;
}

/**
 * The runtime's own node:sqlite where it has one, else better-sqlite3. `prefer` forces one
 * (tests, or a host that wants better-sqlite3 on Node 24).
 */
export async function pickDriver(prefer?: SqliteDriverName): Promise<SqliteDriver> {
  if (prefer !== 'better-sqlite3') {
    const builtIn = await loadNodeSqlite();
    if (builtIn !== undefined) return builtIn;
    if (prefer === 'node:sqlite') {
      throw JobStoreError.driverFailed('node:sqlite', `${runtimeName()} has no node:sqlite`);
    }
  }
  return loadBetterSqlite3(runtimeName());
}
