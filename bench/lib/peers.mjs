// The Node pools a user would pick instead of plugwork, behind one small interface so every
// suite runs them on the same jobs: tinypool with `runtime: 'child_process'` (process
// isolation, like plugwork), workerpool with `workerType: 'process'` (the same), and piscina
// (worker threads: no process isolation, for reference). Each at concurrency 1 and 100 where
// it has per-worker concurrency; workerpool runs one task per worker at a time.
//
// Every pool gets the host's environment explicitly: tinypool's child_process runtime would
// otherwise start its workers with an environment of its own making (TINYPOOL_WORKER_ID only),
// which skips what the host's environment costs a Node start (NODE_EXTRA_CA_CERTS here).
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import workerpool from 'workerpool';

const TASKS = new URL('../fixtures/peer-tasks.mjs', import.meta.url).href;
const WORKERPOOL_WORKER = new URL('../fixtures/workerpool-worker.mjs', import.meta.url).pathname;

/**
 * @typedef {{ run(task: 'noop' | 'wait' | 'big' | 'rss', job?: object): Promise<unknown>,
 *   close(): Promise<void> }} PeerPool
 * @typedef {{ name: string, isolated: boolean, concurrency: number,
 *   start(options: { workers: number }): PeerPool }} Peer
 */

/** @type {Peer[]} */
export const peers = [
  ...[1, 100].map((concurrency) => ({
    name: `tinypool child_process c${concurrency}`,
    isolated: true,
    concurrency,
    start: ({ workers }) => {
      const pool = new Tinypool({
        filename: TASKS,
        runtime: 'child_process',
        minThreads: workers,
        maxThreads: workers,
        concurrentTasksPerWorker: concurrency,
        isolateWorkers: false,
        env: { ...process.env },
      });
      return {
        run: (task, job) => pool.run(job, { name: task }),
        close: () => pool.destroy(),
      };
    },
  })),
  {
    name: 'workerpool process',
    isolated: true,
    concurrency: 1,
    start: ({ workers }) => {
      const pool = workerpool.pool(WORKERPOOL_WORKER, {
        workerType: 'process',
        minWorkers: workers,
        maxWorkers: workers,
        forkOpts: { env: { ...process.env } },
      });
      return {
        run: (task, job) => pool.exec(task, job === undefined ? [] : [job]),
        close: () => pool.terminate(),
      };
    },
  },
  ...[1, 100].map((concurrency) => ({
    name: `piscina threads c${concurrency}`,
    isolated: false,
    concurrency,
    start: ({ workers }) => {
      const pool = new Piscina({
        filename: TASKS,
        minThreads: workers,
        maxThreads: workers,
        concurrentTasksPerWorker: concurrency,
        env: { ...process.env },
      });
      return {
        run: (task, job) => pool.run(job, { name: task }),
        close: () => pool.destroy(),
      };
    },
  })),
];

/** The peers that run tasks in worker processes (their RSS is a worker's, not the host's). */
export const processPeers = peers.filter((peer) => peer.isolated && peer.concurrency === 1);
