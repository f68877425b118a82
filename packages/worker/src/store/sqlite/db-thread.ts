// The SQLite store's thread: it owns the store's only connection (opened here, so the
// exclusive lock is this thread's), answers the main thread's calls synchronously (see
// thread-database.ts) and writes its batches, so that the SQL of a host's hot path runs
// beside the host's event loop rather than on it.
import { type MessagePort, workerData } from 'node:worker_threads';
import type { SqliteDatabase, SqliteStatement, SqlValue } from './driver.ts';
import { openDatabase } from './open-database.ts';
import { pickDriver, type SqliteDriverName } from './pick-driver.ts';
import { BatchWriter, type RowBatch } from './row-batch.ts';
import { type Call, encodeError, type ThreadData } from './thread-protocol.ts';

const data = workerData as ThreadData;
const flags = new Int32Array(data.flags);
const { calls, replies, results, doorbell } = data as {
  calls: MessagePort;
  replies: MessagePort;
  results: MessagePort;
  doorbell: MessagePort;
};

function answer(message: unknown): void {
  replies.postMessage(message);
  Atomics.store(flags, 0, 1);
  Atomics.notify(flags, 0);
}

async function open(): Promise<{ db: SqliteDatabase; driver: string }> {
  const driver = await pickDriver((data.driver || undefined) as SqliteDriverName | undefined);
  return { db: openDatabase(driver, data.file, data.options).db, driver: driver.name };
}

let db: SqliteDatabase;
let writer: BatchWriter;
const statements = new Map<string, SqliteStatement>();
try {
  const opened = await open();
  db = opened.db;
  writer = new BatchWriter(db);
  doorbell.postMessage({ ok: true, driver: opened.driver });
  calls.on('message', onMessage);
} catch (error) {
  // Nothing else keeps the thread alive: it ends, and the main thread rejects the open.
  doorbell.postMessage({ ok: false, error: encodeError(error) });
}

function statement(sql: string): SqliteStatement {
  let prepared = statements.get(sql);
  if (prepared === undefined) {
    prepared = db.prepare(sql);
    statements.set(sql, prepared);
  }
  return prepared;
}

function run(call: Call): unknown {
  switch (call.op) {
    case 'exec':
      db.exec(call.sql);
      return undefined;
    case 'run': {
      const { changes } = statement(call.sql).run(...(call.params as SqlValue[]));
      return { changes: Number(changes) };
    }
    case 'get':
      return statement(call.sql).get(...(call.params as SqlValue[]));
    case 'all':
      return statement(call.sql).all(...(call.params as SqlValue[]));
    case 'batch':
      return writer.write(call.batch as RowBatch);
    case 'close':
      db.close();
      return undefined;
  }
}

function onMessage(message: { call?: Call; write?: RowBatch }): void {
  if (message.write !== undefined) {
    // A batch posted to be written while the main thread goes on: its outcome is a message.
    results.postMessage(writer.write(message.write));
    Atomics.add(flags, 1, 1);
    Atomics.notify(flags, 1);
    doorbell.postMessage(0);
    return;
  }
  const call = message.call!;
  try {
    answer({ ok: true, value: run(call) });
  } catch (error) {
    answer({ ok: false, error: encodeError(error) });
  }
  if (call.op === 'close') {
    calls.close();
    results.close();
    doorbell.close();
  }
}
