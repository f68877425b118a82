import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster, until } from './helpers/cluster.ts';
import { CLI, killNode, type NodeProcess, spawnNode } from './helpers/node-process.ts';
import { PLUGINS_DIR } from './helpers/plugins.ts';

describe('plugwork-node', () => {
  let cluster: Cluster | undefined;
  const nodes: NodeProcess[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(killNode));
    await cluster?.close();
    cluster = undefined;
  });

  it('says what is wrong with its command line, in one line, and exits 2', async () => {
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, [CLI, ...args]).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
    const missing = await run(['--plugins', PLUGINS_DIR]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(
      /^plugwork-node: --redis is required\.\nUsage: plugwork-node --redis/,
    );
    const bad = await run([
      '--redis',
      'redis://127.0.0.1:1',
      '--plugins',
      PLUGINS_DIR,
      '--pool',
      'two',
    ]);
    expect(bad.stderr).toMatch(/--pool "two" is not valid: expected an integer >= 1/);
    const both = await run(['--redis', 'redis://x', '--plugins', 'a', '--npm', 'b']);
    expect(both.stderr).toMatch(/give --plugins or --npm, not both/);
  });

  it('SIGTERM: finishes what it can within --drain-ms, hands the rest back, exits 0', async () => {
    cluster = await startCluster();
    const stopping = await spawnNode(cluster.redis, {
      dir: PLUGINS_DIR,
      pool: 2,
      extra: ['--drain-ms', '500'],
    });
    nodes.push(stopping);
    const runner = cluster.runner();
    const short = await runner.submit('sleep', { ms: 200 });
    const long = await runner.submit('sleep', { ms: 3_000 });
    await until(() => short.status === 'running' && long.status === 'running', 'both run');
    const started = Date.now();
    stopping.child.kill('SIGTERM');
    expect(await stopping.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(stopping.stderr.join('\n')).toMatch(/SIGTERM, finishing running jobs/);
    await expect(short.result).resolves.toMatchObject({ slept: 200, node: stopping.pid });
    expect(long.status).not.toBe('completed');
    expect(await runner.listNodes()).toEqual([]);

    const taker = await spawnNode(cluster.redis, { dir: PLUGINS_DIR });
    nodes.push(taker);
    await expect(long.result).resolves.toMatchObject({ slept: 3_000, node: taker.pid });
  });

  it('--npm serves the plugins installed in a project', async () => {
    cluster = await startCluster();
    const project = mkdtempSync(join(tmpdir(), 'plugwork-npm-project-'));
    try {
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify({ dependencies: { 'test-echo': '*' } }),
      );
      mkdirSync(join(project, 'node_modules'));
      cpSync(join(PLUGINS_DIR, 'echo'), join(project, 'node_modules', 'test-echo'), {
        recursive: true,
      });
      const node = await spawnNode(cluster.redis, { dir: '', npm: project });
      nodes.push(node);
      expect(JSON.parse(await node.waitFor('"ready":true')).plugins).toEqual(['echo']);
      const job = await cluster.runner().submit('echo', { from: 'npm' });
      await expect(job.result).resolves.toMatchObject({ echo: { from: 'npm' }, node: node.pid });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('SIGTERM while Redis is away: still exits, within a few seconds', async () => {
    cluster = await startCluster();
    const node = await spawnNode(cluster.redis, { dir: PLUGINS_DIR });
    nodes.push(node);
    await cluster.redis.stop();
    const started = Date.now();
    node.child.kill('SIGTERM');
    expect(await node.exited).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(15_000);
    await cluster.redis.start();
  });
});
