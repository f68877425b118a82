// Which SQLite driver the store picks on this runtime: node:sqlite where it exists (Node >=
// 22.13, Deno >= 2.2), better-sqlite3 otherwise (Node 20). scripts/test-runtimes.mjs runs this
// suite on Node 24 and Deno 2; Node 20 runs it in `turbo run test`.
import { describe, expect, it } from 'vitest';
import { WorkerErrorCode } from '../../src/errors.ts';
import { pickDriver } from '../../src/store/sqlite/pick-driver.ts';

const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const hasNodeSqlite = deno !== undefined || major > 22 || (major === 22 && minor >= 13);

describe('SQLite driver', () => {
  it(`is ${hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3'} here`, async () => {
    const driver = await pickDriver();
    expect(driver.name).toBe(hasNodeSqlite ? 'node:sqlite' : 'better-sqlite3');
    const db = driver.open(':memory:');
    expect(db.prepare('SELECT 1 + 1 AS two').get()).toEqual({ two: 2 });
    db.close();
  });

  it.runIf(!hasNodeSqlite)('refuses node:sqlite where the runtime has none', async () => {
    await expect(pickDriver('node:sqlite')).rejects.toMatchObject({
      code: WorkerErrorCode.STORE_DRIVER_MISSING,
      message: expect.stringContaining('has no node:sqlite'),
    });
  });

  const expected = process.env.PLUGWORK_EXPECT_RUNTIME;
  it.runIf(expected)(`runs on ${expected}`, () => {
    const actual = deno ? `deno${deno.version.deno.split('.')[0]}` : `node${major}`;
    expect(actual).toBe(expected);
  });
});
