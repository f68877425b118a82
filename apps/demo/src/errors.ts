/**
 * Every error of the demo and every message a person can read from it, in one place. Each says
 * what failed, which plugin / job / field, and what to do.
 */
import type { z } from 'zod';

/** Machine-readable reasons: the API's `error.code`, the CLI's exit messages. */
export const DemoErrorCode = {
  /** plugwork.config.json (or --plugwork-config) cannot be read or is not JSON. */
  CONFIG_UNREADABLE: 'CONFIG_UNREADABLE',
  /** plugwork.config.json has a field that is missing, misspelt or of the wrong type. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** A command-line flag or environment variable has a value that cannot be used. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** No plugin of that name in any source. */
  UNKNOWN_PLUGIN: 'UNKNOWN_PLUGIN',
  /** A plugin of that name was found but could not be offered: its diagnostic says why. */
  PLUGIN_UNAVAILABLE: 'PLUGIN_UNAVAILABLE',
  /** Two sources offer a plugin of that name: say which one with `fs:name` or `npm:name`. */
  AMBIGUOUS_PLUGIN: 'AMBIGUOUS_PLUGIN',
  /** No worker of that id in that source's pool. */
  UNKNOWN_WORKER: 'UNKNOWN_WORKER',
  /** No job of that id (never submitted, or forgotten: the demo keeps the last jobs only). */
  UNKNOWN_JOB: 'UNKNOWN_JOB',
  /** The request body is not valid JSON. */
  INVALID_JSON: 'INVALID_JSON',
  /** The request body is JSON of the wrong shape; the message names the field. */
  INVALID_BODY: 'INVALID_BODY',
  /** A query parameter has a value that cannot be used. */
  INVALID_QUERY: 'INVALID_QUERY',
  /** A re-run of a job that has not ended yet. */
  JOB_NOT_FINISHED: 'JOB_NOT_FINISHED',
  /** A request body that is not `application/json`. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** The request body exceeds the server's limit. */
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  /** A state-changing request sent by a page of another origin. */
  FORBIDDEN_ORIGIN: 'FORBIDDEN_ORIGIN',
  /** No such route. */
  NOT_FOUND: 'NOT_FOUND',
  /** The worker processes of a source could not start. */
  START_FAILED: 'START_FAILED',
  /** The server cannot listen on its host and port (in use, not an address of this machine). */
  LISTEN_FAILED: 'LISTEN_FAILED',
  /** An operation on workers of this process (reload, unload, restart) in `--redis` mode. */
  NOT_IN_REDIS_MODE: 'NOT_IN_REDIS_MODE',
  /** Anything unexpected; the message says what happened. */
  INTERNAL: 'INTERNAL',
} as const;
export type DemoErrorCode = (typeof DemoErrorCode)[keyof typeof DemoErrorCode];

