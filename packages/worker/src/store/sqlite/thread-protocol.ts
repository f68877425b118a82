import { JobStoreError, type WorkerErrorCode } from '../../errors.ts';
import type { SqlValue } from './driver.ts';
import type { OpenDatabaseOptions } from './open-database.ts';
import type { RowBatch } from './row-batch.ts';

/**
 * What the store's thread is started with. `flags` (two int32): [0] is set to 1 when a call's
 * answer is in `replies`; [1] counts the written batches whose outcome is in `results`.
 */
export interface ThreadData {
  readonly file: string;
  readonly driver: string;
  readonly options: OpenDatabaseOptions;
  readonly flags: SharedArrayBuffer;
  readonly calls: unknown;
  readonly replies: unknown;
  readonly results: unknown;
  /** Rung (an empty message) after each outcome in `results`; carries the outcome of the open. */
  readonly doorbell: unknown;
}

/** A call the main thread waits for. */
export type Call =
  | { readonly op: 'exec'; readonly sql: string }
  | { readonly op: 'run' | 'get' | 'all'; readonly sql: string; readonly params: SqlValue[] }
  | { readonly op: 'batch'; readonly batch: RowBatch }
  | { readonly op: 'close' };

/** An error as it crosses threads (a structured clone drops its class and extra fields). */
export interface EncodedError {
  readonly name: string;
  readonly message: string;
  readonly code: unknown;
  readonly errcode: unknown;
  readonly file: string | undefined;
}

export function encodeError(error: unknown): EncodedError {
  const fields = (error ?? {}) as Partial<Record<keyof EncodedError, unknown>>;
  return {
    name: typeof fields.name === 'string' ? fields.name : 'Error',
    message: typeof fields.message === 'string' ? fields.message : String(error),
    code: fields.code,
    errcode: fields.errcode,
    file: typeof fields.file === 'string' ? fields.file : undefined,
  };
}

/** The error again: a JobStoreError as itself, a SQLite error with the code that classifies it. */
export function decodeError(encoded: EncodedError): Error {
  if (encoded.name === 'JobStoreError') {
    return new JobStoreError(encoded.code as WorkerErrorCode, encoded.file, encoded.message);
  }
  const error = new Error(encoded.message) as Error & { code?: unknown; errcode?: unknown };
  error.name = encoded.name;
  if (encoded.code !== undefined) error.code = encoded.code;
  if (encoded.errcode !== undefined) error.errcode = encoded.errcode;
  return error;
}
