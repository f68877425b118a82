// The README's example is real: it is embedded verbatim from examples/, and it runs.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const codeBlocks = [...readme.matchAll(/```(?:js|json|python)\n([\s\S]*?)```/g)].map(
  (match) => match[1],
);

describe('README', () => {
  it.each([
    'examples/hello-adapter.mjs',
    'examples/basic.mjs',
    'examples/durable.mjs',
    'examples/python.mjs',
    'examples/python-plugins/word-stream/main.py',
    'examples/python-plugins/word-stream/package.json',
  ])('embeds %s verbatim', (file) => {
    expect(codeBlocks).toContain(readFileSync(new URL(file, root), 'utf8'));
  });

  it('starts with the smallest working example', () => {
    const firstSection = readme.split('\n## ')[1] ?? '';
    expect(firstSection.startsWith('Smallest working example')).toBe(true);
  });

  it('its example runs and prints what the comments say', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [fileURLToPath(new URL('examples/basic.mjs', root))],
      { cwd: fileURLToPath(root), timeout: 20_000 },
    );
    expect(stdout).toBe("{ text: 'Hello, world!' }\nHello, stream!\n");
    expect(stderr).toBe('');
  });

  it('its Python example runs and prints what the comments say', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [fileURLToPath(new URL('examples/python.mjs', root))],
      { cwd: fileURLToPath(root), timeout: 30_000 },
    );
    expect(stdout).toBe(
      '{ words: 3 }\nSTREAMED FROM PYTHON\nstreamed 33%, from 67%, Python 100%\n',
    );
    expect(stderr).toBe('');
  });

  it('its durable-jobs example runs and prints what the comments say', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [fileURLToPath(new URL('examples/durable.mjs', root))],
      { cwd: fileURLToPath(root), timeout: 20_000 },
    );
    expect(stdout).toBe(
      "{ text: 'Hello, world!' }\npending\nHello, world!\n[ 'greet-later', 'greet-world' ]\n",
    );
    expect(stderr).toBe('');
  });
});
