/**
 * Diagnostics only adapter-fs produces. Everything about a plugin folder itself (its package.json,
 * manifest, entry, engine range, duplicate names, loading) comes from @plugwork/adapter-kit, so
 * adapter-npm reports the same problems with the same codes.
 */
import { AdapterError } from '@plugwork/adapter-kit';

export const FsDiagnosticCode = {
  /** A configured plugins directory does not exist or is not a directory. */
  DIRECTORY_NOT_FOUND: 'DIRECTORY_NOT_FOUND',
  /** A configured plugins directory exists but cannot be listed. */
  DIRECTORY_UNREADABLE: 'DIRECTORY_UNREADABLE',
} as const;
export type FsDiagnosticCode = (typeof FsDiagnosticCode)[keyof typeof FsDiagnosticCode];

/** A configured plugins directory cannot be scanned; the other directories still are. */
export class PluginDirectoryError extends AdapterError {
  override name = 'PluginDirectoryError';

  static notFound(directory: string): PluginDirectoryError {
    return new PluginDirectoryError(
      FsDiagnosticCode.DIRECTORY_NOT_FOUND,
      `The plugins directory ${directory} does not exist or is not a directory. Create it, or fix ` +
        'the path in the adapter\'s "directories" option (relative paths are resolved against ' +
        'the working directory of the process that created the adapter).',
      { location: directory },
    );
  }

  static unreadable(directory: string, cause: unknown): PluginDirectoryError {
    const why = cause instanceof Error ? cause.message : String(cause);
    return new PluginDirectoryError(
      FsDiagnosticCode.DIRECTORY_UNREADABLE,
      `The plugins directory ${directory} cannot be listed: ${why}. Give the worker process ` +
        'permission to read it.',
      { location: directory, cause },
    );
  }
}
