/** Errors of the job store: files that cannot be used, writes that fail. */
import { PlugworkWorkerError } from './base.ts';
import { WorkerErrorCode } from './codes.ts';

/** How a store file failed to open, or a store failed to work; `file` is its path. */
export class JobStoreError extends PlugworkWorkerError {
  override name = 'JobStoreError';
  /** The SQLite file, absolute; undefined for the memory store. */
  readonly file: string | undefined;

  constructor(
    code: WorkerErrorCode,
    file: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.file = file;
  }

  static notSqlite(file: string): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_NOT_PLUGWORK,
      file,
      `The job store file ${file} is not a SQLite database, so it is not a plugwork job store. Point the store at a new file (it is created), or move this one aside`,
    );
  }

  static foreign(file: string, what: string): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_NOT_PLUGWORK,
      file,
      `The job store file ${file} is a SQLite database of another program (${what}), not a plugwork job store; plugwork leaves it untouched. Point the store at a new file (it is created)`,
    );
  }

  static newerSchema(file: string, version: number, supported: number): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_NEWER_SCHEMA,
      file,
      `The job store file ${file} has schema version ${version}, written by a newer @plugwork/worker; this one knows versions up to ${supported} and leaves the file untouched. Upgrade @plugwork/worker, or point the store at another file`,
    );
  }

  static readOnly(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_READ_ONLY,
      file,
      `The job store file ${file} cannot be written (${reason}). plugwork writes the file and creates ${file}-wal beside it: check the permissions of the file and of its directory, and that the file system is not mounted read-only`,
      { cause },
    );
  }

  static corrupt(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_CORRUPT,
      file,
      `The job store file ${file} is damaged (${reason}). Restore it from a backup, or move it aside (with ${file}-wal if present) to start with an empty store; \`sqlite3 ${file} .recover\` may salvage its rows`,
      { cause },
    );
  }

  static locked(file: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_LOCKED,
      file,
      `The job store file ${file} is in use by another process: a store file serves one JobManager at a time. Stop the other host, or give this one its own file`,
      { cause },
    );
  }

  static openFailed(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_OPEN_FAILED,
      file,
      `The job store file ${file} cannot be opened (${reason}). Check that its directory exists and that the path names a file, not a directory`,
      { cause },
    );
  }

  static driverMissing(runtime: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_DRIVER_MISSING,
      undefined,
      `The SQLite job store needs the better-sqlite3 package on ${runtime}, which has no node:sqlite (Node >= 22.13 and Deno >= 2.2 have it). Install it beside your application: npm install better-sqlite3@12 (version 13 crashes on Node 20). Or use the memory store`,
      { cause },
    );
  }

  static driverFailed(driver: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_DRIVER_MISSING,
      undefined,
      `The SQLite driver ${driver} could not be loaded: ${reason}. If it was built for another Node version, run \`npm rebuild better-sqlite3\`; on Node 20 use better-sqlite3@12`,
      { cause },
    );
  }

  static full(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_FULL,
      file,
      `The job store file ${file} could not be written: ${reason}. Jobs stored before are kept. Free disk space (or raise the store's maxSizeBytes, or retain fewer finished jobs) and submit again`,
      { cause },
    );
  }

  static writeFailed(file: string, reason: string, cause?: unknown): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.STORE_WRITE_FAILED,
      file,
      `The job store file ${file} could not be written (${reason}). Jobs stored before are kept; writes are retried`,
      { cause },
    );
  }

  static closed(file: string | undefined): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.INVALID_STATE,
      file,
      `The job store${file === undefined ? '' : ` ${file}`} is closed: its JobManager shut down. Create a new JobManager`,
    );
  }

  static badCursor(cursor: string): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.INVALID_QUERY,
      undefined,
      `The cursor "${cursor}" is not one listJobs returned (pass a page's nextCursor as it is, with the same filter)`,
    );
  }

  static badQuery(field: string, problem: string): JobStoreError {
    return new JobStoreError(
      WorkerErrorCode.INVALID_QUERY,
      undefined,
      `Invalid listJobs filter "${field}": ${problem}`,
    );
  }
}
