import type { JobStatus } from '../../parent/job.ts';
import { JOB_STATUSES } from '../job-store.ts';
import type { ListQuery } from '../list-filter.ts';
import type { SqliteDatabase, SqliteStatement, SqlRow } from './driver.ts';
import { COLUMNS } from './rows.ts';

/**
 * History pages straight off the indexes, whatever the filter. A page is a seq range (the time
 * range becomes one: submittedAt never decreases with seq) read from one index range per
 * status, newest or oldest first, and merged; so a page costs a few index seeks plus the rows
 * it returns, never a scan or a sort of the matching jobs.
 */
export class HistoryQuery {
  readonly #db: SqliteDatabase;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Up to `query.limit + 1` rows in page order (one more than asked tells there is a next page). */
  rows(query: ListQuery): SqlRow[] {
    let low = query.since === undefined ? 0 : this.#firstSeqAtOrAfter(query.since);
    let high =
      query.until === undefined ? Number.MAX_SAFE_INTEGER : this.#firstSeqAtOrAfter(query.until);
    if (query.afterSeq !== undefined) {
      if (query.newestFirst) high = Math.min(high, query.afterSeq);
      else low = Math.max(low, query.afterSeq + 1);
    }
    if (low >= high) return [];
    const take = query.limit + 1;
    const direction = query.newestFirst ? 'DESC' : 'ASC';
    // Without a status filter, a plugin filter still walks (plugin, status, seq): per status.
    const statuses: readonly (JobStatus | undefined)[] =
      query.statuses ?? (query.plugin === undefined ? [undefined] : JOB_STATUSES);
    const rows: SqlRow[] = [];
    for (const status of statuses) {
      const params = [
        ...(query.plugin === undefined ? [] : [query.plugin]),
        ...(status === undefined ? [] : [status]),
        low,
        high,
        take,
      ];
      rows.push(
        ...this.#statement(query.plugin !== undefined, status !== undefined, direction).all(
          ...params,
        ),
      );
    }
    if (statuses.length > 1) {
      rows.sort((a, b) =>
        query.newestFirst ? Number(b.seq) - Number(a.seq) : Number(a.seq) - Number(b.seq),
      );
      rows.length = Math.min(rows.length, take);
    }
    return rows;
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

  #statement(byPlugin: boolean, byStatus: boolean, direction: 'ASC' | 'DESC'): SqliteStatement {
    const key = `${byPlugin}-${byStatus}-${direction}`;
    // INDEXED BY: the planner, with no statistics, would otherwise pick the retention index
    // for a status filter and sort the whole status.
    const index = byPlugin
      ? 'INDEXED BY jobs_plugin_status_seq'
      : byStatus
        ? 'INDEXED BY jobs_status_seq'
        : '';
    const where = [
      ...(byPlugin ? ['plugin = ?'] : []),
      ...(byStatus ? ['status = ?'] : []),
      'seq >= ?',
      'seq < ?',
    ].join(' AND ');
    return this.#cached(
      key,
      `SELECT ${COLUMNS} FROM jobs ${index} WHERE ${where} ORDER BY seq ${direction} LIMIT ?`,
    );
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
