#!/usr/bin/env node
// Prints results.json as the Markdown table of BENCHMARKS.md, so the document shows exactly
// what the run measured: `node bench/table.mjs`.
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync(new URL('./results.json', import.meta.url), 'utf8'));

const number = (value) =>
  Math.abs(value) >= 1000 ? Math.round(value).toLocaleString('en-US') : String(value);

const { date, machine, loadAverage1m: load } = results;
console.log(
  `${date}, ${machine.cpu} (${machine.cpus} cores), ${machine.memoryGiB} GiB, Node ${machine.node.slice(1)}, ${machine.platform}` +
    (load ? `; 1-minute load average ${load.start} at the start, ${load.end} at the end.` : '.'),
);
console.log('');
console.log('| metric | value | baseline (same run) | ratio | target | |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const metric of results.metrics) {
  const baseline = metric.baseline
    ? `${number(metric.baseline.value)} (${metric.baseline.name})`
    : '';
  const ratio = metric.ratio === undefined ? '' : `${metric.ratio}x`;
  const met = metric.met === undefined ? '' : metric.met ? 'met' : '**missed**';
  console.log(
    `| ${metric.name} | ${number(metric.value)} ${metric.unit} | ${baseline} | ${ratio} | ${metric.target ?? ''} | ${met} |`,
  );
}
