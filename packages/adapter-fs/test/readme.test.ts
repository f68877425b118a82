// The README's examples are real files, shown unchanged and run here with the output they print.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FsDiagnosticCode } from '@plugwork/adapter-fs';
import { AdapterErrorCode } from '@plugwork/adapter-kit';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function file(relative: string): string {
  return readFileSync(new URL(relative, new URL('..', import.meta.url)), 'utf8');
}

function block(language: string, content: string): string {
  return `\`\`\`${language}\n${content}${content.endsWith('\n') ? '' : '\n'}\`\`\``;
}

/** Run the example the README shows a command for, exactly as shown, from this package. */
async function runShown(example: string): Promise<string> {
  const pattern = new RegExp(`\`\`\`sh\\n(node examples/${example} [^\\n]+)\\n\`\`\``);
  const command = pattern.exec(readme)?.[1];
  expect(command, `README shows how to run ${example}`).toBeDefined();
  const args = (command ?? '').split(' ').slice(1);
  const { stdout } = await run(process.execPath, args, { cwd: packageDir });
  return stdout;
}

describe('README', () => {
  it('starts with the quick start, shown unchanged, with the output it prints', async () => {
    const source = file('examples/quick-start.mjs');
    expect(readme.indexOf(block('js', source))).toBeLessThan(readme.indexOf('## Writing'));
    expect(readme).toContain(block('js', source));
    expect(readme).toContain(block('text', await runShown('quick-start.mjs')));
  });

  it('shows the watch example unchanged, with the output it prints', async () => {
    expect(readme).toContain(block('js', file('examples/watch.mjs')));
    expect(readme).toContain(block('text', await runShown('watch.mjs')));
  });

  it('shows the JobManager example unchanged, with the output it prints', async () => {
    expect(readme).toContain(block('js', file('examples/with-job-manager.mjs')));
    expect(readme).toContain(block('text', await runShown('with-job-manager.mjs')));
  });

  it('shows the demo plugins as they are in apps/demo/plugins', () => {
    const demo = '../../apps/demo/plugins/';
    expect(readme).toContain(block('json', file(`${demo}text-stats/package.json`)));
    expect(readme).toContain(block('js', file(`${demo}text-stats/index.js`)));
    expect(readme).toContain(block('js', file(`${demo}slugify/src/slugify.js`)));
  });

  it('documents every diagnostic and error code', () => {
    for (const code of [...Object.values(AdapterErrorCode), ...Object.values(FsDiagnosticCode)]) {
      expect(readme, code).toContain(`\`${code}\``);
    }
    const table = readme.slice(readme.indexOf('## Diagnostics'), readme.indexOf('## Watch mode'));
    const rows = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    // Codes of errors thrown by a single call are listed in prose, not in the table.
    const thrownOnly = new Set<string>([
      AdapterErrorCode.UNKNOWN_PLUGIN,
      AdapterErrorCode.PLUGIN_NOT_LOADED,
      AdapterErrorCode.INVALID_PARAMS,
      AdapterErrorCode.STREAMING_NOT_SUPPORTED,
      AdapterErrorCode.INVALID_CHUNK,
      AdapterErrorCode.INVALID_OPTIONS,
    ]);
    const diagnosticCodes = [
      ...Object.values(FsDiagnosticCode),
      ...Object.values(AdapterErrorCode).filter((code) => !thrownOnly.has(code)),
    ];
    expect(rows.sort()).toEqual(diagnosticCodes.sort());
  });
});
