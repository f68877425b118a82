// Runs the Deno smoke test (test/deno/smoke.test.ts) with the workspace's Deno, so the suite that
// `turbo run test` runs covers Deno too. `pnpm test:deno` runs the same thing directly.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { WORKSPACE } from './package-managers.ts';

it('the Deno smoke test passes under Deno 2', async () => {
  const deno = path.join(WORKSPACE, 'node_modules/.bin/deno');
  const { stdout } = await promisify(execFile)(
    deno,
    ['test', '-A', '--no-lock', '--no-check', 'test/deno/'],
    { cwd: path.join(import.meta.dirname, '..'), env: { ...process.env, NO_COLOR: '1' } },
  );
  expect(stdout).toMatch(/ok \| 2 passed \| 0 failed/);
}, 60_000);
