/** One line a worker process printed, with where it came from. */
export interface WorkerOutput {
  workerId: string;
  pid: number;
  /** The plugin whose job was running when the line arrived, if any. */
  plugin: string | undefined;
  /** The job that was running when the line arrived (or, just after it, had run), if any. */
  jobId?: string | undefined;
  stream: 'stdout' | 'stderr';
  /** The line as printed, without the label. */
  text: string;
}

/**
 * Where the manager writes what a person may need to read. Both methods are optional; a missing
 * one writes to process.stderr.
 */
export interface Logger {
  /** A line printed by a worker (plugin console output), labelled `[worker <pid> <plugin>]`. */
  output?(line: string, source: WorkerOutput): void;
  /** A crash, a restart, a malformed message, a hook that threw. */
  warn?(message: string): void;
}

/** A logger with both methods, falling back to process.stderr. */
export function completeLogger(logger: Logger | undefined): Required<Logger> {
  return {
    output: logger?.output?.bind(logger) ?? ((line) => process.stderr.write(`${line}\n`)),
    warn:
      logger?.warn?.bind(logger) ?? ((message) => process.stderr.write(`[plugwork] ${message}\n`)),
  };
}
