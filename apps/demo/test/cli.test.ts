// The CLI as `plugwork` (the package's bin) and `pnpm plugwork` run it: bin/plugwork.js, which
// runs the built dist/cli/main.js, from the repository root.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptEnv } from './support/server.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const CLI = path.resolve(import.meta.dirname, '../bin/plugwork.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'plugwork-demo-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** When each piece of stdout arrived, in ms since the start. */
  arrivals: Array<{ at: number; text: string }>;
}

function start(
  args: string[],
  options: { detached?: boolean; env?: Record<string, string> } = {},
): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    // Not under a package manager's script unless a test says so (vitest may run under one).
    env: {
      ...process.env,
      PLUGWORK_CONFIG: '',
      PORT: '',
      npm_lifecycle_event: '',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached === true,
  });
  const startedAt = Date.now();
  const run: Run = { code: null, stdout: '', stderr: '', arrivals: [] };
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    run.stdout += text;
    run.arrivals.push({ at: Date.now() - startedAt, text });
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    run.stderr += text;
  });
  const done = new Promise<Run>((resolve) => {
    child.on('close', (code) => {
      run.code = code;
      resolve(run);
    });
  });
  return { child, done };
}

const cli = (...args: string[]) => start(args).done;

describe('plugwork list', () => {
  it('prints every plugin with its source, and the broken one with its problem', async () => {
    const { code, stdout } = await cli('list');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^PLUGIN\s+SOURCE\s+VERSION\s+STREAMS\s+DESCRIPTION$/);
    expect(lines.slice(1, 7).map((line) => line.split(/\s+/).slice(0, 4).join(' '))).toEqual([
      'slugify fs 0.1.0 no',
      'text-stats fs 0.1.0 no',
      'word-stream fs 0.1.0 yes',
      'hash-chain fs 0.1.0 yes',
      'py-sentences python 0.1.0 yes',
      'markdown-toc npm 0.1.0 yes',
    ]);
    expect(stdout).toContain(
      '1 plugin candidate could not be offered:\n  broken-example (fs) INVALID_MANIFEST\n',
    );
    expect(stdout).toContain(
      '    apps/demo/plugins-extra/broken-example/package.json has an invalid',
    );
  });

  it('--json prints the catalog; --adapter npm lists only the npm plugins', async () => {
    const json = await cli('list', '--json', '--adapter', 'npm');
    expect(json.code).toBe(0);
    const catalog = JSON.parse(json.stdout);
    expect(catalog.sources).toEqual(['npm']);
    expect(catalog.plugins.map((plugin: { id: string }) => plugin.id)).toEqual(['markdown-toc']);
  });
});

