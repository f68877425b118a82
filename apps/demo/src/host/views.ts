import type { JsonObject, PluginDescriptor, PluginDiagnostic } from '@plugwork/protocol';
import type { Job, WorkerState } from '@plugwork/worker';

import type { NodeView } from './remote-source.ts';

/**
 * The adapters the demo can run: plugin folders, npm packages, the Python plugins of the plugin
 * folders (a pool of Python workers); or, in `--redis` mode, the plugins of the BullMQ nodes.
 */
export type SourceName = 'fs' | 'npm' | 'python' | 'redis';

/** A plugin as the API and the UI show it. */
export interface PluginView extends PluginDescriptor {
  /** What jobs, reloads and unloads name it by: its name, or `source:name` when two sources offer it. */
  id: string;
  source: SourceName;
  /** The config it is (or will next be) loaded with. */
  config: JsonObject;
}

/** Why a plugin candidate could not be offered, and which source found it. */
export interface DiagnosticView extends PluginDiagnostic {
  source: SourceName;
}

export interface CatalogView {
  /** The sources this host runs, in order. */
  sources: SourceName[];
  plugins: PluginView[];
  diagnostics: DiagnosticView[];
}

/** A job as the API and the UI show it: the manager's snapshot plus where it ran and timings. */
export interface JobView extends Job {
  source: SourceName;
  /** Submit to start, in milliseconds (undefined while queued). */
  waitMs: number | undefined;
  /** Start to end, or to now while running. */
  runMs: number | undefined;
  /** Streamed output so far: characters, and whether the demo stopped keeping it (too long). */
  output: { characters: number; truncated: boolean };
}

/** One JobManager's pool. */
export interface PoolView {
  source: SourceName;
  /** Jobs waiting for a worker. */
  queued: number;
  running: number;
  workers: WorkerState[];
  /** `--redis` mode: the live nodes (machine, pid, plugins, running jobs) instead of workers. */
  nodes?: NodeView[];
}

/** Streamed text of one job, as kept for late listeners. */
export interface JobOutput {
  text: string;
  /** Total characters streamed, including what was not kept. */
  characters: number;
  truncated: boolean;
}

/** One line a plugin printed while its job ran. */
export interface JobLogLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

/** What a job's plugin printed, as kept for the page. */
export interface JobLog {
  lines: JobLogLine[];
  /** Lines printed, including those not kept. */
  total: number;
  truncated: boolean;
}
