// Real package managers for install.test.ts: pnpm (pinned, through npx) and the machine's npm.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const PNPM = ['-y', 'pnpm@12.4.2'];

export const WORKSPACE = path.join(import.meta.dirname, '../../..');
export const PROTOCOL_DIR = path.join(WORKSPACE, 'packages/protocol');
export const EXAMPLE_DIR = path.join(WORKSPACE, 'packages/plugin-example-markdown-toc');

/**
 * The environment for a package manager run from inside `pnpm test`: without the npm_* / pnpm_*
 * variables the outer pnpm sets for its scripts, which would otherwise configure the inner run
 * (its lockfile mode, its user agent, its notion of the current package).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm|pnpm)_/i.test(key)) env[key] = value;
  }
  return {
    ...env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

export async function run(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      cwd,
      env: cleanEnv(),
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`,
      { cause: error },
    );
  }
}

/** The tarball file name npm and pnpm give a package: `@scope/name` -> `scope-name-1.0.0.tgz`. */
export function tarballName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

/** Fail early, with what to do, when a package the tests pack has not been built. */
export function requireBuilt(packageDir: string): void {
  if (!existsSync(path.join(packageDir, 'dist/index.js'))) {
    throw new Error(
      `${packageDir}/dist is missing: build it first (pnpm build, or turbo run test, which builds).`,
    );
  }
}

/**
 * `pnpm pack` a workspace package into `destination`: pnpm rewrites `workspace:*` ranges to real
 * versions, as `pnpm publish` does. Returns the tarball path.
 */
export async function pnpmPack(packageDir: string, destination: string): Promise<string> {
  requireBuilt(packageDir);
  await run('npx', [...PNPM, 'pack', '--pack-destination', destination], packageDir);
  const { name, version } = JSON.parse(
    await readFile(path.join(packageDir, 'package.json'), 'utf8'),
  ) as { name: string; version: string };
  return path.join(destination, tarballName(name, version));
}

/** `npm pack` several plain package folders at once into `destination`. */
export async function npmPack(folders: string[], destination: string): Promise<void> {
  await run(
    'npm',
    ['pack', '--silent', '--pack-destination', destination, ...folders],
    destination,
  );
}

/** `npm install` in a project whose package.json lists everything (file: tarballs). */
export async function npmInstall(project: string): Promise<void> {
  await run('npm', ['install', '--no-package-lock', '--loglevel=error'], project);
}

/**
 * `pnpm install` in a project. CI sets CI=true, which makes pnpm insist on an existing lockfile;
 * a fresh temp project has none.
 */
export async function pnpmInstall(project: string): Promise<void> {
  await run('npx', [...PNPM, 'install', '--no-frozen-lockfile', '--reporter=silent'], project);
}
