// Collects metrics, prints the table and writes results.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/**
 * @typedef {{ name: string, value: number, unit: string, baseline?: { name: string, value: number },
 *   ratio?: number, target?: string, met?: boolean, note?: string }} Metric
 */

export class Results {
  /** @type {Metric[]} */
  metrics = [];

  /**
   * Record a metric; with a baseline, the ratio value / baseline is recorded beside it.
   * @param {Metric & { targetRatio?: { max?: number, min?: number }, targetValue?: { max?: number, min?: number } }} metric
   */
  add(metric) {
    const { targetRatio, targetValue, ...rest } = metric;
    /** @type {Metric} */
    const entry = { ...rest, value: round(metric.value) };
    if (metric.baseline) {
      entry.baseline = { name: metric.baseline.name, value: round(metric.baseline.value) };
      entry.ratio = round(metric.value / metric.baseline.value, 3);
    }
    const bound = targetRatio ?? targetValue;
    if (bound) {
      const subject = targetRatio ? entry.ratio : entry.value;
      const suffix = targetRatio ? 'x' : ` ${metric.unit}`;
      entry.target = [
        bound.max !== undefined ? `<= ${bound.max}${suffix}` : undefined,
        bound.min !== undefined ? `>= ${bound.min}${suffix}` : undefined,
      ]
        .filter(Boolean)
        .join(' and ');
      entry.met =
        subject !== undefined &&
        (bound.max === undefined || subject <= bound.max) &&
        (bound.min === undefined || subject >= bound.min);
    }
    this.metrics.push(entry);
    return entry;
  }

  /**
   * The row maker of one suite whose rows are named `${prefix}: ${label}`: each row gets the
   * suite's `shared` fields (unit, note, baseline), which the row's `extra` adds to or overrides.
   * Fields go in the order results.json has always had, whatever order they were given in.
   * @param {string} prefix
   * @param {Partial<Metric>} shared
   * @returns {(label: string, value: number, extra?: Partial<Parameters<Results['add']>[0]>) => Metric}
   */
  suite(prefix, shared) {
    return (label, value, extra = {}) => {
      const fields = { ...shared, ...extra };
      const metric = { name: `${prefix}: ${label}`, value };
      for (const key of ['unit', 'baseline', 'targetRatio', 'targetValue', 'note']) {
        if (fields[key] !== undefined) metric[key] = fields[key];
      }
      return this.add(metric);
    };
  }

  print() {
    const rows = this.metrics.map((m) => ({
      metric: m.name,
      value: `${format(m.value)} ${m.unit}`,
      baseline: m.baseline ? `${format(m.baseline.value)} (${m.baseline.name})` : '',
      ratio: m.ratio !== undefined ? `${m.ratio}x` : '',
      target: m.target ?? '',
      met: m.met === undefined ? '' : m.met ? 'yes' : 'NO',
    }));
    console.table(rows);
  }

  /** @param {URL} file @param {Record<string, unknown>} meta */
  write(file, meta) {
    mkdirSync(new URL('.', file), { recursive: true });
    const machine = {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
    };
    writeFileSync(
      file,
      `${JSON.stringify({ ...meta, machine, metrics: this.metrics }, null, 2)}\n`,
    );
  }
}

function round(value, digits = 2) {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function format(value) {
  return value >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value);
}
