import * as path from 'node:path';
import { fsAdapter } from '@plugwork/adapter-fs';
import { npmAdapter } from '@plugwork/adapter-npm';
import { JobManager, type JobManagerOptions } from '@plugwork/worker';
import type { DemoSettings } from '../config/settings.ts';
import { withPython } from './python-source.ts';
import type { SourceRunner } from './source-runner.ts';
import type { SourceName } from './views.ts';

/** The sources the settings ask for, in the order their plugins are listed. */
export function sourcesOf(settings: DemoSettings): SourceName[] {
  return withPython(settings.adapter === 'both' ? ['fs', 'npm'] : [settings.adapter], settings);
}

/**
 * The JobManager options of one source: its adapter spec (each worker process builds the adapter
 * from it) and its pool. Everything else is shared by both sources.
 */
export function managerOptions(
  source: SourceName,
  settings: DemoSettings,
): Pick<
  JobManagerOptions,
  | 'adapter'
  | 'runtime'
  | 'poolSize'
  | 'maxLoadedPlugins'
  | 'timeouts'
  | 'worker'
  | 'prefetch'
  | 'store'
> {
  const adapter =
    source === 'fs' || source === 'python'
      ? fsAdapter({ directories: settings.fs.directories, watch: settings.fs.watch })
      : npmAdapter({
          root: settings.npm.root,
          scope: settings.npm.scope,
          ...(settings.npm.allow === undefined ? {} : { allow: settings.npm.allow }),
        });
  return {
    adapter,
    poolSize: source === 'fs' ? settings.fs.poolSize : settings.npm.poolSize,
    // The Python plugins of the same folders: a pool of Python workers.
    ...(source === 'python' ? pythonRuntime(settings) : {}),
    maxLoadedPlugins: settings.maxLoadedPlugins,
    // A plugin that ignores its AbortSignal has 3 s after a cancel before its worker is killed.
    timeouts: { cancelGraceMs: 3_000 },
    // The demo's jobs take seconds: sending a worker jobs ahead would gain nothing, would make a
    // job wait behind a busy worker while another one frees up, and would hide it from the
    // pool's queue, which the page shows.
    prefetch: 0,
    // A store file serves one JobManager: one per source.
    store:
      settings.store === undefined
        ? 'memory'
        : { sqlite: path.join(settings.store.directory, `jobs-${source}.db`) },
  };
}

function pythonRuntime(
  settings: DemoSettings,
): Pick<JobManagerOptions, 'runtime' | 'poolSize' | 'worker'> {
  return {
    runtime: 'python',
    poolSize: settings.python.poolSize,
    ...(settings.python.path === undefined ? {} : { worker: { pythonPath: settings.python.path } }),
  };
}

/** What the host hands every runner: where configs come from, where output goes, what to keep. */
export type RunnerHooks = Pick<JobManagerOptions, 'registry' | 'logger' | 'retainJobs'>;

/** The runner of one source: a local JobManager with that source's adapter and pool. */
export function createRunner(
  source: SourceName,
  settings: DemoSettings,
  hooks: RunnerHooks,
): SourceRunner {
  return new JobManager({ ...managerOptions(source, settings), ...hooks });
}
