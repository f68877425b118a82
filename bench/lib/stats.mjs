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

/**
 * Jobs per second of `count` jobs submitted at once (`runOne(i)` returns each one's promise):
 * `warmup` unmeasured batches (one unless told), then the median of `rounds` batches.
 */
export async function burstRate(rounds, count, runOne, warmup = 1) {
  const batch = () => Promise.all(Array.from({ length: count }, (_, i) => runOne(i)));
  for (let round = 0; round < warmup; round++) await batch();
  const rates = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    await batch();
    rates.push(count / (elapsedMs(start) / 1000));
  }
  return median(rates);
}

/** Median of `rounds` sequential runs of `runOne()`, in ms, after `warmup` unmeasured ones. */
export async function medianLatency(rounds, runOne, warmup = 2) {
  for (let i = 0; i < warmup; i++) await runOne();
  const times = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    await runOne();
    times.push(elapsedMs(start));
  }
  return median(times);
}

/**
 * medianLatency of several tasks at once, their rounds interleaved (a, b, a, b, …), so that a
 * machine that gets busier or quieter during the run moves every task alike and their ratio
 * stays fair. Returns the median of each, in the order given.
 */
export async function interleavedMedianLatency(rounds, tasks, warmup = 2) {
  for (let i = 0; i < warmup; i++) for (const task of tasks) await task();
  const times = tasks.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < tasks.length; index++) {
      const start = process.hrtime.bigint();
      await tasks[index]();
      times[index].push(elapsedMs(start));
    }
  }
  return times.map(median);
}

/**
 * Sequential latencies of several tasks whose runs come in alternating blocks (`blockSize` runs
 * of a, then of b, …, `blocks` times), in ms: a machine that drifts between quiet and busy
 * touches every task alike, and a block is long enough that switching tasks costs the first
 * run of a block only. Returns each task's samples, in the order given.
 */
export async function blockInterleavedLatencies(blocks, blockSize, tasks) {
  const samples = tasks.map(() => []);
  for (let block = 0; block < blocks; block++) {
    for (let index = 0; index < tasks.length; index++) {
      const task = tasks[index];
      const times = samples[index];
      for (let i = 0; i < blockSize; i++) {
        const start = process.hrtime.bigint();
        await task();
        times.push(elapsedMs(start));
      }
    }
  }
  return samples;
}

/**
 * burstRate of several contenders whose rounds take turns (a, b, c, a, b, c, …), after
 * `warmup` unmeasured rounds of each: drift in the machine touches every one alike. `runners`
 * are functions `(i) => promise` as for burstRate. Returns each one's median rate, in order.
 */
export async function interleavedBurstRates(rounds, count, runners, warmup = 1) {
  const batch = (runOne) => Promise.all(Array.from({ length: count }, (_, i) => runOne(i)));
  for (let round = 0; round < warmup; round++) for (const runOne of runners) await batch(runOne);
  const rates = runners.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < runners.length; index++) {
      const start = process.hrtime.bigint();
      await batch(runners[index]);
      rates[index].push(count / (elapsedMs(start) / 1000));
    }
  }
  return rates.map(median);
}
