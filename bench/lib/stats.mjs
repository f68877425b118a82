// Small statistics helpers shared by the suites. Percentiles use the nearest-rank method.

/** @param {number[]} samples @param {number} p 0..100 */
export function percentile(samples, p) {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** @param {number[]} samples */
export function median(samples) {
  return percentile(samples, 50);
}

/** Milliseconds since `start` (a bigint from process.hrtime.bigint()). */
export function elapsedMs(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
