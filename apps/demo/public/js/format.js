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

/**
 * How long a job has run: to its end, or, while it runs, to now. The server's `runMs` plus the
 * time since the page received it, so a clock that differs from the server's does not matter.
 */
export function runningFor(job) {
  if (job.runMs === undefined || job.runMs === null) return undefined;
  if (job.status !== 'running' || job.receivedAt === undefined) return job.runMs;
  return job.runMs + (Date.now() - job.receivedAt);
}

/** How far a job got before it stopped: "37% · round 370 of 1000", or undefined. */
export function howFar(job) {
  const parts = [];
  if (typeof job.progress === 'number') parts.push(`${Math.round(job.progress * 100)}%`);
  if (job.progressMessage) parts.push(job.progressMessage);
  if (job.output?.characters > 0) parts.push(`${job.output.characters} characters of output`);
  return parts.length === 0 ? undefined : parts.join(' · ');
}

/** The first line of a result, for the history table. */
export function resultSummary(job) {
  if (job.status === 'failed' || job.status === 'cancelled') {
    const reached = howFar(job);
    const message = job.error?.message ?? '';
    return reached === undefined ? message : `stopped at ${reached} — ${message}`;
  }
  if (job.status !== 'completed') {
    return (
      job.progressMessage ??
      (job.progress === undefined ? '' : `${Math.round(job.progress * 100)}%`)
    );
  }
  return JSON.stringify(job.result ?? {});
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
