/** count, mean, min, max and percentiles of the most recent samples, in milliseconds. */
export interface TimingSummary {
  count: number;
  meanMs: number;
  minMs: number;
  maxMs: number;
  /** Percentiles over the last 1 024 samples. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** Per-plugin statistics (manager.stats().plugins[name]). */
export interface PluginStats {
  completed: number;
  failed: number;
  cancelled: number;
  /** submit to start: time spent queued (and waiting for a worker). */
  waitTime: TimingSummary;
  /** start to end: time spent running, including loading the plugin when needed. */
  runTime: TimingSummary;
}

const WINDOW = 1024;

/** Running totals plus a ring of recent samples for percentiles. */
class Timing {
  count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;
  readonly #ring = new Float64Array(WINDOW);

  add(ms: number): void {
    this.#ring[this.count % WINDOW] = ms;
    this.count++;
    this.#sum += ms;
    if (ms < this.#min) this.#min = ms;
    if (ms > this.#max) this.#max = ms;
  }

  summary(): TimingSummary {
    if (this.count === 0) {
      return { count: 0, meanMs: 0, minMs: 0, maxMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 };
    }
    const recent = Array.from(this.#ring.subarray(0, Math.min(this.count, WINDOW))).sort(
      (a, b) => a - b,
    );
    const at = (p: number) =>
      recent[Math.min(recent.length - 1, Math.ceil(p * recent.length) - 1)]!;
    return {
      count: this.count,
      meanMs: this.#sum / this.count,
      minMs: this.#min,
      maxMs: this.#max,
      p50Ms: at(0.5),
      p95Ms: at(0.95),
      p99Ms: at(0.99),
    };
  }
}

class PluginTimings {
  completed = 0;
  failed = 0;
  cancelled = 0;
  readonly wait = new Timing();
  readonly run = new Timing();
}

/** Collects wait and run times per plugin as jobs start and end. */
export class StatsCollector {
  readonly #plugins = new Map<string, PluginTimings>();

  #for(plugin: string): PluginTimings {
    let timings = this.#plugins.get(plugin);
    if (timings === undefined) {
      timings = new PluginTimings();
      this.#plugins.set(plugin, timings);
    }
    return timings;
  }

  started(plugin: string, waitMs: number): void {
    this.#for(plugin).wait.add(waitMs);
  }

  ended(
    plugin: string,
    status: 'completed' | 'failed' | 'cancelled',
    runMs: number | undefined,
  ): void {
    const timings = this.#for(plugin);
    timings[status]++;
    if (runMs !== undefined) timings.run.add(runMs);
  }

  snapshot(): Record<string, PluginStats> {
    const result: Record<string, PluginStats> = {};
    for (const [plugin, timings] of this.#plugins) {
      result[plugin] = {
        completed: timings.completed,
        failed: timings.failed,
        cancelled: timings.cancelled,
        waitTime: timings.wait.summary(),
        runTime: timings.run.summary(),
      };
    }
    return result;
  }
}
