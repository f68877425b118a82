#!/usr/bin/env node
// Reruns the suites that must pass on every supported runtime under Node 24 and Deno 2
// (Node 20, the machine's own, already ran them through `turbo run test`).
// Node 24 comes from the `node` npm package, installed on first use into .runtimes/ so that it
// never shadows the machine's node in node_modules/.bin; Deno comes from the `deno` devDependency.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE24_VERSION = '24';
const node24 = join(root, '.runtimes', 'node24', 'node_modules', '.bin', 'node');
const deno = join(root, 'node_modules', '.bin', 'deno');
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');

/** Packages whose whole vitest suite runs on every runtime. */
const suites = ['packages/protocol'];

function run(command, args, options = {}) {
  console.log(`\n$ ${[command, ...args].join(' ')}${options.cwd ? `   (in ${options.cwd})` : ''}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    ...options,
    cwd: options.cwd ? join(root, options.cwd) : root,
    env: { ...process.env, ...options.env },
  });
  if (result.status !== 0) {
    console.error(`\n${command} exited with ${result.status ?? result.signal}`);
    process.exit(result.status ?? 1);
  }
}

if (!existsSync(node24)) {
  run('npm', [
    'install',
    '--prefix',
    join(root, '.runtimes', 'node24'),
    '--no-save',
    '--no-package-lock',
    '--no-audit',
    '--no-fund',
    `node@${NODE24_VERSION}`,
  ]);
}

for (const cwd of suites) {
  run(node24, [vitest, 'run'], { cwd, env: { PLUGWORK_EXPECT_RUNTIME: 'node24' } });
  run(deno, ['run', '-A', vitest, 'run'], { cwd, env: { PLUGWORK_EXPECT_RUNTIME: 'deno2' } });
}

/**
 * Packages whose whole vitest suite also runs with Node 24 as the host (their Deno coverage is a
 * `deno test` suite below). For the worker this covers Node 24 workers, whose sandbox uses
 * `--permission` where Node 20 uses `--experimental-permission`.
 */
const node24Suites = ['packages/worker'];
for (const cwd of node24Suites) {
  run(node24, [vitest, 'run'], { cwd, env: { PLUGWORK_EXPECT_RUNTIME: 'node24' } });
}

/**
 * Parts of a package's vitest suite that also run with Deno as the runtime: the worker's job
 * store, whose SQLite driver differs per runtime (node:sqlite there, better-sqlite3 on Node 20).
 */
const denoVitestSuites = [{ cwd: 'packages/worker', paths: ['test/store/'] }];
for (const { cwd, paths } of denoVitestSuites) {
  run(deno, ['run', '-A', vitest, 'run', ...paths], {
    cwd,
    env: { PLUGWORK_EXPECT_RUNTIME: 'deno2' },
  });
}

/** Packages with a `deno test` smoke suite of their own (script `test:deno`). */
const denoSmoke = [
  'packages/adapter-fs',
  'packages/adapter-npm',
  'packages/worker',
  'packages/bullmq',
];
for (const cwd of denoSmoke) {
  const pkg = JSON.parse(readFileSync(join(root, cwd, 'package.json'), 'utf8'));
  const script = pkg.scripts?.['test:deno'];
  if (!script) throw new Error(`${cwd} has no test:deno script`);
  const [command, ...args] = script.split(' ');
  run(command === 'deno' ? deno : command, args, { cwd });
}
/**
 * Every package with a deno.json must type-check under Deno and be publishable to JSR (a dry run
 * resolves every import and lists the files). Slow types are allowed: the zod schemas in the
 * public API are not annotated by hand.
 */
const denoPackages = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'deno.json')),
);
for (const name of denoPackages) {
  const cwd = join('packages', name);
  // Every entry point the package exports (`@plugwork/protocol/wire` as well as the main one).
  const { exports } = JSON.parse(readFileSync(join(root, cwd, 'deno.json'), 'utf8'));
  const entries = typeof exports === 'string' ? [exports] : Object.values(exports ?? {});
  run(deno, ['check', ...(entries.length > 0 ? entries : ['src/index.ts'])], { cwd });
  run(deno, ['publish', '--dry-run', '--allow-dirty', '--allow-slow-types'], { cwd });
}
console.log('\nAll runtime suites passed: Node 24 and Deno 2.');
