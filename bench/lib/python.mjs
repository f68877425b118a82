// Python baselines: a bare Python child over a Unix socket (the channel Python workers use),
// and the python3 both it and the workers run.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The python3 the JobManager would run (worker.pythonPath's default). */
export const PYTHON = process.env.PLUGWORK_PYTHON_PATH || 'python3';

/**
 * Starts `python3 <fixture> --socket=<path>` and resolves once it has connected and sent its
 * first line. `request(message)` sends one message and resolves with the next line's message.
 */
export async function startPythonChild(fixture) {
  const path = join(
    tmpdir(),
    `plugwork-bench-${process.pid}-${Math.random().toString(36).slice(2)}.sock`,
  );
  const server = createServer();
  server.listen(path);
  await once(server, 'listening');
  const child = spawn(
    PYTHON,
    [fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url)), `--socket=${path}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const [socket] = await once(server, 'connection');
  server.close();
  rmSync(path, { force: true });
  socket.setEncoding('utf8');
  let partial = '';
  let onLine;
  socket.on('data', (data) => {
    let start = 0;
    for (let end = data.indexOf('\n'); end !== -1; end = data.indexOf('\n', start)) {
      const line = partial + data.slice(start, end);
      partial = '';
      start = end + 1;
      onLine?.(JSON.parse(line));
    }
    partial += data.slice(start);
  });
  await new Promise((resolve) => {
    onLine = resolve;
  });
  return {
    request(message) {
      return new Promise((resolve) => {
        onLine = resolve;
        socket.write(`${JSON.stringify(message)}\n`);
      });
    },
    async stop() {
      const exited = once(child, 'exit');
      socket.end();
      await exited;
    },
  };
}

/** `python3 -c pass`, spawn to exit, in ms. */
export async function timePythonPass() {
  const start = process.hrtime.bigint();
  const child = spawn(PYTHON, ['-c', 'pass'], { stdio: 'ignore' });
  await once(child, 'exit');
  return Number(process.hrtime.bigint() - start) / 1e6;
}
