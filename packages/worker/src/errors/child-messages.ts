/** What a worker process says in its results and errors (child side). */
import { formatBytes } from './base.ts';

/** Messages the worker process itself writes. */
export const ChildMessages = {
  noSocket:
    '@plugwork/worker: this module is the entry point of socket workers (Deno, or Node under a Deno host); the JobManager starts it with --socket=<path>. Do not run it directly.\n',
  socketConnect: (path: string, reason: string) =>
    `@plugwork/worker: cannot connect to the host's socket ${path}: ${reason}. The host may have exited, or the worker lacks permission to use the socket.\n`,
  noChannel:
    '@plugwork/worker: this module is the worker process entry point; the JobManager starts it with its channel as file descriptor 3. Do not run it directly.\n',
  adapterImport: (specifier: string, reason: string) =>
    `cannot import adapter module "${specifier}": ${reason}`,
  adapterExport: (specifier: string, name: string, found: string) =>
    `adapter module "${specifier}" has no function export "${name}" (found: ${found}). Set adapter.export to the factory's name`,
  adapterFactory: (specifier: string, name: string, reason: string) =>
    `the adapter factory ${name}() of "${specifier}" threw: ${reason}`,
  adapterShape: (specifier: string, name: string, missing: string[]) =>
    `${name}() of "${specifier}" returned an object that is not a PluginManagerAdapter (missing: ${missing.join(', ')})`,
  discoveryFailed: (reason: string) => `plugin discovery failed: ${reason}`,
  alreadyInitialised: 'init was received twice; a worker is initialised once',
  notInitialised: (type: string) => `"${type}" arrived before init; the worker has no adapter yet`,
  unknownPlugin: (plugin: string, available: string[]) =>
    `the worker has no plugin named "${plugin}" (discovered: ${available.length === 0 ? 'none' : available.join(', ')})`,
  unknownPluginInConfigs: (plugin: string) =>
    `pluginConfigs has a config for "${plugin}", but the adapter discovered no plugin of that name`,
  busy: (jobId: string, current: string) =>
    `job ${jobId} arrived while job ${current} is still running; a worker runs one job at a time`,
  stopping: 'the worker is stopping',
  endedAfterAbort: 'the plugin ended early because the job was stopped',
  cancelledBeforeStart: 'the job was cancelled before the worker started it',
  withdrawn: 'the host took the job back before the worker started it',
  resultTooLarge: (bytes: number, limit: number) =>
    `its result is ${formatBytes(bytes)} of JSON, over the limit of ${formatBytes(limit)} (limits.resultBytes). Return a reference (a file path, a URL) instead, or raise limits.resultBytes`,
  chunkTooLarge: (bytes: number, limit: number) =>
    `it streamed one chunk of ${formatBytes(bytes)} of JSON, over the limit of ${formatBytes(limit)} (limits.chunkBytes). Yield smaller pieces, or raise limits.chunkBytes`,
  sendFailed: (what: string, reason: string) =>
    `its ${what} could not be sent to the host (${reason})`,
} as const;

/** Why a value cannot be sent as JSON; `path` says where (`result.items[2].callback`). */
export const JsonSafetyPhrases = {
  bigint: (path: string) => `${path} is a BigInt (convert it to a string or a number)`,
  function: (path: string) => `${path} is a function`,
  symbol: (path: string) => `${path} is a symbol`,
  cycle: (path: string) => `${path} refers back to an object that contains it (a cycle)`,
  collection: (path: string, kind: string) =>
    `${path} is a ${kind}, which JSON would silently turn into {} (convert it to an array or object)`,
  tooDeep: (path: string) => `${path} is nested too deeply to serialise`,
  toJsonThrew: (path: string, reason: string) => `${path}.toJSON() threw: ${reason}`,
} as const;
