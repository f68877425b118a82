import type { SqliteDatabase, SqliteDriver } from './driver.ts';

/** The part of node:sqlite the store uses (Node >= 22.13, Deno >= 2.2). */
interface NodeSqliteModule {
  DatabaseSync: new (path: string) => SqliteDatabase;
}

/** Loads node:sqlite, or undefined where the runtime has none (Node 20). */
export async function loadNodeSqlite(): Promise<SqliteDriver | undefined> {
  let module: NodeSqliteModule;
  try {
    // A variable specifier: type checking against Node 20's types must not require the module.
    const specifier = 'node:sqlite';
    module = (await import(specifier)) as NodeSqliteModule;
  } catch {
    return undefined;
  }
  const { DatabaseSync } = module;
  if (typeof DatabaseSync !== 'function') return undefined;
  return {
    name: 'node:sqlite',
    open: (file) => new DatabaseSync(file),
  };
}
