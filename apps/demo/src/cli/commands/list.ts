import * as path from 'node:path';
import type { DemoHost } from '../../host/demo-host.ts';

/**
 * `plugwork list`: a table of plugins, then the problems of the candidates that are not offered
 * (paths inside `cwd` shown relative to it).
 */
export function listCommand(host: DemoHost, options: { json: boolean; cwd: string }): string {
  const catalog = host.catalog();
  const { plugins, diagnostics } = catalog;
  if (options.json) return `${JSON.stringify(catalog, null, 2)}\n`;
  const rows = [
    ['PLUGIN', 'SOURCE', 'VERSION', 'STREAMS', 'DESCRIPTION'],
    ...plugins.map((plugin) => [
      plugin.id,
      plugin.source,
      plugin.version ?? '-',
      plugin.streaming ? 'yes' : 'no',
      plugin.description ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd(),
  );
  if (plugins.length === 0) lines.push('(no plugins)');
  const relative = (text: string) => text.replaceAll(`${options.cwd}${path.sep}`, '');
  if (diagnostics.length > 0) {
    lines.push(
      '',
      `${diagnostics.length} plugin candidate${diagnostics.length === 1 ? '' : 's'} could not be offered:`,
    );
    for (const diagnostic of diagnostics) {
      lines.push(
        `  ${diagnostic.plugin_name ?? relative(diagnostic.location)} (${diagnostic.source}) ${diagnostic.code}`,
        `    ${relative(diagnostic.message)}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
