// The IPC floor's bare echo child (fixtures/echo-child.mjs), as the suites drive it: one round
// trip at a time, or `count` messages sent back to back.
import { startBareChild, stopBareChild } from './bare-child.mjs';
import { elapsedMs } from './stats.mjs';

export async function startEchoFloor() {
  const child = await startBareChild('echo-child.mjs');
  let waiting = null;
  let remaining = 0;
  child.on('message', () => {
    if (remaining > 0 && --remaining === 0) waiting();
    else if (remaining === 0 && waiting) waiting();
  });
  let seq = 0;
  const message = () => ({ type: 'execute', job_id: `job-${seq++}`, plugin_name: 'noop' });
  return {
    pid: child.pid,
    /** One message and its answer. */
    roundTrip: () =>
      new Promise((resolve) => {
        waiting = resolve;
        child.send(message());
      }),
    /** `count` messages sent back to back until the last answer: messages per second. */
    async pipelined(count) {
      const start = process.hrtime.bigint();
      await new Promise((resolve) => {
        waiting = resolve;
        remaining = count;
        for (let i = 0; i < count; i++) child.send(message());
      });
      return count / (elapsedMs(start) / 1000);
    },
    stop: () => stopBareChild(child),
  };
}
