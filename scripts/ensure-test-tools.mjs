#!/usr/bin/env node
// First step of `pnpm test`: the programs the test suites drive, installed where this can be done
// (Debian's packages, when running as root with apt-get), else one line saying what to install,
// and a stop, before any suite runs and fails deep inside for want of it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What the tests need. `found()` says whether it is there. */
const TOOLS = [
  {
    name: 'Chromium',
    why: "the demo's browser test, apps/demo/test/e2e.test.ts",
    // Where the e2e test looks for it (that test declares CHROMIUM_PATH to turbo).
    // biome-ignore lint/suspicious/noUndeclaredEnvVars: this script runs before turbo, not in it
    path: () => process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    debianPackage: 'chromium',
    otherwise: 'set CHROMIUM_PATH to a Chromium binary',
  },
  {
    name: 'redis-server',
    why: 'the BullMQ suites, packages/bullmq/test',
    command: 'redis-server',
    debianPackage: 'redis-server',
    otherwise: 'put redis-server (Redis 6.2 or newer) on the PATH',
  },
  {
    name: 'python3',
    why: 'the Python workers, packages/worker-python',
    command: 'python3',
    debianPackage: 'python3',
    otherwise: 'put python3 (3.9 or newer) on the PATH',
  },
];

function found(tool) {
  return tool.command === undefined ? isExecutable(tool.path()) : onPath(tool.command);
}

/** `a`, `a and b`, `a, b and c`. */
function list(items) {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir !== '' && isExecutable(join(dir, command)));
}

const missing = TOOLS.filter((tool) => !found(tool));
if (missing.length === 0) process.exit(0);

const canInstall = process.getuid?.() === 0 && onPath('apt-get');
if (!canInstall) {
  const packages = missing.map((tool) => tool.debianPackage).join(' ');
  process.stderr.write(
    `pnpm test needs ${list(missing.map((tool) => `${tool.name} (for ${tool.why})`))}: install ${missing.length === 1 ? 'it' : 'them'} (Debian/Ubuntu: sudo apt-get install -y ${packages}) or ${list(missing.map((tool) => tool.otherwise))}, then run the tests again.\n`,
  );
  process.exit(1);
}

const packages = missing.map((tool) => tool.debianPackage);
process.stdout.write(`Installing what the tests need: ${packages.join(', ')} (apt-get)\n`);
for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...packages]]) {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    process.stderr.write(
      `apt-get ${args.join(' ')} failed (exit ${result.status}): install ${packages.join(' ')} by hand, then run the tests again.\n`,
    );
    process.exit(1);
  }
}
const still = missing.filter((tool) => !found(tool));
if (still.length > 0) {
  process.stderr.write(
    `${still.map((tool) => tool.name).join(', ')} still not found after installing: ${still.map((tool) => tool.otherwise).join(', ')}.\n`,
  );
  process.exit(1);
}
