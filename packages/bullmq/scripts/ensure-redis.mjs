#!/usr/bin/env node
// The tests start their own redis-server (Debian's package). Installs it when it is missing and
// this runs as root (as CI does); otherwise says what to do in one line and fails.
import { spawnSync } from 'node:child_process';

const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
if (found.status === 0) process.exit(0);
if (process.getuid?.() !== 0) {
  console.error(
    'redis-server is not installed: install it (sudo apt-get install -y redis-server) and run the tests again.',
  );
  process.exit(1);
}
console.error("redis-server is missing: installing Debian's redis-server package…");
for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'redis-server']]) {
  const run = spawnSync('apt-get', args, { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(
      `apt-get ${args.join(' ')} failed; install redis-server by hand and run the tests again.`,
    );
    process.exit(1);
  }
}
