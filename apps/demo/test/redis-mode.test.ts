// `pnpm demo --redis <url>`: the same API against BullMQ on a real redis-server, with the node in
// the server's process and a second one (plugwork-node, started with the README's command line)
// in a process of its own; then the workers panel in headless Chromium.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../src/config/settings.ts';
import type { JobView, PoolView } from '../src/index.ts';
import { type RunningServer, startServer } from '../src/server/start-server.ts';
import { launchChromium, openPage, screenshotPath, VIEWPORTS } from './support/chromium.ts';
import { spawnNode, startRedis, type TestRedis } from './support/redis.ts';
import { openEventStream, quietLogger, waitFor } from './support/server.ts';

const PLUGINS = fileURLToPath(new URL('../plugins', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** The README's second-terminal line: its flags, pointed at this test's Redis and prefix. */
function readmeNodeArgs(redis: TestRedis): string[] {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const line = readme
    .split('\n')
    .find((each) => each.startsWith('apps/demo/node_modules/.bin/plugwork-node '));
  if (line === undefined) throw new Error('README.md: no plugwork-node line');
  const args = line
    .split(' ')
    .slice(1)
    .map((arg) => (arg === 'redis://127.0.0.1:6379' ? redis.url : arg));
  return [
    ...args,
    '--prefix',
    redis.prefix,
    '--name',
    'second-node',
    '--no-watch',
    '--drain-ms',
    '0',
  ];
}
const TERMINAL = ['completed', 'failed', 'cancelled'];

describe('the demo in --redis mode', () => {
  let redis: TestRedis;
  let second: Awaited<ReturnType<typeof spawnNode>>;
  let server: RunningServer;
  let base: string;

  beforeAll(async () => {
    redis = await startRedis();
    second = await spawnNode(readmeNodeArgs(redis), ROOT);
    const settings = resolveSettings({
      config: { server: { port: 0 }, fs: { directories: [PLUGINS], watch: false, poolSize: 1 } },
      env: {},
      redis: redis.url,
      redisPrefix: redis.prefix,
    });
    server = await startServer({ settings, logger: quietLogger() });
    base = server.url.replace(/\/$/, '');
  });
  afterAll(async () => {
    await server?.close();
    await second?.stop();
    await redis?.close();
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the answers' shapes are what the test checks.
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };
  const submit = async (plugin: string, params: object, extra: object = {}) => {
    const answer = await call('POST', '/api/jobs', { plugin, params, ...extra });
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    return answer.body.job as JobView;
  };
  const finished = (id: string) =>
    waitFor(async () => {
      const job = (await call('GET', `/api/jobs/${id}`)).body.job as JobView;
      return TERMINAL.includes(job.status) ? job : undefined;
    }, `job ${id} to end`);

  it('lists both nodes, with machine, pid and plugins, and the catalog of what they offer', async () => {
    const pools = await waitFor(async () => {
      const answer = (await call('GET', '/api/workers')).body.pools as PoolView[];
      return answer[0]?.nodes?.length === 2 ? answer : undefined;
    }, 'two nodes');
    expect(pools).toHaveLength(1);
    const nodes = pools[0]!.nodes!;
    expect(pools[0]).toMatchObject({ source: 'redis', workers: [] });
    const local = nodes.find((node) => node.local)!;
    const other = nodes.find((node) => !node.local)!;
    expect(local).toMatchObject({ pid: process.pid, poolSize: 1 });
    expect(other).toMatchObject({ name: 'second-node', pid: second.pid, poolSize: 2 });
    for (const node of nodes) expect(node.host).toBeTypeOf('string');
    expect([...local.plugins].sort()).toEqual(['slugify', 'text-stats', 'word-stream']);
    // The README's node also has plugins-extra: the catalog is what any live node offers.
    expect([...other.plugins].sort()).toEqual([
      'hash-chain',
      'slugify',
      'text-stats',
      'word-stream',
    ]);
    const catalog = await waitFor(async () => {
      const answer = (await call('GET', '/api/plugins')).body;
      return answer.plugins.length === 4 ? answer : undefined;
    }, 'the catalog of both nodes');
    expect(catalog.sources).toEqual(['redis']);
    expect(catalog.plugins.map((plugin: { id: string }) => plugin.id).sort()).toEqual([
      'hash-chain',
      'slugify',
      'text-stats',
      'word-stream',
    ]);
    const stream = catalog.plugins.find((plugin: { id: string }) => plugin.id === 'word-stream');
    expect(stream).toMatchObject({ streaming: true, source: 'redis' });
    expect(stream.params_schema.required).toEqual(['text']);
  });

  it('runs jobs on both nodes and reports each one, with the node that ran it', async () => {
    const jobs = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        // Streamed, so that the words are paced: each job takes about 300 ms.
        submit(
          'word-stream',
          { text: `job ${index} takes a moment`, delay_ms: 60 },
          { stream: true },
        ),
      ),
    );
    const done = await Promise.all(
      jobs.map(async (job) => {
        await finished(job.id);
        // The node that ran it comes from the job's final BullMQ record, read just after.
        return waitFor(async () => {
          const view = (await call('GET', `/api/jobs/${job.id}`)).body.job as JobView;
          return view.workerId === undefined ? undefined : view;
        }, `job ${job.id}'s node`);
      }),
    );
    for (const job of done) {
      expect(job).toMatchObject({ status: 'completed', source: 'redis' });
      expect(job.result).toMatchObject({ chunks: 5 });
      expect(job.output.characters).toBe(String(job.params.text).length);
    }
    const ranOn = new Set(done.map((job) => job.workerId));
    expect(ranOn).toContain('second-node');
    expect(ranOn.size).toBe(2);
  });

  it('pages the job history newest first, with no job twice, and re-runs a job', async () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const query = `/api/jobs?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = (await call('GET', query)).body;
      seen.push(...page.jobs.map((job: JobView) => job.id));
      cursor = page.nextCursor;
    } while (cursor);
    // The eight jobs of the test before, newest first, each once.
    expect(seen.length).toBeGreaterThanOrEqual(8);
    expect(new Set(seen).size).toBe(seen.length);
    const all = (await call('GET', '/api/jobs?limit=100')).body.jobs as JobView[];
    expect(seen).toEqual(all.map((job) => job.id));
    const again = await call('POST', `/api/jobs/${all[0]!.id}/rerun`, {});
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    const rerun = await finished(again.body.job.id);
    expect(rerun).toMatchObject({ status: 'completed', params: all[0]!.params });
    expect(rerun.metadata).toMatchObject({ rerunOf: all[0]!.id });
  });

  it('streams a job to the page: every chunk in order, then the end', async () => {
    const text = 'chunks travel from a node through Redis to the page';
    const job = await submit('word-stream', { text, delay_ms: 20 }, { stream: true });
    const events = await openEventStream(`${base}/api/jobs/${job.id}/events`);
    try {
      const end = await events.next((event) => event.event === 'end');
      const chunks = events.events
        .filter((event) => event.event === 'chunk')
        .map((event) => (event.data as { text: string }).text);
      expect(chunks.join('')).toBe(text);
      expect(chunks.length).toBeGreaterThan(1);
      expect(end.data).toMatchObject({ status: 'completed', output: { characters: text.length } });
    } finally {
      events.close();
    }
  });

  it('cancels a running job on whichever node runs it, and a queued one at once', async () => {
    const words = Array.from({ length: 200 }, (_, index) => `w${index}`).join(' ');
    // Three long jobs fill both nodes (pools of 1 and 2); the fourth waits in the queue.
    const running: JobView[] = [];
    for (let index = 0; index < 3; index++) {
      running.push(await submit('word-stream', { text: words, delay_ms: 100 }, { stream: true }));
    }
    await waitFor(async () => {
      const views = await Promise.all(
        running.map(async (job) => (await call('GET', `/api/jobs/${job.id}`)).body.job),
      );
      return views.every((view: JobView) => view.status === 'running') ? true : undefined;
    }, 'the long jobs to run');
    const queued = await submit('word-stream', { text: words, delay_ms: 100 });
    const workers = (await call('GET', '/api/workers')).body.pools[0].nodes as {
      running: { id: string }[];
    }[];
    expect(workers).toHaveLength(2);

    const cancelQueued = await call('POST', `/api/jobs/${queued.id}/cancel`);
    expect(cancelQueued.body).toMatchObject({ cancelled: true, job: { status: 'cancelled' } });
    for (const job of running) {
      const answer = await call('POST', `/api/jobs/${job.id}/cancel`);
      expect(answer.body).toMatchObject({ cancelled: true, job: { status: 'cancelled' } });
      expect(answer.body.job.error.code).toBe('JOB_CANCELLED');
      // It stopped early: far fewer than the 200 words were streamed.
      expect(answer.body.job.output.characters).toBeLessThan(words.length);
    }
  });

  it('the workers panel shows both nodes, and the job one of them runs (Chromium)', async () => {
    const browser = await launchChromium();
    const words = Array.from({ length: 100 }, (_, index) => `w${index}`).join(' ');
    const job = await submit('word-stream', { text: words, delay_ms: 100 }, { stream: true });
    try {
      const page = await openPage(browser, VIEWPORTS[0]);
      await page.goto(server.url);
      const nodes = page.getByTestId('node');
      await expect.poll(() => nodes.count(), { timeout: 20_000 }).toBe(2);
      await page.locator('[data-node="second-node"]').waitFor();
      // A node's running jobs show as of its next heartbeat.
      await page
        .getByTestId('node-running')
        .filter({ hasText: job.id.slice(-8) })
        .waitFor();
      const pool = page.getByTestId('pool-redis');
      await expect.poll(() => pool.textContent()).toContain('2 nodes');
      await pool.screenshot({ path: screenshotPath('redis-nodes') });
      expect(await page.locator('[data-node="second-node"]').textContent()).toContain('hash-chain');
    } finally {
      await call('POST', `/api/jobs/${job.id}/cancel`);
      await browser.close();
    }
  });

  it('says that operations on local workers do not exist in this mode', async () => {
    const reload = await call('POST', '/api/plugins/slugify/reload', {});
    expect(reload.status).toBe(409);
    expect(reload.body.error.code).toBe('NOT_IN_REDIS_MODE');
    expect(reload.body.error.message).toMatch(/plugins run on the nodes/);
  });
});

describe('--redis flags', () => {
  it('a Redis that does not answer: the server does not start, and says why, within seconds', async () => {
    // A port nothing listens on: a listener opened and closed at once.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const settings = resolveSettings({
      config: { server: { port: 0 }, fs: { directories: [PLUGINS], watch: false, poolSize: 1 } },
      env: {},
      redis: `redis://127.0.0.1:${port}`,
    });
    const started = Date.now();
    await expect(startServer({ settings, logger: quietLogger() })).rejects.toThrow(
      new RegExp(`Redis at 127\\.0\\.0\\.1:${port} is not reachable`),
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('defaults: prefix plugwork, a node in the server process', () => {
    const settings = resolveSettings({ config: {}, env: {}, redis: 'redis://10.0.0.5:6379' });
    expect(settings.redis).toEqual({
      url: 'redis://10.0.0.5:6379',
      prefix: 'plugwork',
      localNode: true,
    });
    expect(resolveSettings({ config: {}, env: {} }).redis).toBeUndefined();
  });

  it('refuses what cannot work, naming the flag', () => {
    expect(() => resolveSettings({ config: {}, env: {}, redis: '127.0.0.1:6379' })).toThrow(
      /Invalid --redis: "127.0.0.1:6379" is not a Redis URL \(use redis:\/\/host:port/,
    );
    expect(() =>
      resolveSettings({ config: {}, env: {}, redis: 'redis://h:1', redisPrefix: 'a:b' }),
    ).toThrow(/Invalid --redis-prefix: "a:b"/);
    expect(() => resolveSettings({ config: {}, env: {}, localNode: false })).toThrow(
      /Invalid --no-local-node: it only applies with --redis <url>/,
    );
  });
});
