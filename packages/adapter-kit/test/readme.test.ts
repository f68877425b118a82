import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = new URL('../examples/list-adapter.mjs', import.meta.url);

describe('README', () => {
  it('shows examples/list-adapter.mjs unchanged', () => {
    expect(readme).toContain(`\`\`\`js\n${readFileSync(example, 'utf8')}\`\`\``);
  });

  it('shows the command and the output the example really prints', async () => {
    const match = /```sh\n(node examples\/list-adapter\.mjs [^\n]+)\n```/.exec(readme);
    expect(match).not.toBeNull();
    const args = (match?.[1] ?? '').split(' ').slice(1);
    // Imports the built package by name, the way an adapter author's code does.
    const { stdout } = await run(process.execPath, args, { cwd: packageDir });
    expect(readme).toContain(`\`\`\`text\n${stdout}\`\`\``);
  });
});
