// The job history through the API, on the SQLite stores of both sources: filters, paging across
// the two sources (and again after a restart on the same files), bad queries, re-running a job.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../src/index.ts';
import type { RunningServer } from '../src/server/start-server.ts';
import { startTestServer, waitFor } from './support/server.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'plugwork-history-'));
const store = path.join(scratch, 'store');
let server: RunningServer;
let base: string;

async function start(): Promise<void> {
  server = await startTestServer({ store });
  base = server.url.replace(/\/$/, '');
}

beforeAll(start);
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; message: string } };
}

async function call(method: string, route: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${base}${route}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function submit(plugin: string, params: object, extra: object = {}): Promise<JobView> {
  const answer = await call('POST', '/api/jobs', { plugin, params, ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body.job as JobView;
}

async function finished(id: string): Promise<JobView> {
  return waitFor(async () => {
    const job = (await call('GET', `/api/jobs/${id}`)).body.job as JobView;
    return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : undefined;
  }, `job ${id} to end`);
}

/** GET /api/jobs with `query`, following nextCursor to the last page; `between` runs after each. */
async function pages(query: string, between: () => Promise<void> = async () => {}) {
  const found: JobView[][] = [];
  let cursor: string | null = null;
  do {
    const answer = await call(
      'GET',
      `/api/jobs?${query}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    found.push(answer.body.jobs as JobView[]);
    cursor = answer.body.nextCursor as string | null;
    await between();
  } while (cursor !== null && found.length < 20);
  return found;
}

const ids = (jobs: JobView[]) => jobs.map((job) => job.id);

/**
 * `listed` is `expected` newest first: every job once, submission times never increasing, and
 * each source's jobs in the reverse of their submission order (jobs of two sources submitted in
 * the same millisecond may come in either order).
 */
function expectNewestFirst(listed: JobView[], expected: JobView[]): void {
  expect(new Set(ids(listed)).size).toBe(listed.length);
  expect([...ids(listed)].sort()).toEqual([...ids(expected)].sort());
  const times = listed.map((job) => job.submittedAt);
  expect(times).toEqual([...times].sort((a, b) => b - a));
  for (const source of ['fs', 'npm']) {
    const of = (jobs: JobView[]) => ids(jobs.filter((job) => job.source === source));
    expect(of(listed)).toEqual(of(expected).reverse());
  }
}

/** 70 fs jobs and 50 npm jobs, interleaved, and the time between the two halves. */
let submitted: JobView[] = [];
let halfway = 0;

describe('the job history on the SQLite stores of two sources', () => {
  it('pages 120 jobs of two sources in pages of 50: newest first, no gap, no repeat', async () => {
    for (let index = 0; index < 120; index++) {
      if (index === 60) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        halfway = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      submitted.push(
        index % 12 < 7
          ? await submit('text-stats', { text: `job ${index}`, top: 1 })
          : await submit('markdown-toc', { markdown: `# Job ${index}` }),
      );
    }
    submitted = await Promise.all(submitted.map((job) => finished(job.id)));
    expect(submitted.filter((job) => job.source === 'fs')).toHaveLength(70);
    expect(submitted.every((job) => job.status === 'completed')).toBe(true);

    // A job submitted while paging is newer than every page after the first: never in them.
    const late: string[] = [];
    const found = await pages('limit=50', async () => {
      late.push((await submit('text-stats', { text: 'late' })).id);
    });
    expect(found.map((page) => page.length)).toEqual([50, 50, 20]);
    const listed = found.flat();
    expectNewestFirst(listed, submitted);
    await Promise.all(late.map((id) => finished(id)));
  });

  it('filters by status, plugin (name or source:name) and since, page by page', async () => {
    const toc = (await pages('plugin=markdown-toc&status=completed&limit=20')).flat();
    expect(ids(toc)).toEqual(
      ids(submitted.filter((job) => job.plugin === 'markdown-toc')).reverse(),
    );
    const fsStats = (await pages('plugin=fs:text-stats&limit=30')).flat();
    expect(fsStats.every((job) => job.plugin === 'text-stats' && job.source === 'fs')).toBe(true);
    expect(fsStats.length).toBeGreaterThanOrEqual(70);

    const since = (await pages(`since=${halfway}&limit=25`)).flat();
    const laterHalf = submitted.slice(60);
    expectNewestFirst(
      since.filter((job) => laterHalf.some((each) => each.id === job.id)),
      laterHalf,
    );
    expect(since.every((job) => job.submittedAt >= halfway)).toBe(true);
    const iso = await call('GET', `/api/jobs?since=${new Date(halfway).toISOString()}&limit=1000`);
    expect(ids(iso.body.jobs as JobView[])).toEqual(ids(since));
    const until = (await pages(`until=${halfway}&limit=40`)).flat();
    expectNewestFirst(until, submitted.slice(0, 60));

    const none = await call('GET', '/api/jobs?status=failed&plugin=markdown-toc');
    expect(none.body).toEqual({ jobs: [], nextCursor: null });
  });

  it('refuses bad filters and cursors with a 400 that names the field', async () => {
    const cases: [string, RegExp][] = [
      ['status=done', /"status\.0"/],
      ['since=yesterday', /"since": must be a time/],
      ['until=2026-13-45T00:00:00Z', /"until": must be a time/],
      [`since=${halfway}&until=${halfway - 1}`, /"since": is after "until"/],
      ['limit=0', /"limit"/],
      ['cursor=', /"cursor": must be a nextCursor/],
      ['cursor=not-one-of-ours', /"cursor" is not a cursor this server returned/],
      [
        `cursor=${Buffer.from('{"v":1,"fs":0}').toString('base64url')}`,
        /"cursor" was made by a server running other sources \(this one runs fs, npm\)/,
      ],
      [
        `cursor=${Buffer.from('{"v":1,"fs":"zz!","npm":0}').toString('base64url')}`,
        /"cursor" is not a cursor this server returned/,
      ],
    ];
    for (const [query, message] of cases) {
      const answer = await call('GET', `/api/jobs?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error!.code).toBe('INVALID_QUERY');
      expect(answer.body.error!.message, query).toMatch(message);
    }
  });

  it('re-runs a finished job: a new job, same plugin, params, stream and time limit', async () => {
    const params = { text: 'again and again', delay_ms: 1 };
    const first = await finished(
      (await submit('word-stream', params, { stream: true, timeoutMs: 30_000 })).id,
    );
    expect(first.status).toBe('completed');
    const answer = await call('POST', `/api/jobs/${first.id}/rerun`);
    expect(answer.status).toBe(202);
    const again = answer.body.job as JobView;
    expect(again.id).not.toBe(first.id);
    expect(again).toMatchObject({
      plugin: 'word-stream',
      source: 'fs',
      params,
      stream: true,
      metadata: { timeoutMs: 30_000, rerunOf: first.id },
    });
    const done = await finished(again.id);
    expect(done.status).toBe('completed');
    expect(done.output.characters).toBe(first.output.characters);
    // The old job stays as it was.
    expect((await call('GET', `/api/jobs/${first.id}`)).body.job).toMatchObject({
      id: first.id,
      status: 'completed',
      endedAt: first.endedAt,
    });
    const newest = (await call('GET', '/api/jobs?limit=2')).body.jobs as JobView[];
    expect(ids(newest)).toEqual([again.id, first.id]);

    // A job that is still running, and one that never was, cannot be re-run.
    const running = await submit('hash-chain', { rounds: 100_000, size_kb: 64 });
    const refused = await call('POST', `/api/jobs/${running.id}/rerun`);
    expect(refused.status).toBe(409);
    expect(refused.body.error!.code).toBe('JOB_NOT_FINISHED');
    expect(refused.body.error!.message).toMatch(/only a finished job can be re-run/);
    await call('POST', `/api/jobs/${running.id}/cancel`);
    expect((await call('POST', '/api/jobs/no-such-job/rerun')).status).toBe(404);
    expect((await call('POST', `/api/jobs/${first.id}/rerun`, { now: true })).status).toBe(400);
  });

  it('after a restart on the same store files, pages the same history', async () => {
    const before = (await pages('limit=50')).flat();
    expect(before.length).toBeGreaterThan(120);
    await server.close();
    await start();
    const after = await pages('limit=50');
    expect(ids(after.flat())).toEqual(ids(before));
    expect(after.slice(0, -1).every((page) => page.length === 50)).toBe(true);
    // A cursor of the previous run still points at the same place.
    const second = after[1]!;
    const firstPage = await call('GET', '/api/jobs?limit=50');
    const next = await call(
      'GET',
      `/api/jobs?limit=50&cursor=${encodeURIComponent(firstPage.body.nextCursor as string)}`,
    );
    expect(ids(next.body.jobs as JobView[])).toEqual(ids(second));
  });
});
