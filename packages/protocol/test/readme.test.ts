import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = ['roundtrip.mjs', 'wire.mjs'];

describe.each(examples)('README: examples/%s', (name) => {
  const exampleUrl = new URL(`../examples/${name}`, import.meta.url);

  it('is shown unchanged', () => {
    expect(readme).toContain(readFileSync(exampleUrl, 'utf8'));
  });

  it('is followed by the output it really prints', async () => {
    // The example imports the built package by name, the way a user's code does.
    const { stdout } = await run(process.execPath, [exampleUrl.pathname]);
    expect(readme).toContain(`\`\`\`text\n${stdout}\`\`\``);
  });
});
