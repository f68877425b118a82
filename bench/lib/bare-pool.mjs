// A pool of bare Node children (the floors): messages go round robin, answers are matched by
// job_id. No parsing, no bookkeeping beyond that: what process isolation alone costs.
import { startBareChild, stopBareChild } from './bare-child.mjs';

/** @param {string} fixture @param {number} size @param {{ env?: NodeJS.ProcessEnv }} [options] */
export async function startBarePool(fixture, size, options = {}) {
  const children = await Promise.all(
    Array.from({ length: size }, () => startBareChild(fixture, options)),
  );
  const waiting = new Map();
  for (const child of children) {
    child.on('message', (message) => {
      const resolve = waiting.get(message.job_id);
      waiting.delete(message.job_id);
      resolve?.(message);
    });
  }
  let seq = 0;
  return {
    /** @param {Record<string, unknown>} fields */
    run(fields = {}) {
      const jobId = `job-${seq}`;
      const child = children[seq++ % children.length];
      return new Promise((resolve) => {
        waiting.set(jobId, resolve);
        child.send({ type: 'execute', job_id: jobId, plugin_name: 'floor', ...fields });
      });
    },
    close: () => Promise.all(children.map(stopBareChild)),
  };
}
