import type { Job, JobList, JobStatus, ListJobsFilter } from '@plugwork/worker';
import { WorkerErrorCode } from '@plugwork/worker';
import { DemoError } from '../errors.ts';
import type { SourceName } from './views.ts';

/** A history query over every source, as the API takes it. */
export interface HistoryQuery {
  /** Undefined: every status. */
  status?: readonly JobStatus[] | undefined;
  /** A plugin name (in any source), or `source:name` for one source's plugin. */
  plugin?: string | undefined;
  /** Jobs submitted at or after this time (ms since the epoch). */
  since?: number | undefined;
  /** Jobs submitted before this time. */
  until?: number | undefined;
  /** Jobs on the page, 1 to 1000. */
  limit: number;
  /** A previous page's `nextCursor`, with the same filter. */
  cursor?: string | undefined;
}

/** One source as the history sees it: its name, and its runner's history query. */
export interface HistorySource {
  readonly name: SourceName;
  listJobs(filter: ListJobsFilter): JobList;
}

/** A page of the merged history: each job with its source, and the cursor of the next page. */
export interface HistoryPage {
  jobs: { source: SourceName; job: Job }[];
  /** Undefined on the last page. */
  nextCursor: string | undefined;
}

/**
 * Where one source stands in a merged paging: nothing taken yet, a source store's cursor (the
 * page continues after the last job taken from it), or nothing left.
 */
type Position = 'start' | 'end' | { after: string };

const CURSOR_VERSION = 1;

/**
 * One page of the jobs of every source, newest first, each source paged by its own store.
 *
 * Why it holds together: each source's filtered history is a sequence in its store's
 * submission order (seq), and a store cursor marks a place in it that jobs submitted later never
 * move (they come before it, newest first). The page is a merge of the sources' next jobs by
 * submission time (ties: the sources' order), and the merged cursor records, per source, the
 * store cursor after the last job of that source on the page. The next page merges on from
 * exactly there, so paging neither skips nor repeats a job, whatever is submitted meanwhile, and
 * a page costs one store query per source (two for a source only part of whose page was taken:
 * the second one, with `limit` the number taken, yields the cursor after the last job taken).
 * Both queries run in the same synchronous turn, so they see the same store.
 */
export function historyPage(sources: readonly HistorySource[], query: HistoryQuery): HistoryPage {
  const target = targetOf(sources, query.plugin);
  const positions = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sources);
  const base: ListJobsFilter = {
    order: 'newest',
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.since === undefined ? {} : { since: query.since }),
    ...(query.until === undefined ? {} : { until: query.until }),
  };
  const lanes = sources.map((source) => {
    const at: Position = !target.sources.includes(source.name)
      ? 'end'
      : (positions?.get(source.name) ?? 'start');
    const filter: ListJobsFilter = {
      ...base,
      ...(target.plugin === undefined ? {} : { plugin: target.plugin }),
      ...(typeof at === 'object' ? { cursor: at.after } : {}),
    };
    const listed: JobList =
      at === 'end'
        ? Object.assign([], { nextCursor: undefined })
        : listOf(source, { ...filter, limit: query.limit });
    return { source, at, filter, listed, taken: 0 };
  });

  const jobs: HistoryPage['jobs'] = [];
  while (jobs.length < query.limit) {
    let next: (typeof lanes)[number] | undefined;
    for (const lane of lanes) {
      const head = lane.listed[lane.taken];
      if (head === undefined) continue;
      if (next === undefined || head.submittedAt > next.listed[next.taken]!.submittedAt) {
        next = lane;
      }
    }
    if (next === undefined) break;
    jobs.push({ source: next.source.name, job: next.listed[next.taken]! });
    next.taken++;
  }

  const after = new Map<SourceName, Position>();
  for (const lane of lanes) {
    let position: Position;
    if (lane.at === 'end') position = 'end';
    else if (lane.taken === 0) position = lane.listed.length === 0 ? 'end' : lane.at;
    else if (lane.taken === lane.listed.length) {
      position = lane.listed.nextCursor === undefined ? 'end' : { after: lane.listed.nextCursor };
    } else {
      // More jobs of this source are left on its page: the cursor after the last one taken.
      const cursor = listOf(lane.source, { ...lane.filter, limit: lane.taken }).nextCursor;
      position = cursor === undefined ? 'end' : { after: cursor };
    }
    after.set(lane.source.name, position);
  }
  const done = [...after.values()].every((position) => position === 'end');
  return { jobs, nextCursor: done ? undefined : encodeCursor(after) };
}

/** Which sources a plugin filter reaches, and the plugin name their stores know. */
function targetOf(
  sources: readonly HistorySource[],
  plugin: string | undefined,
): { sources: SourceName[]; plugin: string | undefined } {
  const all = sources.map((source) => source.name);
  if (plugin === undefined) return { sources: all, plugin: undefined };
  const colon = plugin.indexOf(':');
  const prefix = colon === -1 ? undefined : plugin.slice(0, colon);
  if (prefix !== undefined && all.includes(prefix as SourceName)) {
    return { sources: [prefix as SourceName], plugin: plugin.slice(colon + 1) };
  }
  return { sources: all, plugin };
}

/** A source's page; a store cursor it refuses (a tampered merged cursor) is the caller's 400. */
function listOf(source: HistorySource, filter: ListJobsFilter): JobList {
  try {
    return source.listJobs(filter);
  } catch (error) {
    if (
      filter.cursor !== undefined &&
      (error as { code?: string }).code === WorkerErrorCode.INVALID_QUERY
    ) {
      throw DemoError.badCursor('cursor');
    }
    throw error;
  }
}

function encodeCursor(positions: Map<SourceName, Position>): string {
  const fields: Record<string, string | 0 | 1> = {};
  for (const [name, position] of positions) {
    fields[name] = position === 'start' ? 0 : position === 'end' ? 1 : position.after;
  }
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, ...fields })).toString('base64url');
}

/**
 * The positions a merged cursor names, checked: it must be one this host made, for the sources
 * it runs (a cursor of a host started with other sources would silently skip a source's jobs).
 */
function decodeCursor(
  cursor: string,
  sources: readonly HistorySource[],
): Map<SourceName, Position> {
  let fields: unknown;
  try {
    fields = /^[A-Za-z0-9_-]+$/.test(cursor)
      ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
      : undefined;
  } catch {
    fields = undefined;
  }
  const record = fields as Record<string, unknown> | undefined;
  if (typeof record !== 'object' || record === null || record.v !== CURSOR_VERSION) {
    throw DemoError.badCursor('cursor');
  }
  const names = sources.map((source) => source.name);
  const keys = Object.keys(record).filter((key) => key !== 'v');
  if (keys.length !== names.length || !names.every((name) => keys.includes(name))) {
    throw DemoError.badCursor('cursor', names);
  }
  const positions = new Map<SourceName, Position>();
  for (const name of names) {
    const value = record[name];
    if (value === 0) positions.set(name, 'start');
    else if (value === 1) positions.set(name, 'end');
    else if (typeof value === 'string' && value !== '') positions.set(name, { after: value });
    else throw DemoError.badCursor('cursor');
  }
  return positions;
}
