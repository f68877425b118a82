// Numbers and times for people.

/** 850 ms, 3.2 s, 2 min 5 s */
export function duration(ms) {
  if (ms === undefined || ms === null) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** 14:03:27 */
export function clock(epochMs) {
  return new Date(epochMs).toLocaleTimeString([], { hour12: false });
}

/** 74.1 MB */
export function bytes(count) {
  if (count === undefined) return '–';
  if (count < 1024 * 1024) return `${(count / 1024).toFixed(0)} KB`;
  return `${(count / (1024 * 1024)).toFixed(1)} MB`;
}

/** The first line of a result, for the history table. */
export function resultSummary(job) {
  if (job.status === 'failed' || job.status === 'cancelled') return job.error?.message ?? '';
  if (job.status !== 'completed') {
    return (
      job.progressMessage ??
      (job.progress === undefined ? '' : `${Math.round(job.progress * 100)}%`)
    );
  }
  return JSON.stringify(job.result ?? {});
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
