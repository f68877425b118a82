// The jobs table's data: one page of the history from GET /api/jobs (filtered by status, plugin
// and submission time, paged with the server's cursor), kept current by the live feed.
import { ApiError, api } from '../api.js';
import { byId, h, replaceChildren } from '../dom.js';
import { TERMINAL } from '../format.js';
import { renderJobs } from './jobs-table.js';
import { toast } from './toasts.js';

export const PAGE_SIZE = 50;

const history = {
  /** What the filters say; `since` is fixed (ms since the epoch) when a filter is applied. */
  filter: { status: '', plugin: '', since: undefined },
  /** The cursor of each page up to the one shown (the first page's is undefined). */
  cursors: [undefined],
  nextCursor: undefined,
  /** The page's jobs by id, in the server's order (newest first). */
  rows: new Map(),
  /** Bumped on every load: an answer to an older request is dropped. */
  generation: 0,
  /** Job changes that arrived while a page was loading: applied on top of the page. */
  pending: undefined,
  watched: () => undefined,
  onOpen: () => {},
};

/**
 * Wires the filters and the pager. `watched()` names the job the panel shows; `onOpen(job)`
 * shows one (a click on its row).
 */
export function initHistory({ watched, onOpen }) {
  history.watched = watched;
  history.onOpen = onOpen;
  for (const id of ['filter-status', 'filter-plugin', 'filter-since']) {
    byId(id).addEventListener('change', () => {
      const window = Number(byId('filter-since').value);
      history.filter = {
        status: byId('filter-status').value,
        plugin: byId('filter-plugin').value,
        since: window > 0 ? Date.now() - window : undefined,
      };
      history.cursors = [undefined];
      void loadHistory();
    });
  }
  byId('jobs-filters').addEventListener('submit', (event) => event.preventDefault());
  byId('jobs-older').addEventListener('click', () => {
    if (history.nextCursor === undefined) return;
    history.cursors.push(history.nextCursor);
    void loadHistory();
  });
  byId('jobs-newer').addEventListener('click', () => {
    if (history.cursors.length === 1) return;
    history.cursors.pop();
    void loadHistory();
  });
  renderHistory();
}

/** Loads the page shown (again): after a filter or page change, and when the feed reconnects. */
export async function loadHistory() {
  const generation = ++history.generation;
  history.pending ??= [];
  const { status, plugin, since } = history.filter;
  try {
    const page = await api.jobs({
      status,
      plugin,
      since,
      limit: PAGE_SIZE,
      cursor: history.cursors[history.cursors.length - 1],
    });
    if (generation !== history.generation) return;
    history.rows = new Map(page.jobs.map((job) => [job.id, received(job)]));
    history.nextCursor = page.nextCursor ?? undefined;
  } catch (error) {
    if (generation !== history.generation) return;
    toast(error instanceof ApiError ? error.message : String(error), 'error');
  }
  // The page may be older than what the feed said meanwhile.
  const pending = history.pending;
  history.pending = undefined;
  for (const job of pending) historyJob(job);
  renderHistory();
}

/**
 * A job changed (the live feed, or a job this page submitted). A job on the page shows its new
 * state; on the first page a new job that passes the filters comes on top, and one that no
 * longer passes them leaves. Later pages are a window into the past: only their rows change.
 * Returns whether the table changed (the caller renders it, at most once a frame).
 */
export function historyJob(job) {
  if (history.pending !== undefined) {
    history.pending.push(job);
    return false;
  }
  const known = history.rows.get(job.id);
  // Events can cross: never let a late "running" overwrite a final state.
  if (known !== undefined && TERMINAL.has(known.status) && !TERMINAL.has(job.status)) return false;
  const firstPage = history.cursors.length === 1;
  if (known !== undefined) {
    if (firstPage && !matches(job)) history.rows.delete(job.id);
    else history.rows.set(job.id, received(job));
  } else if (firstPage && matches(job)) {
    history.rows = new Map([[job.id, received(job)], ...history.rows]);
    // The first page keeps every job it gained (dropping one would hide it from every page);
    // once it has doubled, it is loaded afresh.
    if (history.rows.size > 2 * PAGE_SIZE) void loadHistory();
  } else {
    return false;
  }
  return true;
}

/** The plugins the filter offers: every plugin of the catalog, by the id jobs are listed by. */
export function setHistoryPlugins(ids) {
  const select = byId('filter-plugin');
  const current = select.value;
  const options = [...new Set([...ids, ...(current === '' ? [] : [current])])];
  replaceChildren(
    select,
    h('option', { value: '' }, 'any'),
    options.map((id) => h('option', { value: id, selected: id === current }, id)),
  );
  select.value = current;
}

/** Whether the page has a job whose Ran column should tick. */
export function historyHasRunning() {
  return [...history.rows.values()].some((job) => job.status === 'running');
}

export function renderHistory() {
  const jobs = [...history.rows.values()].sort((a, b) => b.submittedAt - a.submittedAt);
  renderJobs(jobs, history.watched(), history.onOpen);
  const page = history.cursors.length;
  const filtered =
    history.filter.status !== '' ||
    history.filter.plugin !== '' ||
    history.filter.since !== undefined;
  byId('jobs-empty').textContent = filtered
    ? 'No jobs match these filters.'
    : page > 1
      ? 'No older jobs.'
      : 'No jobs yet. Run one.';
  byId('jobs-page').textContent = `Page ${page}`;
  byId('jobs-newer').disabled = page === 1;
  byId('jobs-older').disabled = history.nextCursor === undefined;
  byId('jobs-pager').hidden = page === 1 && history.nextCursor === undefined;
}

function matches(job) {
  const { status, plugin, since } = history.filter;
  if (status !== '' && !status.split(',').includes(job.status)) return false;
  if (plugin !== '' && job.plugin !== plugin && `${job.source}:${job.plugin}` !== plugin) {
    return false;
  }
  return since === undefined || job.submittedAt >= since;
}

/** A job as it arrived, stamped with when: a running job's time ticks on from there. */
function received(job) {
  return { ...job, receivedAt: Date.now() };
}
