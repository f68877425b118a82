import type { FinishedStatus } from '../job-store.ts';
import type { ListQuery } from '../list-filter.ts';
import type { SqliteDatabase, SqliteStatement, SqlRow } from './driver.ts';
import { COLUMNS } from './rows.ts';

/**
 * History pages straight off the indexes. A page is a seq range (the time range becomes one:
 * submittedAt never decreases with seq) read from one index range per finished status (or the
 * table itself when nothing is filtered), newest or oldest first; so a page costs a few index
 * seeks plus the rows it returns, never a scan or a sort of the matching jobs. Live jobs come
 * from the store's memory, not from here (the finished_* indexes do not hold them).
 */
export class HistoryQuery {
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** The seq range [low, high) a query covers: its time range and its cursor. */
  seqRange(query: ListQuery): [number, number] {
    let low = query.since === undefined ? 0 : this.#firstSeqAtOrAfter(query.since);
    let high =
      query.until === undefined ? Number.MAX_SAFE_INTEGER : this.#firstSeqAtOrAfter(query.until);
    if (query.afterSeq !== undefined) {
      if (query.newestFirst) high = Math.min(high, query.afterSeq);
      else low = Math.max(low, query.afterSeq + 1);
    }
    return [low, high];
  }

  /** Up to `take` rows of every status in [low, high), in page order. */
  allRows(query: ListQuery, [low, high]: [number, number], take: number): SqlRow[] {
    if (low >= high) return [];
    const direction = query.newestFirst ? 'DESC' : 'ASC';
    return this.#cached(
      `all-${direction}`,
      `SELECT ${COLUMNS} FROM jobs WHERE seq >= ? AND seq < ? ORDER BY seq ${direction} LIMIT ?`,
    ).all(low, high, take);
  }

  /** Up to `take` finished rows of one status (and plugin) in [low, high), in page order. */
  finishedRows(
    query: ListQuery,
    status: FinishedStatus,
    [low, high]: [number, number],
    take: number,
  ): SqlRow[] {
    if (low >= high) return [];
    const direction = query.newestFirst ? 'DESC' : 'ASC';
    const byPlugin = query.plugin !== undefined;
    // INDEXED BY, and the index's own condition spelled out: the planner has no statistics
    // and would otherwise pick the retention index and sort the whole status.
    const statement = this.#cached(
      `${byPlugin}-${direction}`,
      `SELECT ${COLUMNS} FROM jobs INDEXED BY ${byPlugin ? 'finished_plugin_status_seq' : 'finished_status_seq'}
       WHERE ended_at IS NOT NULL AND ${byPlugin ? 'plugin = ? AND ' : ''}status = ? AND seq >= ? AND seq < ?
       ORDER BY seq ${direction} LIMIT ?`,
    );
    return byPlugin
      ? statement.all(query.plugin!, status, low, high, take)
      : statement.all(status, low, high, take);
  }

  /**
   * The lowest seq whose job was submitted at or after `time` (past the last seq when none):
   * a binary search over rowid seeks, since submittedAt never decreases with seq.
   */
  #firstSeqAtOrAfter(time: number): number {
    const probe = this.#cached(
      'probe',
      'SELECT seq, submitted_at FROM jobs WHERE seq >= ? ORDER BY seq LIMIT 1',
    );
    const last = Number(this.#cached('last', 'SELECT max(seq) AS seq FROM jobs').get()?.seq ?? 0);
    let low = 0;
    let high = last + 1;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const row = probe.get(middle);
      if (row === undefined || Number(row.submitted_at) >= time) high = middle;
      else low = Number(row.seq) + 1;
    }
    return low;
  }

  #cached(key: string, sql: string): SqliteStatement {
    let statement = this.#statements.get(key);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(key, statement);
    }
    return statement;
  }
}
