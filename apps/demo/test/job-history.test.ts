// The merged history paging of several sources (src/host/job-history.ts), against sources that
// page as the worker package's stores do: newest first by submission order, a cursor after a
// seq, `nextCursor` only when more jobs follow. The API tests page the real stores.
import type { Job, JobList, JobStatus, ListJobsFilter } from '@plugwork/worker';
import { describe, expect, it } from 'vitest';
import { type HistorySource, historyPage } from '../src/host/job-history.ts';
import type { SourceName } from '../src/host/views.ts';

interface FakeJob {
  seq: number;
  id: string;
  plugin: string;
  status: JobStatus;
  submittedAt: number;
}

/** A source whose jobs page like a store's; `queries` counts the listJobs calls. */
function fakeSource(name: SourceName) {
  const jobs: FakeJob[] = [];
  const source = {
    name,
    queries: 0,
    jobs,
    add(submittedAt: number, plugin = 'p', status: JobStatus = 'completed'): FakeJob {
      const job = {
        seq: jobs.length + 1,
        id: `${name}-${jobs.length + 1}`,
        plugin,
        status,
        submittedAt,
      };
      jobs.push(job);
      return job;
    },
    listJobs(filter: ListJobsFilter): JobList {
      source.queries++;
      const statuses = filter.status === undefined ? undefined : [filter.status].flat();
      let after = Number.POSITIVE_INFINITY;
      if (filter.cursor !== undefined) {
        const match = /^n(\d+)$/.exec(filter.cursor);
        if (match === null) throw Object.assign(new Error('bad cursor'), { code: 'INVALID_QUERY' });
        after = Number(match[1]);
      }
      const matching = jobs
        .filter(
          (job) =>
            job.seq < after &&
            (statuses === undefined || statuses.includes(job.status)) &&
            (filter.plugin === undefined || job.plugin === filter.plugin) &&
            (filter.since === undefined || job.submittedAt >= filter.since) &&
            (filter.until === undefined || job.submittedAt < filter.until),
        )
        .reverse();
      const limit = filter.limit ?? 50;
      const page = matching.slice(0, limit);
      const more = matching.length > limit;
      return Object.assign(
        page.map((job) => ({ ...job }) as unknown as Job),
        {
          nextCursor: more ? `n${page[page.length - 1]!.seq}` : undefined,
        },
      );
    },
  };
  return source satisfies HistorySource;
}

/** Every page of a query, the cursor of each fed to the next. */
function allPages(
  sources: HistorySource[],
  query: Omit<Parameters<typeof historyPage>[1], 'cursor'>,
  between: (page: number) => void = () => {},
) {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = historyPage(sources, { ...query, ...(cursor === undefined ? {} : { cursor }) });
    pages.push(page.jobs.map(({ job }) => job.id));
    cursor = page.nextCursor;
    between(pages.length);
  } while (cursor !== undefined && pages.length < 100);
  return pages;
}

describe('historyPage', () => {
  it('pages two interleaved sources newest first, with no gap and no repeat', () => {
    const fs = fakeSource('fs');
    const npm = fakeSource('npm');
    // Interleaved unevenly, with equal submission times across the sources.
    for (let time = 1; time <= 120; time++) {
      if (time % 3 !== 0) fs.add(time);
      if (time % 2 === 0) npm.add(time);
    }
    const everything = [...fs.jobs, ...npm.jobs];
    const pages = allPages([fs, npm], { limit: 50 });
    const ids = pages.flat();
    expect(everything).toHaveLength(140);
    expect(pages.map((page) => page.length)).toEqual([50, 50, 40]);
    expect(new Set(ids).size).toBe(everything.length);
    const times = ids.map((id) => everything.find((job) => job.id === id)!.submittedAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Time 120 is npm's, 119 fs's, 118 both: a tie goes to the first source.
    expect(ids.slice(0, 4)).toEqual(['npm-60', 'fs-80', 'fs-79', 'npm-59']);
  });

  it('jobs submitted while paging come before the first page, never into later ones', () => {
    const fs = fakeSource('fs');
    const npm = fakeSource('npm');
    for (let time = 1; time <= 60; time++) (time % 2 === 0 ? fs : npm).add(time);
    let time = 1_000;
    const added: string[] = [];
    const pages = allPages([fs, npm], { limit: 25 }, () => {
      added.push(fs.add(time++).id, npm.add(time++).id);
    });
    const ids = pages.flat();
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect(ids.filter((id) => added.includes(id))).toEqual([]);
  });

  it('an exhausted source stays out of later queries; the last page says so', () => {
    const fs = fakeSource('fs');
    const npm = fakeSource('npm');
    for (let time = 1; time <= 10; time++) npm.add(time);
    for (let time = 100; time <= 130; time++) fs.add(time);
    const first = historyPage([fs, npm], { limit: 30 });
    expect(first.jobs.every(({ source }) => source === 'fs')).toBe(true);
    const queries = npm.queries;
    const second = historyPage([fs, npm], { limit: 30, cursor: first.nextCursor });
    expect(second.jobs.map(({ job }) => job.id)).toEqual([
      'fs-1',
      ...Array.from({ length: 10 }, (_, index) => `npm-${10 - index}`),
    ]);
    expect(second.nextCursor).toBeUndefined();
    expect(npm.queries).toBe(queries + 1);
    // An exact fit ends without an empty page after it.
    expect(historyPage([fs, npm], { limit: 41 }).nextCursor).toBeUndefined();
  });

  it('filters by status, plugin (name or source:name) and time in each source', () => {
    const fs = fakeSource('fs');
    const npm = fakeSource('npm');
    for (let time = 1; time <= 40; time++) {
      fs.add(time, time % 2 === 0 ? 'a' : 'b', time % 4 === 0 ? 'failed' : 'completed');
      npm.add(time, 'a', time % 5 === 0 ? 'failed' : 'completed');
    }
    const failedA = allPages([fs, npm], { limit: 3, status: ['failed'], plugin: 'a' }).flat();
    expect(failedA).toHaveLength(10 + 8);
    const fsOnly = allPages([fs, npm], { limit: 7, plugin: 'fs:a', since: 11, until: 31 }).flat();
    expect(fsOnly).toEqual(
      fs.jobs
        .filter((job) => job.plugin === 'a' && job.submittedAt >= 11 && job.submittedAt < 31)
        .map((job) => job.id)
        .reverse(),
    );
  });

  it('refuses a cursor it did not make, or made for other sources, naming the field', () => {
    const fs = fakeSource('fs');
    const npm = fakeSource('npm');
    for (let time = 1; time <= 5; time++) fs.add(time);
    for (let time = 1; time <= 5; time++) npm.add(time);
    const fsOnly = historyPage([fs], { limit: 2 }).nextCursor!;
    expect(() => historyPage([fs, npm], { limit: 2, cursor: fsOnly })).toThrow(
      /"cursor" was made by a server running other sources \(this one runs fs, npm\)/,
    );
    const tampered = Buffer.from(JSON.stringify({ v: 1, fs: 'x9', npm: 0 })).toString('base64url');
    for (const cursor of ['garbage!', 'e30', tampered]) {
      expect(() => historyPage([fs, npm], { limit: 2, cursor })).toThrow(
        /Invalid query: "cursor" is not a cursor this server returned/,
      );
    }
  });
});
