// The JSON API against the real server: every endpoint, bad input, unknown names, cancellation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, PluginView, PoolView } from '../src/index.ts';
import type { RunningServer } from '../src/server/start-server.ts';
import { openEventStream, startTestServer, waitFor } from './support/server.ts';

let server: RunningServer;
let base: string;

beforeAll(async () => {
  server = await startTestServer();
  base = server.url.replace(/\/$/, '');
});
afterAll(async () => {
  await server?.close();
});

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${path}`, init);
  return {
    status: response.status,
    body: (await response.json()) as Answer['body'],
    headers: response.headers,
  };
}

async function submit(
  plugin: string,
  params: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Promise<JobView> {
  const answer = await call('POST', '/api/jobs', { plugin, params, ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body.job as JobView;
}

async function finished(id: string): Promise<JobView> {
  return waitFor(async () => {
    const { body } = await call('GET', `/api/jobs/${id}`);
    const job = body.job as JobView;
    return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
  }, `job ${id} to end`);
}

describe('GET /api/plugins', () => {
  it('lists the plugins of both sources, labelled, with their schemas, and the broken one', async () => {
    const { status, body } = await call('GET', '/api/plugins');
    expect(status).toBe(200);
    expect(body.sources).toEqual(['fs', 'python', 'npm']);
    const plugins = body.plugins as PluginView[];
    expect(plugins.map((plugin) => [plugin.id, plugin.source, plugin.streaming])).toEqual([
      ['slugify', 'fs', false],
      ['text-stats', 'fs', false],
      ['word-stream', 'fs', true],
      ['hash-chain', 'fs', true],
      ['py-sentences', 'python', true],
      ['markdown-toc', 'npm', true],
    ]);
    const slugify = plugins.find((plugin) => plugin.name === 'slugify')!;
    expect(slugify.version).toBe('0.1.0');
    expect(slugify.description).toMatch(/URL slugs/);
    expect(slugify.config_schema).toMatchObject({
      properties: { separator: { enum: ['-', '_', '.'] } },
    });
    expect(slugify.params_schema).toMatchObject({ required: ['text'] });
    // Every example plugin declares its params: the page builds a form for each from it.
    for (const plugin of plugins) {
      expect(plugin.params_schema, plugin.name).toMatchObject({
        type: 'object',
        properties: expect.any(Object),
      });
    }
    expect(plugins.find((plugin) => plugin.name === 'markdown-toc')!.location).toMatch(
      /node_modules[\\/]@plugwork[\\/]plugin-example-markdown-toc$/,
    );
    expect(body.diagnostics).toEqual([
      expect.objectContaining({
        source: 'fs',
        code: 'INVALID_MANIFEST',
        plugin_name: 'broken-example',
        location: expect.stringMatching(/plugins-extra[\\/]broken-example$/),
        message: expect.stringContaining('plugwork.streaming'),
      }),
    ]);
  });

  it('GET /api/plugins/:name answers one plugin, 404 for an unknown one', async () => {
    const found = await call('GET', '/api/plugins/markdown-toc');
    expect(found.status).toBe(200);
    expect(found.body.plugin).toMatchObject({ name: 'markdown-toc', source: 'npm' });
    expect((await call('GET', '/api/plugins/npm:markdown-toc')).status).toBe(200);

    const missing = await call('GET', '/api/plugins/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({
      code: 'UNKNOWN_PLUGIN',
      message: expect.stringContaining('No plugin named "nope"'),
    });
  });
});

describe('jobs', () => {
  it('POST /api/jobs for a plugin that was found but not offered: 409, why, and where to look', async () => {
    const answer = await call('POST', '/api/jobs', { plugin: 'broken-example' });
    expect(answer.status).toBe(409);
    expect(answer.body.error!.code).toBe('PLUGIN_UNAVAILABLE');
    expect(answer.body.error!.message).toMatch(
      /^Plugin "broken-example" cannot run: its folder \(.*broken-example\) could not be offered as a plugin, INVALID_MANIFEST: .*plugwork\.streaming.* It is listed under Problems/,
    );
    expect(answer.body.error!.message).not.toContain('No plugin named');
  });

  it("params the plugin's schema refuses fail the job, naming every bad field", async () => {
    const job = await finished((await submit('text-stats', { top: 99, colour: 'red' })).id);
    expect(job.status).toBe('failed');
    expect(job.error!.code).toBe('PLUGIN_ERROR');
    for (const field of ['text:', 'top:', 'colour']) expect(job.error!.message).toContain(field);
  });

  it("keeps what a job's plugin printed, with the job: GET and its event stream", async () => {
    // Long enough that the event stream is open while the job runs (a plugin's output travels
    // on its own pipe and may land after a short job's result).
    const job = await submit('word-stream', { text: 'a b c', delay_ms: 300 }, { stream: true });
    const stream = await openEventStream(`${base}/api/jobs/${job.id}/events`);
    try {
      const log = await stream.next((event) => event.event === 'log');
      expect(log.data).toEqual({ stream: 'stdout', text: 'word-stream: 3 words, 300 ms apart' });
    } finally {
      stream.close();
    }
    await finished(job.id);
    const { body } = await call('GET', `/api/jobs/${job.id}`);
    expect(body.logs).toEqual({
      lines: [{ stream: 'stdout', text: 'word-stream: 3 words, 300 ms apart' }],
      total: 1,
      truncated: false,
    });
  });

  it('POST /api/jobs runs a job; GET /api/jobs/:id shows it and its result', async () => {
    const answer = await call('POST', '/api/jobs', {
      plugin: 'text-stats',
      params: { text: 'One fish. Two fish!', top: 1 },
    });
    expect(answer.status).toBe(202);
    const job = answer.body.job as JobView;
    expect(answer.headers.get('location')).toBe(`/api/jobs/${job.id}`);
    expect(job).toMatchObject({ plugin: 'text-stats', source: 'fs', stream: false });
    expect(['pending', 'running']).toContain(job.status);

    const done = await finished(job.id);
    expect(done.status).toBe('completed');
    expect(done.result).toMatchObject({
      words: 4,
      sentences: 2,
      top_words: [{ word: 'fish', count: 2 }],
    });
    expect(done.runMs).toBeGreaterThanOrEqual(0);
    expect(done.waitMs).toBeGreaterThanOrEqual(0);
    const { body } = await call('GET', `/api/jobs/${job.id}`);
    expect(body.output).toEqual({ text: '', characters: 0, truncated: false });
  });

  it('runs the npm plugin (with its own npm dependency) end to end', async () => {
    const job = await submit('markdown-toc', { markdown: '# Title\n## Part one\n## Part two' });
    const done = await finished(job.id);
    expect(done.status).toBe('completed');
    expect(done.source).toBe('npm');
    expect(done.result).toMatchObject({ toc: expect.stringContaining('[Part one](#part-one)') });
  });

  it('GET /api/jobs/:id/events streams the chunks as they come, then ends', async () => {
    const job = await submit(
      'word-stream',
      { text: 'alpha beta gamma delta', delay_ms: 60 },
      { stream: true },
    );
    const stream = await openEventStream(`${base}/api/jobs/${job.id}/events`);
    expect(stream.response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const first = await stream.next((event) => event.event === 'chunk');
    expect(first.data).toEqual({ text: 'alpha', offset: 0 });
    expect(first.id).toBe('5');
    const end = await stream.next((event) => event.event === 'end');
    await stream.ended;
    const text = stream.events
      .filter((event) => event.event === 'chunk')
      .map((event) => (event.data as { text: string }).text)
      .join('');
    expect(text).toBe('alpha beta gamma delta');
    expect(end.data).toMatchObject({ id: job.id, status: 'completed', progress: 1 });
    // Progress arrived as `job` events while it ran.
    expect(
      stream.events.some(
        (event) => event.event === 'job' && (event.data as JobView).progress !== undefined,
      ),
    ).toBe(true);

    // A late listener gets the whole output; one resuming (Last-Event-ID) only the rest.
    const late = await openEventStream(`${base}/api/jobs/${job.id}/events`);
    await late.ended;
    // The output so far, then what the plugin printed, then the end.
    expect(late.events.map((event) => event.event)).toEqual(['job', 'chunk', 'log', 'end']);
    expect(late.events[1]!.data).toEqual({ text: 'alpha beta gamma delta', offset: 0 });
    expect(late.events[2]!.data).toEqual({
      stream: 'stdout',
      text: 'word-stream: 4 words, 60 ms apart',
    });
    const resumed = await openEventStream(`${base}/api/jobs/${job.id}/events`, {
      'last-event-id': '10',
    });
    await resumed.ended;
    expect(resumed.events[1]!.data).toEqual({ text: ' gamma delta', offset: 10 });
  });

  it('GET /api/jobs lists jobs newest first, filtered by status, plugin and limit', async () => {
    await finished((await submit('slugify', { text: 'First one' })).id);
    await finished((await submit('slugify', { text: 'Second one' })).id);
    const all = (await call('GET', '/api/jobs')).body.jobs as JobView[];
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all[0]!.params).toEqual({ text: 'Second one' });
    expect(all[0]!.submittedAt).toBeGreaterThanOrEqual(all[1]!.submittedAt);

    const slugs = (await call('GET', '/api/jobs?plugin=slugify&status=completed,failed&limit=1'))
      .body.jobs as JobView[];
    expect(slugs).toHaveLength(1);
    expect(slugs[0]!.result).toEqual({ slug: 'second-one' });

    const badStatus = await call('GET', '/api/jobs?status=done');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error!.code).toBe('INVALID_QUERY');
    expect(badStatus.body.error!.message).toMatch(/"status\.0"/);
    const badLimit = await call('GET', '/api/jobs?limit=lots');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error!.message).toMatch(/"limit": must be a whole number/);
    const unknownQuery = await call('GET', '/api/jobs?colour=red');
    expect(unknownQuery.status).toBe(400);
    expect(unknownQuery.body.error!.message).toMatch(/"colour": unknown field/);
  });

  it('a job whose params the plugin refuses fails, and says which param', async () => {
    const job = await submit('slugify', { text: '' });
    const done = await finished(job.id);
    expect(done.status).toBe('failed');
    expect(done.error).toEqual({ code: 'PLUGIN_ERROR', message: expect.stringContaining('text:') });
  });

  it('GET /api/jobs/:id and its events answer 404 for an unknown job', async () => {
    for (const path of ['/api/jobs/no-such-job', '/api/jobs/no-such-job/events']) {
      const answer = await call('GET', path);
      expect(answer.status).toBe(404);
      expect(answer.body.error!.code).toBe('UNKNOWN_JOB');
    }
  });
});

describe('bad requests', () => {
  it('POST /api/jobs refuses bodies that are not JSON, of the wrong shape, or too large', async () => {
    const cases: Array<[unknown, Record<string, string>, number, string, RegExp]> = [
      ['{"plugin": ', {}, 400, 'INVALID_JSON', /not valid JSON/],
      [
        'plugin=text-stats',
        { 'content-type': 'application/x-www-form-urlencoded' },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        /application\/json/,
      ],
      [{}, {}, 400, 'INVALID_BODY', /"plugin"/],
      [{ plugin: '' }, {}, 400, 'INVALID_BODY', /"plugin": must name a plugin/],
      [
        { plugin: 'text-stats', params: 'hello' },
        {},
        400,
        'INVALID_BODY',
        /"params": invalid input: expected record/,
      ],
      [{ plugin: 'text-stats', stream: 'yes' }, {}, 400, 'INVALID_BODY', /"stream"/],
      [{ plugin: 'text-stats', timeoutMs: -5 }, {}, 400, 'INVALID_BODY', /"timeoutMs"/],
      [{ plugin: 'text-stats', param: {} }, {}, 400, 'INVALID_BODY', /"param": unknown field/],
      [[1, 2], {}, 400, 'INVALID_BODY', /expected object/],
      [{ plugin: 'text-stats', params: { job_id: 'mine' } }, {}, 400, 'INVALID_PARAMS', /job_id/],
      [{ plugin: 'no-such-plugin' }, {}, 404, 'UNKNOWN_PLUGIN', /"no-such-plugin"/],
      [
        { plugin: 'text-stats', params: { text: 'x'.repeat(1_100_000) } },
        {},
        413,
        'BODY_TOO_LARGE',
        /1048576 bytes/,
      ],
    ];
    for (const [body, headers, status, code, message] of cases) {
      const answer = await call('POST', '/api/jobs', body, headers);
      expect([answer.status, answer.body.error?.code], JSON.stringify(body).slice(0, 80)).toEqual([
        status,
        code,
      ]);
      expect(answer.body.error!.message).toMatch(message);
    }
  });

  it('refuses state changes from pages of other origins', async () => {
    const answer = await call(
      'POST',
      '/api/jobs',
      { plugin: 'text-stats', params: { text: 'x' } },
      { origin: 'http://evil.example' },
    );
    expect(answer.status).toBe(403);
    expect(answer.body.error!.code).toBe('FORBIDDEN_ORIGIN');
    const same = await call(
      'POST',
      '/api/jobs',
      { plugin: 'text-stats', params: { text: 'x' } },
      { origin: base },
    );
    expect(same.status).toBe(202);
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const answer = await call('GET', '/api/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.body.error).toEqual({
      code: 'NOT_FOUND',
      message: expect.stringContaining('GET /api/nothing-here'),
    });
  });
});

describe('cancellation', () => {
  it('POST /api/jobs/:id/cancel stops a CPU-heavy job between rounds', async () => {
    const job = await submit('hash-chain', { rounds: 100_000, size_kb: 256 });
    await waitFor(async () => {
      const current = (await call('GET', `/api/jobs/${job.id}`)).body.job as JobView;
      return (current.progress ?? 0) > 0 ? current : undefined;
    }, 'progress');
    const answer = await call('POST', `/api/jobs/${job.id}/cancel`);
    expect(answer.status).toBe(200);
    expect(answer.body.cancelled).toBe(true);
    expect(answer.body.job).toMatchObject({
      status: 'cancelled',
      error: { code: 'JOB_CANCELLED', message: expect.stringContaining('stopped when asked') },
    });
    const again = await call('POST', `/api/jobs/${job.id}/cancel`);
    expect(again.status).toBe(200);
    expect(again.body.cancelled).toBe(false);
  });

  it('cancels a queued job at once; the pool shows the queue meanwhile', async () => {
    const long = { text: 'slow words that take their time to arrive one by one', delay_ms: 400 };
    const first = await submit('word-stream', long, { stream: true });
    const second = await submit('word-stream', long, { stream: true });
    const queued = await submit('word-stream', long, { stream: true });
    expect(queued.status).toBe('pending');
    const pools = (await call('GET', '/api/workers')).body.pools as PoolView[];
    expect(pools.find((pool) => pool.source === 'fs')).toMatchObject({ queued: 1, running: 2 });

    const answer = await call('POST', `/api/jobs/${queued.id}/cancel`);
    expect(answer.body).toMatchObject({ cancelled: true, job: { status: 'cancelled' } });
    // It never ran.
    expect((answer.body.job as JobView).startedAt).toBeUndefined();
    // Clean up: the two running jobs end as soon as they are asked to.
    for (const job of [first, second]) await call('POST', `/api/jobs/${job.id}/cancel`);
    for (const job of [first, second]) await finished(job.id);
  });

  it('answers 404 for an unknown job and 400 for a body with fields', async () => {
    const unknown = await call('POST', '/api/jobs/nope/cancel');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error!.code).toBe('UNKNOWN_JOB');
    const job = await submit('text-stats', { text: 'x' });
    const withBody = await call('POST', `/api/jobs/${job.id}/cancel`, { force: true });
    expect(withBody.status).toBe(400);
    expect(withBody.body.error!.message).toMatch(/"force": unknown field/);
  });
});

describe('workers and plugin operations', () => {
  it('GET /api/workers shows each pool: pids, states, loaded plugins, restarts, queue', async () => {
    await finished((await submit('text-stats', { text: 'load me' })).id);
    const { status, body } = await call('GET', '/api/workers');
    expect(status).toBe(200);
    const pools = body.pools as PoolView[];
    expect(pools.map((pool) => [pool.source, pool.workers.length])).toEqual([
      ['fs', 2],
      ['python', 1],
      ['npm', 1],
    ]);
    for (const worker of pools.flatMap((pool) => pool.workers)) {
      expect(worker).toMatchObject({ pid: expect.any(Number), restarts: expect.any(Number) });
      expect(['idle', 'busy']).toContain(worker.state);
    }
    expect(pools[0]!.workers.some((worker) => worker.loadedPlugins.includes('text-stats'))).toBe(
      true,
    );
    expect(pools[0]).toMatchObject({ queued: 0 });
  });

  it('POST /api/plugins/:name/reload applies a new config; a bad one is refused with its field', async () => {
    const before = await finished((await submit('slugify', { text: 'Hello World' })).id);
    expect(before.result).toEqual({ slug: 'hello-world' });

    const reload = await call('POST', '/api/plugins/slugify/reload', {
      config: { separator: '_' },
    });
    expect(reload.status).toBe(200);
    expect(reload.body.plugin).toMatchObject({ id: 'slugify', config: { separator: '_' } });
    expect(reload.body.workers).toEqual([before.workerId]);
    const after = await finished((await submit('slugify', { text: 'Hello World' })).id);
    expect(after.result).toEqual({ slug: 'hello_world' });

    const refused = await call('POST', '/api/plugins/slugify/reload', {
      config: { separator: '~' },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error!.message).toMatch(/separator/);
    // The previous config stays in force.
    const still = await finished((await submit('slugify', { text: 'Hello World' })).id);
    expect(still.result).toEqual({ slug: 'hello_world' });

    const plain = await call('POST', '/api/plugins/slugify/reload');
    expect(plain.status).toBe(200);
  });

  it('POST /api/workers/:source/:worker/restart replaces that worker with a fresh process', async () => {
    const before = (await call('GET', '/api/workers')).body.pools as PoolView[];
    const old = before[0]!.workers[1]!;
    const answer = await call('POST', `/api/workers/fs/${old.workerId}/restart`);
    expect(answer.status).toBe(200);
    const worker = answer.body.worker as PoolView['workers'][number];
    expect(worker).toMatchObject({ workerId: old.workerId, state: 'idle' });
    expect(worker.pid).not.toBe(old.pid);
    expect(worker.restarts).toBe(old.restarts + 1);

    const unknown = await call('POST', '/api/workers/fs/worker-9/restart');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'UNKNOWN_WORKER',
      message: expect.stringContaining('"worker-1", "worker-2"'),
    });
    expect((await call('POST', '/api/workers/ftp/worker-1/restart')).status).toBe(404);
    expect((await call('POST', `/api/workers/fs/${old.workerId}/restart`, { now: 1 })).status).toBe(
      400,
    );
  });

  it('reload refuses bad bodies and unknown plugins', async () => {
    const notObject = await call('POST', '/api/plugins/slugify/reload', { config: 'fast' });
    expect(notObject.status).toBe(400);
    expect(notObject.body.error!.message).toMatch(/"config"/);
    const unknown = await call('POST', '/api/plugins/ghost/reload', { config: {} });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error!.code).toBe('UNKNOWN_PLUGIN');
  });

  it('POST /api/plugins/:name/unload frees the plugin on the workers that had it', async () => {
    const job = await finished((await submit('text-stats', { text: 'load me' })).id);
    const answer = await call('POST', '/api/plugins/text-stats/unload');
    expect(answer.status).toBe(200);
    expect(answer.body.workers).toContain(job.workerId);
    const pools = (await call('GET', '/api/workers')).body.pools as PoolView[];
    expect(pools[0]!.workers.every((worker) => !worker.loadedPlugins.includes('text-stats'))).toBe(
      true,
    );
    // It loads again for the next job.
    expect((await finished((await submit('text-stats', { text: 'again' })).id)).status).toBe(
      'completed',
    );

    expect((await call('POST', '/api/plugins/ghost/unload')).status).toBe(404);
    const withBody = await call('POST', '/api/plugins/text-stats/unload', { now: true });
    expect(withBody.status).toBe(400);
  });
});

describe('GET /api/events', () => {
  it('sends the catalog, jobs and workers on connect, then every job change', async () => {
    const stream = await openEventStream(`${base}/api/events`);
    try {
      const catalog = await stream.next((event) => event.event === 'catalog');
      expect((catalog.data as { plugins: unknown[] }).plugins).toHaveLength(6);
      await stream.next((event) => event.event === 'jobs');
      const workers = await stream.next((event) => event.event === 'workers');
      expect((workers.data as PoolView[]).map((pool) => pool.source)).toEqual([
        'fs',
        'python',
        'npm',
      ]);

      const job = await submit('text-stats', { text: 'watched' });
      const completed = await stream.next(
        (event) =>
          event.event === 'job' &&
          (event.data as JobView).id === job.id &&
          (event.data as JobView).status === 'completed',
      );
      expect(completed.data).toMatchObject({ result: { words: 1 } });
    } finally {
      stream.close();
    }
  });
});

describe('static UI', () => {
  it('serves the page and its modules with a strict content security policy', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await page.text()).toContain('<script type="module" src="js/main.js">');
    const script = await fetch(`${base}/js/main.js`);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });
});
