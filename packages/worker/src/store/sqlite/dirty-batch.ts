import type { RenewingMap, RenewingSet } from '../../renewing-map.ts';
import type { JobState } from '../job-state.ts';
import type { RowBatch } from './row-batch.ts';
import { RowPacker } from './row-pack.ts';
import {
  appendFinish,
  appendInsert,
  appendLiveUpdate,
  appendNew,
  BATCH_LAYOUTS,
  neverStarted,
} from './rows.ts';

/** Jobs taken out of the dirty set for one write, their rows and the meta values it stores. */
export interface Batch {
  readonly jobs: JobState[];
  readonly nextSeq: number;
  readonly liveFrom: number;
  readonly rows: RowBatch;
}

/** What the SQLite store's file holds now, and what it is about to need. */
export interface BatchSource {
  /** Jobs changed since their last write, in the order of their first change. */
  readonly dirty: RenewingSet<JobState>;
  /** Every job in memory, by id, in seq order. */
  readonly live: RenewingMap<string, JobState>;
  /** The seq the next new job gets. */
  readonly nextSeq: number;
  /** meta.next_seq as committed: a write that does not change it leaves the meta page alone. */
  readonly savedNextSeq: number;
  /** meta.live_from as committed (see schema.ts, version 2), likewise. */
  readonly savedLiveFrom: number;
}

/**
 * Takes up to `maxRows` jobs out of the dirty set and packs their rows for one write
 * transaction (row-batch.ts), with the meta values that write stores. Undefined when nothing
 * is dirty.
 */
export function takeBatch(source: BatchSource, maxRows: number): Batch | undefined {
  const { dirty, live, nextSeq } = source;
  if (dirty.size === 0) return undefined;
  // Sorted by kind first, so that the packer's arrays are allocated at their exact size.
  const fresh: JobState[] = [];
  const inserts: JobState[] = [];
  const updates: JobState[] = [];
  const finishes: JobState[] = [];
  let taken = 0;
  for (const job of dirty) {
    if (taken++ >= maxRows) break;
    if (job.rowless) (neverStarted(job) ? fresh : inserts).push(job);
    else (job.terminal ? finishes : updates).push(job);
  }
  const packer = new RowPacker(BATCH_LAYOUTS, [
    fresh.length,
    inserts.length,
    updates.length,
    finishes.length,
  ]);
  for (const job of fresh) appendNew(packer, job);
  for (const job of inserts) appendInsert(packer, job);
  for (const job of updates) appendLiveUpdate(packer, job);
  for (const job of finishes) appendFinish(packer, job);
  const jobs = [...fresh, ...inserts, ...updates, ...finishes];
  for (const job of jobs) dirty.delete(job);
  // Any row this write leaves without ended_at is a job in memory that does not end in it
  // (a finished job out of the dirty set ends in this write: no other is in flight), and
  // the map holds jobs in seq order: the first such job's seq is at or below every such row's.
  let liveFrom = nextSeq;
  for (const job of live.values()) {
    if (job.terminal && !dirty.has(job)) continue;
    liveFrom = job.seq;
    break;
  }
  const rows: RowBatch = {
    rows: packer.finish(),
    nextSeq: nextSeq === source.savedNextSeq ? undefined : nextSeq,
    liveFrom: liveFrom === source.savedLiveFrom ? undefined : liveFrom,
  };
  return { jobs, nextSeq, liveFrom, rows };
}
