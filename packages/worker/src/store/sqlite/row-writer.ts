import type { SqliteDatabase, SqliteStatement, SqlValue } from './driver.ts';
import {
  COLUMNS,
  FINISH_COLUMNS,
  finishSql,
  INSERT_SQL,
  LIVE_COLUMNS,
  liveSql,
  NEW_COLUMNS,
  UPDATE_FINISHED_SQL,
  UPDATE_LIVE_SQL,
} from './rows.ts';

/**
 * Rows per statement, largest first: a batch is cut into statements of these sizes. One
 * statement per row pays the driver's call, the binding's setup and SQLite's statement setup
 * for every row (measured with better-sqlite3 and this schema: a new row 10 µs one at a time,
 * 5 µs 64 at a time; a finishing update 12 µs and 6 µs).
 */
const GROUPS = [64, 16, 4, 1] as const;

/** One kind of write, as statements by row count. */
class GroupedStatement {
  readonly #db: SqliteDatabase;
  readonly #width: number;
  readonly #sql: (rows: number) => string;
  readonly #statements = new Map<number, SqliteStatement>();

  /** `width`: values per row; `sql(rows)`: the statement that writes `rows` rows. */
  constructor(db: SqliteDatabase, width: number, sql: (rows: number) => string) {
    this.#db = db;
    this.#width = width;
    this.#sql = sql;
  }

  /** Runs `values` (rows of `width` values, one after another) in as few statements as GROUPS allow. */
  run(values: SqlValue[]): void {
    const width = this.#width;
    const rows = values.length / width;
    let at = 0;
    for (const size of GROUPS) {
      while (rows - at >= size) {
        // Spread arguments: better-sqlite3 binds them faster than one array argument.
        this.#statement(size).run(...values.slice(at * width, (at + size) * width));
        at += size;
      }
    }
  }

  #statement(rows: number): SqliteStatement {
    let statement = this.#statements.get(rows);
    if (statement === undefined) {
      statement = this.#db.prepare(this.#sql(rows));
      this.#statements.set(rows, statement);
    }
    return statement;
  }
}

/** `rows` copies of `row`, comma-separated. */
function repeat(row: string, rows: number): string {
  return Array.from({ length: rows }, () => row).join(', ');
}

function placeholders(width: number, extra = ''): string {
  return `(${Array.from({ length: width }, () => '?').join(', ')}${extra})`;
}

const ALL_COLUMNS = COLUMNS.split(', ').length;

/** Writes a batch's rows with multi-row statements (the transaction is the caller's). */
export class RowWriter {
  readonly #new: GroupedStatement;
  readonly #insert: GroupedStatement;
  readonly #live: GroupedStatement;
  readonly #finish: GroupedStatement;

  constructor(db: SqliteDatabase) {
    const newRow = placeholders(NEW_COLUMNS.length, ", '[]'");
    this.#new = new GroupedStatement(
      db,
      NEW_COLUMNS.length,
      (rows) =>
        `INSERT INTO jobs (${NEW_COLUMNS.join(', ')}, attempts) VALUES ${repeat(newRow, rows)}`,
    );
    this.#insert = new GroupedStatement(db, ALL_COLUMNS, (rows) =>
      rows === 1
        ? INSERT_SQL
        : `INSERT INTO jobs (${COLUMNS}) VALUES ${repeat(placeholders(ALL_COLUMNS), rows)}`,
    );
    // UPDATE … FROM (VALUES …) pays off from a few rows on; one row is a plain UPDATE.
    const liveWidth = LIVE_COLUMNS.length + 1;
    this.#live = new GroupedStatement(db, liveWidth, (rows) =>
      rows === 1 ? UPDATE_LIVE_SQL : liveSql(repeat(placeholders(liveWidth), rows)),
    );
    const finishWidth = FINISH_COLUMNS.length + 1;
    this.#finish = new GroupedStatement(db, finishWidth, (rows) =>
      rows === 1 ? UPDATE_FINISHED_SQL : finishSql(repeat(placeholders(finishWidth), rows)),
    );
  }

  /** `values`: rows as appendNew wrote them. */
  insertNew(values: SqlValue[]): void {
    this.#new.run(values);
  }

  /** `values`: rows as appendInsert wrote them. */
  insert(values: SqlValue[]): void {
    this.#insert.run(values);
  }

  /** `values`: rows as appendLiveUpdate wrote them. */
  updateLive(values: SqlValue[]): void {
    this.#live.run(values);
  }

  /** `values`: rows as appendFinish wrote them. */
  finish(values: SqlValue[]): void {
    this.#finish.run(values);
  }
}
