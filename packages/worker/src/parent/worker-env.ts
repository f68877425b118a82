import type { ResolvedOptions } from '../options.ts';

/**
 * The host variables a sandboxed worker keeps: what programs need to find binaries, a home, a
 * locale, a time zone and a temporary directory. Nothing that usually carries a secret.
 */
export const SANDBOX_ENV_ALLOW_LIST: readonly string[] = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
];

/**
 * The environment worker processes start with. Without a sandbox: worker.env or the host's.
 * With one: the allow-listed host variables (plus LC_*), or all of them with inheritEnv, and
 * worker.env on top. A sandbox that passed the host's API keys to plugin code would grant in
 * the environment what it denies on the disk.
 */
export function workerEnvironment(
  options: Pick<ResolvedOptions, 'permissions' | 'worker'>,
  hostEnv: Record<string, string | undefined> = process.env,
): Record<string, string | undefined> | undefined {
  const { permissions, worker } = options;
  if (permissions === undefined) return worker.env;
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(hostEnv)) {
    if (value === undefined) continue;
    if (
      worker.inheritEnv === true ||
      SANDBOX_ENV_ALLOW_LIST.includes(key) ||
      key.startsWith('LC_')
    ) {
      env[key] = value;
    }
  }
  for (const [key, value] of Object.entries(worker.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}
