import { describe } from '../../errors.ts';
import type { SqliteDatabase, SqliteErrorKind, SqlValue } from './driver.ts';
import { sqliteErrorKind } from './driver.ts';
import { inTransaction } from './open-database.ts';
import { RowWriter } from './row-writer.ts';

/** One write transaction's rows, as the rows module lays them out, by kind of statement. */
export interface RowBatch {
  /** appendNew rows: jobs that never started. */
  readonly fresh: SqlValue[];
  /** appendInsert rows: other new jobs. */
  readonly inserts: SqlValue[];
  /** appendLiveUpdate rows. */
  readonly live: SqlValue[];
  /** appendFinish rows. */
  readonly finishes: SqlValue[];
  /** meta.next_seq to store, or undefined to leave it. */
  readonly nextSeq: number | undefined;
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

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#rows = new RowWriter(db);
    this.#saveNextSeq = db.prepare("UPDATE meta SET value = ? WHERE key = 'next_seq'");
  }

  write(batch: RowBatch): BatchOutcome {
    try {
      inTransaction(this.#db, () => {
        this.#rows.insertNew(batch.fresh);
        this.#rows.insert(batch.inserts);
        this.#updates(batch);
        if (batch.nextSeq !== undefined) this.#saveNextSeq.run(batch.nextSeq);
      });
      return { ok: true };
    } catch (error) {
      const failure = { kind: sqliteErrorKind(error), reason: describe(error) };
      const hasNew = batch.fresh.length + batch.inserts.length > 0;
      const hasUpdates = batch.live.length + batch.finishes.length > 0;
      let updatesWritten = false;
      if (failure.kind === 'SQLITE_FULL' && hasNew && hasUpdates) {
        try {
          inTransaction(this.#db, () => this.#updates(batch));
          updatesWritten = true;
        } catch {
          // Still failing: the store keeps them for its retry.
        }
      }
      return { ok: false, failure, updatesWritten };
    }
  }

  #updates(batch: RowBatch): void {
    this.#rows.updateLive(batch.live);
    this.#rows.finish(batch.finishes);
  }
}
