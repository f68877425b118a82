#!/usr/bin/env node
// Packs every package of packages/ into a tarball, ready for `npm install <tarball>` in a project
// outside this repository (nothing is on the npm registry yet). `pnpm pack` turns the packages'
// `workspace:*` dependencies on each other into plain versions; npm resolves those to the
// tarballs installed alongside. Build first (`pnpm pack:all` does).
// Usage: node scripts/pack-packages.mjs [destination]   (default: ./tarballs)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const destination = resolve(process.argv[2] ?? join(root, 'tarballs'));

// Under a pnpm script, the pnpm that runs it; otherwise the pinned one, through npx.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by pnpm for its scripts; not a turbo task
const runningPnpm = process.env.npm_execpath;
const pnpm = runningPnpm?.match(/pnpm(\.c?js)?$/)
  ? { command: runningPnpm, args: [] }
  : { command: 'npx', args: ['-y', 'pnpm@12.4.2'] };

/** The folders of packages/ that are packages meant for others (not private). */
function publishablePackages() {
  return readdirSync(join(root, 'packages'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, 'packages', entry.name))
    .filter((folder) => {
      try {
        return JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).private !== true;
      } catch {
        return false;
      }
    });
}

mkdirSync(destination, { recursive: true });
for (const folder of publishablePackages()) {
  const result = spawnSync(
    pnpm.command,
    [...pnpm.args, 'pack', '--pack-destination', destination],
    {
      cwd: folder,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}`);
    process.stderr.write(`pack-packages: packing ${folder} failed (exit ${result.status})\n`);
    process.exit(1);
  }
  process.stdout.write(`${result.stdout.trim().split('\n').at(-1)}\n`);
}
