import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));

describe('README', () => {
  it('shows src/plugin.ts verbatim', async () => {
    const source = await readFile(new URL('../src/plugin.ts', import.meta.url), 'utf8');
    expect(readme).toContain(`\`\`\`ts\n${source}\`\`\``);
  });

  it('shows package.json fields exactly as they are', () => {
    const block = /```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const shown = JSON.parse(block!) as Record<string, unknown>;
    expect(Object.keys(shown)).toContain('plugwork');
    for (const [key, value] of Object.entries(shown)) {
      expect(value, `package.json "${key}"`).toEqual(pkg[key]);
    }
  });
});
