import { FINISHED_STATUSES, type PruneReport, type Retention } from '../job-store.ts';
import type { SqliteDatabase } from './driver.ts';

/** Rows one DELETE removes; each is its own short transaction, the event loop runs between. */
const PRUNE_CHUNK = 500;

/**
 * Deletes finished jobs beyond a retention in chunks of PRUNE_CHUNK rows, yielding to the
 * event loop between chunks, so a prune of a million rows never stalls the host.
 */
export async function pruneRows(
  db: SqliteDatabase,
  retention: Retention,
  now: number,
  stopped: () => boolean,
): Promise<PruneReport> {
  const report: PruneReport = { completed: 0, failed: 0, cancelled: 0 };
  const byAge = db.prepare(
    'DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs INDEXED BY finished_status_ended WHERE ended_at IS NOT NULL AND status = ? AND ended_at < ? LIMIT ?)',
  );
  const cutoff = db.prepare(
    'SELECT seq FROM jobs INDEXED BY finished_status_seq WHERE ended_at IS NOT NULL AND status = ? ORDER BY seq DESC LIMIT 1 OFFSET ?',
  );
  const byCount = db.prepare(
    'DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs INDEXED BY finished_status_seq WHERE ended_at IS NOT NULL AND status = ? AND seq <= ? ORDER BY seq LIMIT ?)',
  );
  for (const status of FINISHED_STATUSES) {
    const rule = retention[status];
    if (rule === undefined) continue;
    if (rule.maxAgeMs !== undefined) {
      const before = now - rule.maxAgeMs;
      for (;;) {
        if (stopped()) return report;
        const deleted = Number(byAge.run(status, before, PRUNE_CHUNK).changes);
        report[status] += deleted;
        if (deleted < PRUNE_CHUNK) break;
        await yieldToEventLoop();
      }
    }
    if (rule.maxCount !== undefined) {
      // The newest maxCount stay: everything at or below the (maxCount+1)-th newest goes.
      const row = cutoff.get(status, rule.maxCount);
      if (row === undefined) continue;
      const last = Number(row.seq);
      for (;;) {
        if (stopped()) return report;
        const deleted = Number(byCount.run(status, last, PRUNE_CHUNK).changes);
        report[status] += deleted;
        if (deleted < PRUNE_CHUNK) break;
        await yieldToEventLoop();
      }
    }
    await yieldToEventLoop();
  }
  return report;
}

async function yieldToEventLoop(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
}
