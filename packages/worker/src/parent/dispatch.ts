import { runAsMicrotask } from '../microtask.ts';
import type { JobRecord } from './job.ts';
import type { ManagerContext } from './manager-context.ts';
import type { WorkerSlot } from './worker-slot.ts';

/**
 * Which job goes to which worker, and when a worker has started a job it was sent.
 *
 * A worker starts the jobs it holds in the order they were sent, by one rule (the same code
 * path as child/job-executor.ts): a job of a concurrency-1 plugin needs the worker to itself; a
 * job of a concurrency-n plugin starts beside fewer than n of its own and no concurrency-1 job;
 * and no job starts before the ones sent ahead of it. So from the jobs it has sent and the
 * answers it has seen, the host knows exactly which jobs a worker has started: a worker that
 * dies had started those and no others, and the others are queued again, never failed.
 */

interface Occupancy {
  /** The jobs the worker has started (or is about to: the rule is applied to what it holds). */
  started: JobRecord[];
  /** How many it holds in all. */
  held: number;
}

/** The worker's start rule applied to what it holds (kept by the slot: start-rule.ts). */
export function occupancy(slot: WorkerSlot): Occupancy {
  return { started: [...slot.startRule.started], held: slot.jobs.size };
}

/** Where a job should go now. */
export type Placement =
  | { slot: WorkerSlot; how: 'start' }
  | { slot: WorkerSlot; how: 'load' }
  | { slot: WorkerSlot; how: 'prefetch' };

/**
 * The worker for a job of `plugin`, best first:
 * 1. one that has the plugin loaded and would start the job at once (fewest jobs held);
 * 2. an idle one that can load it (one that is empty, then one with room, then any: affinity,
 *    so nothing is unloaded when it need not be);
 * 3. one that has it loaded and holds fewer jobs it has not started than the plugin's prefetch
 *    window (prefetch-window.ts): the job waits there, so that worker never idles between two
 *    jobs waiting for the host.
 */
export function place(
  context: ManagerContext,
  plugin: string,
  window: number,
): Placement | undefined {
  let start: WorkerSlot | undefined;
  let startHeld = Number.POSITIVE_INFINITY;
  let load: WorkerSlot | undefined;
  let loadScore = -1;
  let ahead: WorkerSlot | undefined;
  let aheadWaiting = Number.POSITIVE_INFINITY;
  const maxLoaded = context.options.maxLoadedPlugins;
  for (const slot of context.slots) {
    if (!slot.accepting) continue;
    if (slot.loaded.has(plugin)) {
      const rule = slot.startRule;
      const held = slot.jobs.size;
      if (rule.mayStart(slot, plugin)) {
        if (held < startHeld) {
          start = slot;
          startHeld = held;
        }
        continue;
      }
      const waiting = held - rule.started.size;
      if (waiting < window && waiting < aheadWaiting) {
        ahead = slot;
        aheadWaiting = waiting;
      }
      continue;
    }
    if (slot.jobs.size > 0) continue;
    const score = slot.loaded.size === 0 ? 2 : slot.loaded.size < maxLoaded ? 1 : 0;
    if (score > loadScore) {
      load = slot;
      loadScore = score;
    }
  }
  if (start !== undefined) return { slot: start, how: 'start' };
  if (load !== undefined) return { slot: load, how: 'load' };
  if (ahead !== undefined) return { slot: ahead, how: 'prefetch' };
  return undefined;
}

/**
 * Hands queued jobs, oldest first, to workers as they have room. Runs synchronously from
 * submit (a no-op job's round trip is mostly this path) and from a microtask otherwise.
 */
export class Dispatcher {
  readonly #context: ManagerContext;
  readonly #dispatch: (record: JobRecord, slot: WorkerSlot, how: Placement['how']) => void;
  #scheduled = false;

  constructor(
    context: ManagerContext,
    dispatch: (record: JobRecord, slot: WorkerSlot, how: Placement['how']) => void,
  ) {
    this.#context = context;
    this.#dispatch = dispatch;
  }

  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    runAsMicrotask(this.pump);
  }

  readonly pump = (): void => {
    this.#scheduled = false;
    const context = this.#context;
    if (context.state !== 'running' && context.state !== 'stopping') return;
    const queue = context.queue;
    while (queue.size > 0) {
      // Undefined with jobs queued: they are all delayed (the queue wakes the pump when due).
      const record = queue.peek();
      if (record === undefined) return;
      const placement = place(context, record.plugin, context.prefetch.windowFor(record.plugin));
      if (placement === undefined) return;
      queue.shift();
      this.#dispatch(record, placement.slot, placement.how);
    }
  };
}