describe('plugwork run', () => {
  it('prints the result of a job as JSON', async () => {
    const { code, stdout, stderr } = await cli(
      'run',
      'text-stats',
      '--param',
      'text=Run it. Now!',
      '-p',
      'top=1',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      words: 3,
      sentences: 2,
      top_words: [{ word: 'it', count: 1 }],
    });
  });

  it('--stream prints the chunks as they arrive', async () => {
    const { code, stdout, arrivals } = await cli(
      'run',
      'word-stream',
      '--stream',
      '-p',
      'text=one two three four five six',
      '-p',
      'delay_ms=150',
    );
    expect(code).toBe(0);
    // The output ends its line, even into a pipe.
    expect(stdout).toBe('one two three four five six\n');
    // Six words 150 ms apart: the first pieces were printed long before the last.
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    expect(arrivals.at(-1)!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(450);
  });

  it("shows a spinner with the plugin's progress when stderr is a terminal", async () => {
    // `script` runs the CLI on a pseudo-terminal (stdout and stderr both), as in a shell.
    const command = `${process.execPath} ${CLI} run hash-chain -p rounds=2000 -p size_kb=256`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PLUGWORK_CONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const frames = output.split('\r\u001b[2K').filter((frame) => frame.includes('hash-chain'));
    expect(
      frames.some((frame) => /^. hash-chain \d+% round \d+ of 2000 · \d+\.\d s$/.test(frame)),
    ).toBe(true);
    expect(output).toMatch(/"digest": "[0-9a-f]{64}"/);
  });

  it('--timeout fails a job that runs too long', async () => {
    const { code, stderr } = await cli(
      'run',
      'hash-chain',
      '--timeout',
      '300',
      '-p',
      'rounds=100000',
    );
    expect(code).toBe(1);
    // The advice names the CLI's flag, not the library's option.
    expect(stderr).toMatch(
      /^plugwork: Job .* \(plugin "hash-chain"\) timed out after 300 ms; .*\. Give it longer with --timeout <ms>\n$/,
    );
    expect(stderr).not.toContain('timeoutMs');
  });

  it("types --param values by the plugin's params schema, and refuses bad ones before running", async () => {
    // text-stats wants text: 5 is the text "5", not the number.
    const typed = await cli('run', 'text-stats', '-p', 'text=5');
    expect(typed.stderr).toBe('');
    expect(typed.code).toBe(0);
    expect(JSON.parse(typed.stdout)).toMatchObject({ words: 1, top_words: [{ word: '5' }] });

    const bad = await cli('run', 'text-stats', '-p', 'top=lots', '-p', 'colour=red');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^plugwork: Invalid --param for plugin "text-stats": /);
    expect(bad.stderr).toContain('text: invalid input: expected string, received undefined');
    expect(bad.stderr).toContain('(given: top=lots)');
    expect(bad.stderr).toContain('colour');
    expect(bad.stderr).toContain('Nothing was submitted');
  });

  it('--config gives the plugin its config', async () => {
    const file = path.join(scratch, 'slugify.json');
    writeFileSync(file, JSON.stringify({ separator: '.', lowercase: false }));
    const { code, stdout } = await cli(
      'run',
      'slugify',
      '--config',
      file,
      '-p',
      'text=Hello World',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ slug: 'Hello.World' });
  });

  it('refuses bad params (2), an unknown or an unofferable plugin (1), saying why', async () => {
    const failing = await cli('run', 'word-stream', '-p', 'text=x', '-p', 'delay_ms=20000');
    expect(failing.code).toBe(2);
    expect(failing.stderr).toMatch(/^plugwork: Invalid --param .*delay_ms: /);

    const unknown = await cli('run', 'no-such-plugin');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^plugwork: No plugin named "no-such-plugin"/);

    // Found, but not offered: why, and where its diagnostic is.
    const broken = await cli('run', 'broken-example');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /^plugwork: Plugin "broken-example" cannot run: its folder \(.*plugins-extra\/broken-example\) could not be offered as a plugin, INVALID_MANIFEST: .*plugwork\.streaming.*listed under Problems \(the page, pnpm plugwork list/,
    );
  });

  it('--config is checked against the plugin’s config schema, naming the file', async () => {
    const file = path.join(scratch, 'bad.json');
    writeFileSync(file, JSON.stringify({ separator: '~', maxLength: 500 }));
    const config = await cli('run', 'slugify', '--config', file, '-p', 'text=Hello');
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(
      new RegExp(
        `^plugwork: Invalid --config ${file} for plugin "slugify": separator: .*; maxLength: .*Fix these fields in ${file}`,
      ),
    );
  });

  it('a plugin whose code does not import says so, without blaming its config', async () => {
    const plugins = path.join(scratch, 'plugins');
    const folder = path.join(plugins, 'crashes-on-import');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      path.join(folder, 'package.json'),
      JSON.stringify({ name: 'crashes-on-import', type: 'module', plugwork: {} }),
    );
    writeFileSync(path.join(folder, 'index.js'), "throw new Error('a typo in the plugin');\n");
    const settings = path.join(scratch, 'only-fs.json');
    writeFileSync(settings, JSON.stringify({ adapter: 'fs', fs: { directories: [plugins] } }));
    const run = await cli('run', 'crashes-on-import', '--plugwork-config', settings);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^plugwork: Job .* could not run because plugin "crashes-on-import" could not be loaded: Could not import plugin .*a typo in the plugin\. Fix the error in the plugin's code/,
    );
    expect(run.stderr).not.toMatch(/config/i);
  });

  it('exits 2 on wrong usage', async () => {
    const cases = [
      [['run'], /run needs one plugin name/],
      [['fly'], /unknown command "fly"/],
      [['run', 'text-stats', '--param', 'text'], /Invalid --param: "text"/],
      [
        ['run', 'text-stats', '--colour'],
        /^plugwork: unknown option "--colour"\. plugwork --help lists/,
      ],
      [['run', 'text-stats', '--param'], /^plugwork: option "--param" needs a value/],
      [['list', '--adapter', 'ftp'], /Invalid --adapter: "ftp"/],
    ] as const;
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(...args);
      expect([args.join(' '), code]).toEqual([args.join(' '), 2]);
      expect(stderr).toMatch(message);
    }
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: plugwork <command>/);
  });

  it('Ctrl-C cancels the running job cleanly and exits 130, leaving no worker behind', async () => {
    const { child, done } = start(
      ['run', 'hash-chain', '--stream', '-p', 'rounds=100000', '-p', 'size_kb=16'],
      { detached: true },
    );
    // Wait until the job is running and producing output, then Ctrl-C the terminal's process
    // group: the CLI and its worker processes all get SIGINT, as from a keyboard.
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('close', () => reject(new Error('the CLI ended before printing anything')));
    });
    process.kill(-child.pid!, 'SIGINT');
    const run = await done;
    expect(run.stdout).toMatch(/^round +10000\/100000 {2}[0-9a-f]{16}…\n/);
    expect(run.stdout).not.toContain('done:');
    expect(run.stderr).toMatch(
      /plugwork: cancelling job .*\nplugwork: Job .* \(plugin "hash-chain"\) was cancelled; the plugin stopped when asked\n$/,
    );
    expect(run.code).toBe(130);
    // Nothing of the process group is left: the workers stopped with the CLI.
    expect(() => process.kill(-child.pid!, 0)).toThrow(/ESRCH/);
  });

  it('`pnpm plugwork run`: Ctrl-C cancels the job and pnpm does not call it a failure', async () => {
    const child = spawn(
      'npx',
      [
        '-y',
        'pnpm@12.4.2',
        'plugwork',
        'run',
        'hash-chain',
        '--stream',
        '-p',
        'rounds=100000',
        '-p',
        'size_kb=1',
      ],
      {
        cwd: REPO_ROOT,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: scriptEnv({ PLUGWORK_CONFIG: '' }),
      },
    );
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('close', () =>
        reject(new Error(`the CLI ended before printing anything: ${stderr}`)),
      );
    });
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((resolve) => child.once('close', resolve));
    expect(stderr).toMatch(/plugwork: Job .* was cancelled; the plugin stopped when asked\n/);
    expect(stderr).not.toMatch(/Command failed|ELIFECYCLE/);
    expect(() => process.kill(-child.pid!, 0)).toThrow(/ESRCH/);
  });

  it('Ctrl-C, repeated by a wrapper, is one Ctrl-C; under a package manager script it exits 0', async () => {
    const { child, done } = start(
      ['run', 'hash-chain', '--stream', '-p', 'rounds=100000', '-p', 'size_kb=16'],
      { detached: true, env: { npm_lifecycle_event: 'plugwork' } },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('close', () => reject(new Error('the CLI ended before printing anything')));
    });
    // The terminal's SIGINT to the group, and the same one forwarded by pnpm a moment later.
    process.kill(-child.pid!, 'SIGINT');
    process.kill(child.pid!, 'SIGINT');
    const run = await done;
    expect(run.stderr).toMatch(/was cancelled; the plugin stopped when asked\n$/);
    expect(run.code).toBe(0);
  });
});
