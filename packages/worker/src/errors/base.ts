/** The base class of every error of @plugwork/worker, and helpers for the words in them. */
import type { WorkerErrorCode } from './codes.ts';

/** Base class of every error this package throws or rejects with. */
export class PlugworkWorkerError extends Error {
  override name = 'PlugworkWorkerError';
  readonly code: WorkerErrorCode;

  constructor(code: WorkerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isPlugworkWorkerError(error: unknown): error is PlugworkWorkerError {
  return error instanceof PlugworkWorkerError;
}

/** `1.5 MiB`, `512 KiB`, `300 B`: sizes in messages. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${bytes} B`;
}

/** The message of anything thrown, for embedding in another message. */
export function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
