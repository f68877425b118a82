import { once } from 'node:events';
import type { JsonObject } from '@plugwork/protocol';
import { isJobError } from '@plugwork/worker';
import type { DemoHost } from '../../host/demo-host.ts';
import type { JobView } from '../../host/views.ts';
import { checkConfig, checkParams, type RawParams, typeParams } from '../params.ts';
import { Spinner } from '../spinner.ts';

export interface RunOptions {
  plugin: string;
  /** The `--param` flags as written; typed and checked by the plugin's params schema here. */
  params: RawParams;
  /** The `--config` file and what it holds, checked by the plugin's config schema here. */
  config: { file: string; value: JsonObject } | undefined;
  stream: boolean;
  timeoutMs: number | undefined;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Aborted on Ctrl-C: the job is cancelled. */
  signal: AbortSignal;
}

/** Exit codes of `plugwork run`. */
export const RunExit = { OK: 0, FAILED: 1, CANCELLED: 130 } as const;

/**
 * `plugwork run`: submits one job. Streams its chunks to stdout as they arrive (--stream), or
 * shows a spinner with progress on stderr (when it is a terminal) and prints the result as JSON.
 * Resolves with the exit code; the job's error goes to stderr. Throws DemoError INVALID_ARGUMENT,
 * before anything is submitted, for params or a config the plugin's schemas refuse.
 */
export async function runCommand(host: DemoHost, options: RunOptions): Promise<number> {
  const { stdout, stderr } = options;
  const say = (message: string) => stderr.write(`plugwork: ${message}\n`);
  const plugin = host.plugin(options.plugin);
  const params = typeParams(options.params, plugin.params_schema);
  await checkParams(plugin.id, params, options.params, plugin.params_schema);
  if (options.config !== undefined) {
    await checkConfig(plugin.id, options.config.file, options.config.value, plugin.config_schema);
  }
  const stream = options.stream && plugin.streaming;
  if (options.stream && !plugin.streaming) {
    say(`plugin "${plugin.id}" does not stream; its result follows when it is done`);
  }
  const { job, handle } = host.submit(plugin.id, params, {
    stream,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const cancel = () => {
    stderr.write('\n');
    say(`cancelling job ${job.id}… (Ctrl-C again to quit at once)`);
    void handle.cancel();
  };
  options.signal.addEventListener('abort', cancel, { once: true });

  const spinner = new Spinner(stderr, plugin.id);
  const onProgress = (view: JobView) => {
    if (view.id === job.id) spinner.update(view.progress, view.progressMessage);
  };
  try {
    if (stream) {
      let last = '';
      try {
        for await (const chunk of handle) {
          last = chunk;
          // Backpressure: a slow reader of stdout slows the plugin down, not memory up.
          if (!stdout.write(chunk)) await once(stdout, 'drain');
        }
      } catch (error) {
        if (!isJobError(error)) throw error;
      }
      // Output ends with a line end, so the prompt (or the next line of a pipe) starts afresh.
      if (last !== '' && !last.endsWith('\n')) stdout.write('\n');
    } else {
      spinner.start();
      host.on('job', onProgress);
    }
    await handle.done;
    spinner.stop();
    // The host's view: its error speaks the CLI's terms (--timeout, not timeoutMs).
    const done = host.job(job.id);
    if (done.status === 'completed') {
      if (!stream) stdout.write(`${JSON.stringify(done.result, null, 2)}\n`);
      if (!options.signal.aborted) return RunExit.OK;
      say(`job ${job.id} ended on its own before the cancel took effect`);
      return RunExit.CANCELLED;
    }
    say(done.error?.message ?? `job ${job.id} ended ${done.status}`);
    // Interrupted is interrupted (130), whatever the job's own end.
    return options.signal.aborted ? RunExit.CANCELLED : RunExit.FAILED;
  } finally {
    spinner.stop();
    host.off('job', onProgress);
    options.signal.removeEventListener('abort', cancel);
  }
}
