// The socket-pair floor's echo child (fixtures/pair-echo-child.mjs), one round trip at a time:
// the channel plugwork's Node workers speak, with nothing else on either end.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export async function startPairEcho() {
  const child = spawn(
    process.execPath,
    [new URL('../fixtures/pair-echo-child.mjs', import.meta.url).pathname],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
    },
  );
  const channel = child.stdio[3];
  channel.setEncoding('utf8');
  let waiting = null;
  let partial = '';
  channel.on('data', (data) => {
    let start = 0;
    for (let end = data.indexOf('\n'); end !== -1; end = data.indexOf('\n', start)) {
      JSON.parse(partial + data.slice(start, end));
      partial = '';
      start = end + 1;
      waiting?.();
    }
    partial += data.slice(start);
  });
  await new Promise((resolve) => {
    waiting = resolve;
  });
  let seq = 0;
  return {
    /** One message and its answer. */
    roundTrip: () =>
      new Promise((resolve) => {
        waiting = resolve;
        channel.write(
          `${JSON.stringify({ type: 'execute', job_id: `job-${seq++}`, plugin_name: 'noop' })}\n`,
        );
      }),
    async stop() {
      const exited = once(child, 'exit');
      channel.end();
      await exited;
    },
  };
}
