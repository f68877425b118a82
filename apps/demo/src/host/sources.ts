import * as path from 'node:path';
import { fsAdapter } from '@plugwork/adapter-fs';
import { npmAdapter } from '@plugwork/adapter-npm';
import { JobManager, type JobManagerOptions } from '@plugwork/worker';
import type { DemoSettings } from '../config/settings.ts';
import { withPython } from './python-source.ts';
import { RemoteSource } from './remote-source.ts';
import type { SourceRunner } from './source-runner.ts';
import type { SourceName } from './views.ts';

/** The sources the settings ask for, in the order their plugins are listed. */
export function sourcesOf(settings: DemoSettings): SourceName[] {
  if (settings.redis !== undefined) return ['redis'];
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

/**
 * The runner of one source: a local JobManager with that source's adapter and pool; in
 * `--redis` mode a BullmqRunner (remote-source.ts), with a node in this process unless
 * `--no-local-node`.
 */
export function createRunner(
  source: SourceName,
  settings: DemoSettings,
  hooks: RunnerHooks,
): SourceRunner {
  if (source === 'redis') return createRemoteSource(settings, hooks);
  return new JobManager({ ...managerOptions(source, settings), ...hooks });
}

function createRemoteSource(settings: DemoSettings, hooks: RunnerHooks): RemoteSource {
  const redis = settings.redis!;
  const logger = hooks.logger ?? {};
  // The local node's pool: the folders (or, with --adapter npm, the packages) the local mode
  // would run; BullMQ keeps the jobs, so no store of its own.
  const local = settings.adapter === 'npm' ? 'npm' : 'fs';
  return new RemoteSource({
    url: redis.url,
    prefix: redis.prefix,
    localNode: redis.localNode
      ? {
          ...managerOptions(local, settings),
          store: 'memory',
          ...(hooks.registry === undefined ? {} : { registry: hooks.registry }),
          // Its jobs have local ids the host does not know: keep their lines out of job logs.
          logger: {
            output: (line, source) => logger.output?.(line, { ...source, jobId: undefined }),
            warn: (message) => logger.warn?.(message),
          },
        }
      : undefined,
    retainJobs: hooks.retainJobs ?? 200,
    logger,
  });
}
