/** What the store binds and reads: no BigInt (ids, seqs and times fit in a double). */
export type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

export interface SqliteStatement {
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): SqlRow | undefined;
  all(...params: SqlValue[]): SqlRow[];
}

export interface SqliteDatabase {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  close(): void;
}

/**
 * The one interface the store talks to. `node:sqlite` and better-sqlite3 both fit it almost as
 * they are: synchronous, prepared statements with positional parameters.
 */
export interface SqliteDriver {
  readonly name: 'node:sqlite' | 'better-sqlite3';
  open(file: string): SqliteDatabase;
}

/** SQLite's primary result codes the store tells apart. */
export type SqliteErrorKind =
  | 'SQLITE_FULL'
  | 'SQLITE_READONLY'
  | 'SQLITE_CORRUPT'
  | 'SQLITE_NOTADB'
  | 'SQLITE_BUSY'
  | 'SQLITE_LOCKED'
  | 'SQLITE_CANTOPEN'
  | 'SQLITE_IOERR'
  | 'SQLITE_PERM'
  | 'SQLITE_CONSTRAINT'
  | 'OTHER';

const PRIMARY_CODES: Record<number, SqliteErrorKind> = {
  3: 'SQLITE_PERM',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  19: 'SQLITE_CONSTRAINT',
  26: 'SQLITE_NOTADB',
};

/** SQLite's own wording, for drivers that give no code (Deno's node:sqlite at open). */
const MESSAGES: [RegExp, SqliteErrorKind][] = [
  [/disk is full/i, 'SQLITE_FULL'],
  [/readonly database|read-only/i, 'SQLITE_READONLY'],
  [/malformed|corrupt/i, 'SQLITE_CORRUPT'],
  [/not a database/i, 'SQLITE_NOTADB'],
  [/database is locked/i, 'SQLITE_BUSY'],
  [/unable to open database/i, 'SQLITE_CANTOPEN'],
  [/disk I\/O error/i, 'SQLITE_IOERR'],
];

/**
 * Which SQLite failure an error is, whichever driver threw it: better-sqlite3 sets `code` to
 * the name (`SQLITE_FULL`, or an extended one such as `SQLITE_IOERR_WRITE`), node:sqlite sets
 * `errcode` to the extended number (its low byte is the primary code).
 */
export function sqliteErrorKind(error: unknown): SqliteErrorKind {
  const { code, errcode, message } = (error ?? {}) as {
    code?: unknown;
    errcode?: unknown;
    message?: unknown;
  };
  if (typeof errcode === 'number') return PRIMARY_CODES[errcode & 0xff] ?? 'OTHER';
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    for (const kind of Object.values(PRIMARY_CODES)) {
      if (code === kind || code.startsWith(`${kind}_`)) return kind;
    }
  }
  if (typeof message === 'string') {
    for (const [pattern, kind] of MESSAGES) if (pattern.test(message)) return kind;
  }
  return 'OTHER';
}
