import { once } from 'node:events';
import type { JsonObject } from '@plugwork/protocol';
import { isJobError } from '@plugwork/worker';
import type { DemoHost } from '../../host/demo-host.ts';
import type { JobView } from '../../host/views.ts';
import { Spinner } from '../spinner.ts';

export interface RunOptions {
  plugin: string;
  params: JsonObject;
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
 * Resolves with the exit code; the job's error goes to stderr.
 */
export async function runCommand(host: DemoHost, options: RunOptions): Promise<number> {
  const { stdout, stderr } = options;
  const plugin = host.plugin(options.plugin);
  const stream = options.stream && plugin.streaming;
  if (options.stream && !plugin.streaming) {
    stderr.write(
      `note: plugin "${plugin.id}" does not stream; its result follows when it is done\n`,
    );
  }
  const { job, handle } = host.submit(plugin.id, options.params, {
    stream,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const cancel = () => {
    stderr.write(`\ncancelling job ${job.id}… (Ctrl-C again to quit at once)\n`);
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
      if (last !== '' && !last.endsWith('\n') && stdout.isTTY === true) stdout.write('\n');
    } else {
      spinner.start();
      host.on('job', onProgress);
    }
    const done = await handle.done;
    spinner.stop();
    if (done.status === 'completed') {
      if (!stream) stdout.write(`${JSON.stringify(done.result, null, 2)}\n`);
      if (!options.signal.aborted) return RunExit.OK;
      stderr.write(`note: job ${job.id} ended on its own before the cancel took effect\n`);
      return RunExit.CANCELLED;
    }
    stderr.write(
      `${done.status === 'cancelled' ? 'cancelled' : 'error'}: ${done.error?.message}\n`,
    );
    // Interrupted is interrupted (130), whatever the job's own end.
    return options.signal.aborted ? RunExit.CANCELLED : RunExit.FAILED;
  } finally {
    spinner.stop();
    host.off('job', onProgress);
    options.signal.removeEventListener('abort', cancel);
  }
}
