// The demo's Python plugin (plugins/py-sentences) through the API: a second JobManager with
// runtime 'python' over the same folders, listed as the `python` source. Result, streaming with
// progress and printed lines, cancellation, and what the catalog shows with Python turned off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DemoHost,
  type JobView,
  type PluginView,
  type PoolView,
  resolveSettings,
} from '../src/index.ts';
import type { RunningServer } from '../src/server/start-server.ts';
import { openEventStream, quietLogger, startTestServer, waitFor } from './support/server.ts';

let server: RunningServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer({ adapter: 'fs', fs: { watch: false }, store: false });
  base = server.url.replace(/\/$/, '');
});
afterAll(async () => {
  await server?.close();
});

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function submit(params: Record<string, unknown>, stream = false): Promise<JobView> {
  const answer = await call('POST', '/api/jobs', { plugin: 'py-sentences', params, stream });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body.job as JobView;
}

async function finished(id: string): Promise<JobView> {
  return waitFor(async () => {
    const job = (await call('GET', `/api/jobs/${id}`)).body.job as JobView;
    return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
  }, `job ${id} to end`);
}

const TEXT = 'One fish swims. Two fish follow it! Where do they go?';

describe('the Python plugin in the demo', () => {
  it('is listed beside the JavaScript plugins, with its params schema and its own pool', async () => {
    const { body } = await call('GET', '/api/plugins');
    expect(body.sources).toEqual(['fs', 'python']);
    const plugins = body.plugins as PluginView[];
    expect(plugins.map((plugin) => `${plugin.source}:${plugin.id}`)).toEqual([
      'fs:slugify',
      'fs:text-stats',
      'fs:word-stream',
      'fs:hash-chain',
      'python:py-sentences',
    ]);
    expect(plugins.at(-1)).toMatchObject({
      streaming: true,
      location: expect.stringMatching(/plugins-extra[\\/]py-sentences$/),
      params_schema: { required: ['text'], properties: { delay_ms: { type: 'integer' } } },
    });
    // Each runtime's manager reports the other's folders as OTHER_RUNTIME: not a problem here.
    expect(body.diagnostics).toEqual([
      expect.objectContaining({ source: 'fs', plugin_name: 'broken-example' }),
    ]);
    const pools = (await call('GET', '/api/workers')).body.pools as PoolView[];
    expect(pools.map((pool) => [pool.source, pool.workers.length])).toEqual([
      ['fs', 2],
      ['python', 1],
    ]);
  });

  it('runs a job to its result', async () => {
    const job = await submit({ text: TEXT });
    expect(job).toMatchObject({ plugin: 'py-sentences', source: 'python' });
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: 'completed', progress: 1, workerId: 'worker-1' });
    expect(done.result).toMatchObject({
      sentences: 3,
      words: 11,
      details: [{ words: 3, longest_word: 'swims' }, { words: 4 }, { words: 4 }],
    });
  });

  it('streams a line per sentence with progress and what it printed', async () => {
    const job = await submit({ text: TEXT, delay_ms: 50 }, true);
    const stream = await openEventStream(`${base}/api/jobs/${job.id}/events`);
    const end = await stream.next((event) => event.event === 'end');
    await stream.ended;
    const text = stream.events
      .filter((event) => event.event === 'chunk')
      .map((event) => (event.data as { text: string }).text)
      .join('');
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^1\. 3 words, longest "swims", grade [\d.]+: One fish swims\.$/),
      expect.stringMatching(/^2\. 4 words, .*: Two fish follow it!$/),
      expect.stringMatching(/^3\. 4 words, .*: Where do they go\?$/),
      '',
    ]);
    expect(end.data).toMatchObject({ status: 'completed', progress: 1 });
    expect(end.data).toMatchObject({ progressMessage: 'sentence 3 of 3' });
    const { logs } = (await call('GET', `/api/jobs/${job.id}`)).body as {
      logs: { lines: unknown[] };
    };
    expect(logs.lines).toEqual([
      { stream: 'stdout', text: 'py-sentences: 3 sentences, 50 ms apart' },
    ]);
  });

  it('stops at once when cancelled, keeping the output so far', async () => {
    const job = await submit({ text: TEXT, delay_ms: 10_000 }, true);
    // The first sentence waits 10 s: the cancel wakes the plugin's ctx.sleep.
    await waitFor(async () => {
      const view = (await call('GET', `/api/jobs/${job.id}`)).body.job as JobView;
      return view.status === 'running' ? view : undefined;
    }, 'the job to start');
    const started = Date.now();
    const answer = await call('POST', `/api/jobs/${job.id}/cancel`);
    expect(answer.body).toMatchObject({ cancelled: true, job: { status: 'cancelled' } });
    // Well inside the 3 s grace after which the worker would be killed: the plugin stopped.
    expect(Date.now() - started).toBeLessThan(2_500);
    const pools = (await call('GET', '/api/workers')).body.pools as PoolView[];
    expect(pools.find((pool) => pool.source === 'python')!.workers[0]!.restarts).toBe(0);
    const logs = await waitFor(async () => {
      const { lines } = (await call('GET', `/api/jobs/${job.id}`)).body.logs as {
        lines: { text: string }[];
      };
      return lines.length === 2 ? lines : undefined;
    }, 'the plugin to say it stopped');
    expect(logs[1]!.text).toBe('py-sentences: cancelled after 0 of 3 sentences');
  });

  it('fails a job whose params it refuses, naming the param', async () => {
    const done = await finished((await submit({ text: TEXT, delay_ms: -1 })).id);
    expect(done).toMatchObject({ status: 'failed', error: { code: 'PLUGIN_ERROR' } });
    expect(done.error!.message).toMatch(/"delay_ms" must be a whole number/);
  });
});

describe('with Python turned off', () => {
  it('runs no Python pool, and the Python folder is a problem of the fs source', async () => {
    const host = await DemoHost.start({
      settings: resolveSettings({
        config: { adapter: 'fs', fs: { watch: false }, python: { enabled: false } },
        env: {},
      }),
      logger: quietLogger(),
    });
    try {
      expect(host.sources).toEqual(['fs']);
      expect(host.catalog().diagnostics).toContainEqual(
        expect.objectContaining({
          source: 'fs',
          code: 'OTHER_RUNTIME',
          plugin_name: 'py-sentences',
        }),
      );
      expect(() => host.plugin('py-sentences')).toThrow(/OTHER_RUNTIME/);
    } finally {
      await host.shutdown();
    }
  });
});
