import { describe } from '../../errors.ts';
import type { SqliteDatabase, SqliteErrorKind, SqlValue } from './driver.ts';
import { sqliteErrorKind } from './driver.ts';
import { inTransaction } from './open-database.ts';
import { type PackedRows, unpackRows } from './row-pack.ts';
import { RowWriter } from './row-writer.ts';
import { BATCH_LAYOUTS } from './rows.ts';

/**
 * One write transaction's rows, packed (row-pack.ts) by kind of statement in the order of
 * BATCH_LAYOUTS: jobs that never started (appendNew), other new jobs (appendInsert), updates
 * of live jobs (appendLiveUpdate), finishes (appendFinish).
 */
export interface RowBatch {
  readonly rows: PackedRows;
  /** meta.next_seq to store, or undefined to leave it. */
  readonly nextSeq: number | undefined;
  /** meta.live_from to store, or undefined to leave it. */
  readonly liveFrom: number | undefined;
}

/** A SQLite failure, as it crosses from the store's thread. */
export interface WriteFailure {
  readonly kind: SqliteErrorKind;
  readonly reason: string;
}

export type BatchOutcome =
  | { readonly ok: true }
  /** `updatesWritten`: the disk was full, and the batch's updates went in without its new rows. */
  | { readonly ok: false; readonly failure: WriteFailure; readonly updatesWritten: boolean };

/**
 * Writes batches in one transaction each. When the disk (or the size cap) is full, the updates
 * of stored jobs are tried alone: a new job that cannot be stored is dropped by the store, but
 * what finished must not be held back by it.
 */
export class BatchWriter {
  readonly #db: SqliteDatabase;
  readonly #rows: RowWriter;
  readonly #saveNextSeq;
  readonly #saveLiveFrom;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#rows = new RowWriter(db);
    this.#saveNextSeq = db.prepare("UPDATE meta SET value = ? WHERE key = 'next_seq'");
    this.#saveLiveFrom = db.prepare("UPDATE meta SET value = ? WHERE key = 'live_from'");
  }

  write(batch: RowBatch): BatchOutcome {
    const [fresh, inserts, live, finishes] = unpackRows(batch.rows, BATCH_LAYOUTS) as [
      SqlValue[],
      SqlValue[],
      SqlValue[],
      SqlValue[],
    ];
    const updates = () => {
      this.#rows.updateLive(live);
      this.#rows.finish(finishes);
    };
    try {
      inTransaction(this.#db, () => {
        this.#rows.insertNew(fresh);
        this.#rows.insert(inserts);
        updates();
        if (batch.nextSeq !== undefined) this.#saveNextSeq.run(batch.nextSeq);
        if (batch.liveFrom !== undefined) this.#saveLiveFrom.run(batch.liveFrom);
      });
      return { ok: true };
    } catch (error) {
      const failure = { kind: sqliteErrorKind(error), reason: describe(error) };
      const hasNew = fresh.length + inserts.length > 0;
      const hasUpdates = live.length + finishes.length > 0;
      let updatesWritten = false;
      if (failure.kind === 'SQLITE_FULL' && hasNew && hasUpdates) {
        try {
          inTransaction(this.#db, updates);
          updatesWritten = true;
        } catch {
          // Still failing: the store keeps them for its retry.
        }
      }
      return { ok: false, failure, updatesWritten };
    }
  }
}
