// The README's examples are run against a real install in install.test.ts; this checks the rest.
import { readFileSync } from 'node:fs';
import { AdapterErrorCode } from '@plugwork/adapter-kit';
import { NpmDiagnosticCode } from '@plugwork/adapter-npm';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the smallest working example', () => {
    const example = readFileSync(
      new URL('../examples/with-job-manager.mjs', import.meta.url),
      'utf8',
    );
    expect(readme.indexOf(example)).toBeGreaterThan(0);
    expect(readme.indexOf(example)).toBeLessThan(readme.indexOf('## Listing installed plugins'));
  });

  it('documents every diagnostic code in the table, and the thrown ones in prose', () => {
    const table = readme.slice(readme.indexOf('## Diagnostics'), readme.indexOf('## Publishing'));
    const rows = [...table.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    const thrownOnly = [
      AdapterErrorCode.UNKNOWN_PLUGIN,
      AdapterErrorCode.PLUGIN_NOT_LOADED,
      AdapterErrorCode.INVALID_PARAMS,
      AdapterErrorCode.STREAMING_NOT_SUPPORTED,
      AdapterErrorCode.INVALID_CHUNK,
      AdapterErrorCode.INVALID_OPTIONS,
    ] as string[];
    // Not produced here: a missing package.json is DEPENDENCY_NOT_INSTALLED (or not a package),
    // and a package without a plugwork field is not reported.
    const notProduced = [AdapterErrorCode.MISSING_PACKAGE_JSON, AdapterErrorCode.MISSING_MANIFEST];
    const expected = [
      ...Object.values(NpmDiagnosticCode),
      ...Object.values(AdapterErrorCode).filter(
        (code) => !thrownOnly.includes(code) && !(notProduced as string[]).includes(code),
      ),
    ];
    expect(rows.sort()).toEqual(expected.sort());
    for (const code of thrownOnly) expect(table, code).toContain(`\`${code}\``);
  });

  it('documents each option of the schema', () => {
    for (const option of ['root', 'scope', 'allow']) {
      expect(readme).toMatch(new RegExp(`^\\| \`${option}\` \\|`, 'm'));
    }
  });
});

describe('README error example', () => {
  it('quotes the message a bad option really produces', async () => {
    const { createAdapter } = await import('@plugwork/adapter-npm');
    let message = '';
    try {
      createAdapter({ scope: 'x' as 'all' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).not.toBe('');
    expect(readme).toContain(`\`\`\`text\n${message}\n\`\`\``);
  });
});
