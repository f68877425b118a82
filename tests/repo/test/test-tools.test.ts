// `pnpm test` brings what its suites need: scripts/ensure-test-tools.mjs runs first, installs
// Chromium, redis-server and python3 with apt-get where it can (root), and otherwise stops at
// once with one line.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../../..');
const SCRIPT = path.join(REPO, 'scripts/ensure-test-tools.mjs');

async function ensure(env: Record<string, string>) {
  return promisify(execFile)(process.execPath, [SCRIPT], { env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('the test command and the tools its tests need', () => {
  it('runs the check first, and CI installs nothing beyond the README commands', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    expect(pkg.scripts.test).toMatch(/^node scripts\/ensure-test-tools\.mjs && /);
    const ci = readFileSync(path.join(REPO, '.ci/run'), 'utf8');
    expect(ci).not.toMatch(/apt-get|apt install|install -y/);
    expect(ci).toContain('npx -y pnpm@12.4.2 install --frozen-lockfile\n');
    expect(ci).toContain('npx -y pnpm@12.4.2 test\n');
  });

  it('says nothing and goes on when Chromium is there', async () => {
    const result = await ensure({ PATH: process.env.PATH ?? '', CHROMIUM_PATH: process.execPath });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('stops at once with one line saying what to install when it cannot install it', async () => {
    // No apt-get on this PATH: whoever runs it, there is nothing to install with.
    const result = await ensure({
      PATH: '/nonexistent',
      CHROMIUM_PATH: '/nonexistent/chromium',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "pnpm test needs Chromium (for the demo's browser test, apps/demo/test/e2e.test.ts), redis-server (for the BullMQ suites, packages/bullmq/test) and python3 (for the Python workers, packages/worker-python): install them (Debian/Ubuntu: sudo apt-get install -y chromium redis-server python3) or set CHROMIUM_PATH to a Chromium binary, put redis-server (Redis 6.2 or newer) on the PATH and put python3 (3.9 or newer) on the PATH, then run the tests again.\n",
    );
  });

  it('names only what is missing: Chromium alone, when the other tools are there', async () => {
    // A PATH with the other tools the suites need, but no Chromium and no apt-get.
    const bin = mkdtempSync(path.join(tmpdir(), 'plugwork-tools-'));
    try {
      for (const tool of ['redis-server', 'python3']) {
        writeFileSync(path.join(bin, tool), '#!/bin/sh\n', { mode: 0o755 });
      }
      const result = await ensure({ PATH: bin, CHROMIUM_PATH: '/nonexistent/chromium' });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        "pnpm test needs Chromium (for the demo's browser test, apps/demo/test/e2e.test.ts): install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary, then run the tests again.\n",
      );
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
