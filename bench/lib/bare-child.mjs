// Starts a bare Node child over Node's IPC channel, the channel a user would build on, for baselines.
import { fork } from 'node:child_process';
import { once } from 'node:events';

/** The floors' channel: Node IPC with JSON serialization (plugwork's Node workers use a socket pair: lib/pair-echo.mjs). */
export const SERIALIZATION = 'json';

/**
 * @param {string} fixture file name in ../fixtures
 * @param {{ env?: NodeJS.ProcessEnv }} [options] the child's environment (default: the host's)
 */
export async function startBareChild(fixture, options = {}) {
  const child = fork(new URL(`../fixtures/${fixture}`, import.meta.url), [], {
    serialization: SERIALIZATION,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: options.env ?? process.env,
  });
  await once(child, 'message');
  return child;
}

/** @param {import('node:child_process').ChildProcess} child */
export async function stopBareChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.disconnect();
  await exited;
}
