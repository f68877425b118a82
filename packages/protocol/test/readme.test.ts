import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const exampleUrl = new URL('../examples/roundtrip.mjs', import.meta.url);

describe('README', () => {
  it('shows examples/roundtrip.mjs unchanged', () => {
    expect(readme).toContain(readFileSync(exampleUrl, 'utf8'));
  });

  it('shows the output the example really prints', async () => {
    // The example imports the built package by name, the way a user's code does.
    const { stdout } = await run(process.execPath, [exampleUrl.pathname]);
    expect(readme).toContain(`\`\`\`text\n${stdout}\`\`\``);
  });
});