/** An error of the demo. `status` is the HTTP status the API answers it with. */
export class DemoError extends Error {
  override name = 'DemoError';
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = status;
  }

  static configUnreadable(file: string, reason: string): DemoError {
    return new DemoError(
      DemoErrorCode.CONFIG_UNREADABLE,
      500,
      `Cannot read the config file ${file}: ${reason}. Fix it, or pass another with --plugwork-config`,
    );
  }

  static configInvalid(file: string, error: z.ZodError): DemoError {
    return new DemoError(
      DemoErrorCode.CONFIG_INVALID,
      500,
      `Invalid config file ${file}: ${describeIssues(error)}. apps/demo/README.md describes every field`,
    );
  }

  static invalidArgument(name: string, problem: string): DemoError {
    return new DemoError(DemoErrorCode.INVALID_ARGUMENT, 400, `Invalid ${name}: ${problem}`);
  }

  static unknownOption(option: string, command: string): DemoError {
    return new DemoError(
      DemoErrorCode.INVALID_ARGUMENT,
      400,
      `unknown option "${option}". ${command} --help lists the options (a value that starts with "-" goes after "--")`,
    );
  }

  static missingOptionValue(option: string, command: string): DemoError {
    return new DemoError(
      DemoErrorCode.INVALID_ARGUMENT,
      400,
      `option "${option}" needs a value. ${command} --help lists the options`,
    );
  }

  static invalidParams(
    plugin: string,
    issues: readonly { path: string; message: string; given?: string }[],
  ): DemoError {
    return new DemoError(
      DemoErrorCode.INVALID_ARGUMENT,
      400,
      `Invalid --param for plugin "${plugin}": ${issues
        .map((issue) => {
          const where = issue.path === '' ? '(the params)' : issue.path;
          const given = issue.given === undefined ? '' : ` (given: ${issue.path}=${issue.given})`;
          return `${where}: ${lowerFirst(issue.message)}${given}`;
        })
        .join(
          '; ',
        )}. Nothing was submitted; pnpm plugwork list --json shows each plugin's params_schema`,
    );
  }

  static invalidConfigFile(
    plugin: string,
    file: string,
    issues: readonly { path: string; message: string }[],
  ): DemoError {
    return new DemoError(
      DemoErrorCode.INVALID_ARGUMENT,
      400,
      `Invalid --config ${file} for plugin "${plugin}": ${issues
        .map(
          (issue) =>
            `${issue.path === '' ? '(the config)' : issue.path}: ${lowerFirst(issue.message)}`,
        )
        .join('; ')}. Fix these fields in ${file}; nothing was submitted`,
    );
  }

  static startFailed(source: string, cause: unknown): DemoError {
    return new DemoError(
      DemoErrorCode.START_FAILED,
      500,
      `Could not start the workers of the "${source}" plugins: ${describe(cause)}`,
      { cause },
    );
  }

  static listenFailed(host: string, port: number, cause: NodeJS.ErrnoException): DemoError {
    return new DemoError(
      DemoErrorCode.LISTEN_FAILED,
      500,
      cause.code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is in use: stop what runs there, or pick another port (PORT=3001 or --port 3001)`
        : `Cannot listen on ${host}:${port}: ${describe(cause)}`,
      { cause },
    );
  }

  static unknownPlugin(reference: string, available: readonly string[]): DemoError {
    return new DemoError(
      DemoErrorCode.UNKNOWN_PLUGIN,
      404,
      `No plugin named "${reference}": the plugins are ${
        available.length === 0 ? 'none at all' : available.map((name) => `"${name}"`).join(', ')
      }. Plugins that could not be offered are listed with their problems (pnpm plugwork list, GET /api/plugins)`,
    );
  }

  static unavailablePlugin(
    reference: string,
    problem: { source: string; location: string; code: string; message: string },
  ): DemoError {
    return new DemoError(
      DemoErrorCode.PLUGIN_UNAVAILABLE,
      409,
      `Plugin "${reference}" cannot run: its ${problem.source === 'npm' ? 'package' : 'folder'} (${problem.location}) could not be offered as a plugin, ${problem.code}: ${problem.message.replace(/\.$/, '')}. It is listed under Problems (the page, pnpm plugwork list, GET /api/plugins); once it is fixed the plugin is offered again`,
    );
  }

  static ambiguousPlugin(name: string, sources: readonly string[]): DemoError {
    return new DemoError(
      DemoErrorCode.AMBIGUOUS_PLUGIN,
      409,
      `Plugin "${name}" is offered by ${sources.join(' and ')}: name one, as ${sources
        .map((source) => `"${source}:${name}"`)
        .join(' or ')}`,
    );
  }

  static unknownWorker(source: string, workerId: string, sources: readonly string[]): DemoError {
    return new DemoError(
      DemoErrorCode.UNKNOWN_WORKER,
      404,
      `No worker "${workerId}" of source "${source}": the sources are ${sources.map((each) => `"${each}"`).join(', ')}; GET /api/workers lists their workers`,
    );
  }

  static notInRedisMode(action: string): DemoError {
    return new DemoError(
      DemoErrorCode.NOT_IN_REDIS_MODE,
      409,
      `The demo runs in --redis mode: ${action} is not available here, because the plugins run on the nodes (plugwork-node processes), not in this server. Restart the node concerned (Ctrl-C, then plugwork-node again), or run the demo without --redis`,
    );
  }

  static unknownJob(jobId: string): DemoError {
    return new DemoError(
      DemoErrorCode.UNKNOWN_JOB,
      404,
      `No job with id "${jobId}": it was never submitted here, or it is older than the jobs the demo keeps`,
    );
  }

  static invalidJson(reason: string): DemoError {
    return new DemoError(
      DemoErrorCode.INVALID_JSON,
      400,
      `The request body is not valid JSON: ${reason}`,
    );
  }

  static invalidBody(error: z.ZodError): DemoError {
    return new DemoError(
      DemoErrorCode.INVALID_BODY,
      400,
      `Invalid request body: ${describeIssues(error)}`,
    );
  }

  static invalidQuery(error: z.ZodError): DemoError {
    return new DemoError(
      DemoErrorCode.INVALID_QUERY,
      400,
      `Invalid query: ${describeIssues(error)}`,
    );
  }

  /** A history cursor this server did not make (or made while running other sources). */
  static badCursor(field: string, sources?: readonly string[]): DemoError {
    const why =
      sources === undefined
        ? "is not a cursor this server returned (pass a page's nextCursor as it is, with the same filters)"
        : `was made by a server running other sources (this one runs ${sources.join(', ')})`;
    return new DemoError(
      DemoErrorCode.INVALID_QUERY,
      400,
      `Invalid query: "${field}" ${why}; leave it out to start from the first page`,
    );
  }

  static jobNotFinished(jobId: string, status: string): DemoError {
    return new DemoError(
      DemoErrorCode.JOB_NOT_FINISHED,
      409,
      `Job "${jobId}" is ${status}: only a finished job can be re-run. Wait for it to end, or cancel it (POST /api/jobs/${jobId}/cancel)`,
    );
  }

  static unsupportedMediaType(type: string | undefined): DemoError {
    return new DemoError(
      DemoErrorCode.UNSUPPORTED_MEDIA_TYPE,
      415,
      `The request body must be JSON sent with "Content-Type: application/json"${
        type === undefined ? ' (no Content-Type was sent)' : ` (got "${type}")`
      }`,
    );
  }

  static bodyTooLarge(limit: number): DemoError {
    return new DemoError(
      DemoErrorCode.BODY_TOO_LARGE,
      413,
      `The request body is larger than ${limit} bytes, the server's limit (server.bodyLimitBytes)`,
    );
  }

  static forbiddenOrigin(origin: string): DemoError {
    return new DemoError(
      DemoErrorCode.FORBIDDEN_ORIGIN,
      403,
      `Requests from ${origin} may not change anything here: only the demo's own pages may`,
    );
  }

  static notFound(method: string, path: string): DemoError {
    return new DemoError(
      DemoErrorCode.NOT_FOUND,
      404,
      `No route ${method} ${path}. apps/demo/README.md lists the API`,
    );
  }
}

/** `"fs.directories.0": must be a non-empty path; "port": …` — every issue, each with its field. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      if (keys.length > 0) {
        const where = path === '' ? '' : `${path}.`;
        return `${keys.map((key) => `"${where}${key}"`).join(', ')}: unknown field (check the spelling)`;
      }
      const message = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
      return path === '' ? message : `"${path}": ${message}`;
    })
    .join('; ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A one-line description of anything thrown. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
