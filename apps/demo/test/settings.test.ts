// Settings: defaults, plugwork.config.json, environment and flags, and the errors for each.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, DemoError, resolveSettings } from '../src/index.ts';
import { DEMO_ROOT } from '../src/paths.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'plugwork-demo-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, content: unknown): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function failure(run: () => unknown): DemoError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DemoError);
    return error as DemoError;
  }
  throw new Error('expected a DemoError');
}

describe('resolveSettings', () => {
  it('runs both adapters on 127.0.0.1:3000 with the demo folders by default', () => {
    const settings = resolveSettings({ cwd: dir, env: {} });
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, configFile: undefined });
    expect(settings.adapter).toBe('both');
    expect(settings.server).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(settings.fs.directories).toEqual([
      path.join(DEMO_ROOT, 'plugins'),
      path.join(DEMO_ROOT, 'plugins-extra'),
    ]);
    expect(settings.npm.root).toBe(DEMO_ROOT);
  });

  it('reads ./plugwork.config.json, resolving its paths from its own folder', () => {
    const project = path.join(dir, 'project');
    configFile('project/plugwork.config.json', {
      adapter: 'fs',
      fs: { directories: ['./my-plugins'], watch: false, poolSize: 3 },
      npm: { root: '..' },
      pluginConfigs: { slugify: { separator: '_' } },
      server: { port: 4000 },
    });
    const settings = resolveSettings({ cwd: project, env: {} });
    expect(settings.configFile).toBe(path.join(project, 'plugwork.config.json'));
    expect(settings.adapter).toBe('fs');
    expect(settings.fs).toEqual({
      directories: [path.join(project, 'my-plugins')],
      watch: false,
      poolSize: 3,
    });
    expect(settings.npm.root).toBe(dir);
    expect(settings.pluginConfigs).toEqual({ slugify: { separator: '_' } });
    expect(settings.server.port).toBe(4000);
  });

  it('takes PLUGWORK_CONFIG or --plugwork-config, and flags over env over the file', () => {
    const file = configFile('named.json', {
      adapter: 'npm',
      server: { host: '0.0.0.0', port: 4000 },
    });
    const fromEnv = resolveSettings({ cwd: '/', env: { PLUGWORK_CONFIG: file, PORT: '5000' } });
    expect(fromEnv).toMatchObject({ adapter: 'npm', server: { host: '0.0.0.0', port: 5000 } });
    const fromFlags = resolveSettings({
      cwd: '/',
      env: { PORT: '5000', HOST: '::1' },
      configFile: file,
      adapter: 'both',
      port: '6000',
      host: 'localhost',
    });
    expect(fromFlags).toMatchObject({ adapter: 'both', server: { host: 'localhost', port: 6000 } });
  });

  it('names the field of a config file that is wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ fs: { directory: './x' } }, /"fs\.directory": unknown field/],
      [{ adapter: 'ftp' }, /"adapter": invalid option: expected one of "fs"\|"npm"\|"both"/],
      [{ fs: { poolSize: 0 } }, /"fs\.poolSize": too small/],
      [{ server: { port: '3000' } }, /"server\.port": invalid input: expected number/],
      [{ pluginConfigs: { slugify: 'fast' } }, /"pluginConfigs\.slugify"/],
      [{ fs: { directories: [''] } }, /"fs\.directories\.0": must be a non-empty path/],
    ];
    for (const [content, message] of cases) {
      const file = configFile('bad.json', content);
      const error = failure(() => resolveSettings({ cwd: dir, env: {}, configFile: file }));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toContain(file);
      expect(error.message).toMatch(message);
    }
  });

  it('says when the config file is missing or not JSON', () => {
    const missing = failure(() => resolveSettings({ cwd: dir, env: {}, configFile: 'nope.json' }));
    expect(missing.code).toBe('CONFIG_UNREADABLE');
    expect(missing.message).toMatch(/nope\.json: there is no such file/);
    const broken = configFile('broken.json', '{ "adapter": ');
    const notJson = failure(() => resolveSettings({ cwd: dir, env: {}, configFile: broken }));
    expect(notJson.message).toMatch(/it is not valid JSON/);
  });

  it('refuses a bad --adapter, PORT or --port', () => {
    expect(failure(() => resolveSettings({ cwd: dir, env: {}, adapter: 'ftp' })).message).toBe(
      'Invalid --adapter: "ftp" (use fs, npm or both)',
    );
    expect(failure(() => resolveSettings({ cwd: dir, env: { PORT: 'http' } })).message).toBe(
      'Invalid PORT: "http" is not a port number (0 to 65535)',
    );
    expect(failure(() => resolveSettings({ cwd: dir, env: {}, port: '70000' })).message).toMatch(
      /^Invalid --port/,
    );
  });

  it('accepts the example config the README shows', () => {
    const example = path.join(DEMO_ROOT, 'plugwork.config.example.json');
    const settings = resolveSettings({ cwd: dir, env: {}, configFile: example });
    expect(settings.pluginConfigs).toEqual({
      slugify: { separator: '_' },
      'hash-chain': { algorithm: 'sha512' },
    });
    expect(settings.fs.directories).toEqual(DEFAULT_SETTINGS.fs.directories);
  });
});
