// The demo's UI: one live feed (/api/events) keeps the plugins, jobs and workers current; the
// watched job has its own stream (/api/jobs/:id/events) for its output.
import { byId } from './dom.js';
import { clock, TERMINAL } from './format.js';
import {
  historyHasRunning,
  historyJob,
  initHistory,
  loadHistory,
  renderHistory,
  setHistoryPlugins,
} from './views/job-history.js';
import { watchedJobId, watchJob } from './views/job-panel.js';
import { renderPluginPanel } from './views/plugin-panel.js';
import { renderSidebar } from './views/sidebar.js';
import { renderPools } from './views/workers.js';

const state = {
  catalog: { sources: [], plugins: [], diagnostics: [] },
  /** id -> job, newest first after sorting */
  jobs: new Map(),
  pools: [],
  selected: undefined,
  /** When the live feed was lost (ms since the epoch), while it is. */
  lostAt: undefined,
};

/** One column layout (phones): the plugin's form is below the list, so go there. */
const narrow = matchMedia('(max-width: 760px)');

function selectPlugin(id) {
  state.selected = id;
  history.replaceState(null, '', `#plugin=${encodeURIComponent(id)}`);
  renderCatalog();
  if (narrow.matches) byId('plugin-panel').scrollIntoView({ block: 'start' });
}

function renderCatalog() {
  const plugin = state.catalog.plugins.find((each) => each.id === state.selected);
  renderSidebar(state.catalog, state.selected, selectPlugin);
  renderPluginPanel(plugin, { onJobStarted: openJob });
}

function openJob(job) {
  state.jobs.set(job.id, received(job));
  watchJob(job);
  historyJob(job);
  scheduleJobs();
}

/** A job as it arrived, stamped with when: a running job's time ticks on from there. */
function received(job) {
  return { ...job, receivedAt: Date.now() };
}

let jobsFrame = 0;
function scheduleJobs() {
  if (jobsFrame !== 0) return;
  jobsFrame = requestAnimationFrame(() => {
    jobsFrame = 0;
    renderHistory();
  });
}

// The jobs table shows a page of the history (filtered, paged); state.jobs is what the feed
// says of recent jobs, for the workers' cards.
initHistory({
  watched: watchedJobId,
  onOpen: (job) => {
    openJob(job);
    byId('job-panel').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
  },
});

// Running jobs' "Ran" column counts up between the server's updates.
setInterval(() => {
  if (historyHasRunning()) scheduleJobs();
}, 1000);

function renderWorkers() {
  renderPools(state.pools, state.jobs, { stale: state.lostAt !== undefined });
  const notice = byId('server-gone');
  notice.hidden = state.lostAt === undefined;
  if (state.lostAt !== undefined) {
    notice.textContent = `No answer from the server since ${clock(state.lostAt)}: what is shown is its last report, and its worker processes may be gone. The page reconnects by itself when the server is back.`;
  }
}

function setConnection(live) {
  const element = byId('connection');
  element.dataset.state = live ? 'live' : 'connecting';
  element.querySelector('.label').textContent = live ? 'live' : 'reconnecting…';
  if (live) {
    state.lostAt = undefined;
  } else {
    state.lostAt ??= Date.now();
  }
  renderWorkers();
}

function connect() {
  const events = new EventSource('/api/events');
  events.addEventListener('open', () => setConnection(true));
  events.addEventListener('error', () => {
    setConnection(false);
    // A browser gives up on a stream that answered with an error status: start a new one.
    if (events.readyState === EventSource.CLOSED) setTimeout(connect, 2000);
  });
  events.addEventListener('catalog', (event) => {
    state.catalog = JSON.parse(event.data);
    const ids = state.catalog.plugins.map((plugin) => plugin.id);
    if (state.selected === undefined || !ids.includes(state.selected)) {
      const fromHash = new URLSearchParams(location.hash.slice(1)).get('plugin');
      state.selected = ids.includes(fromHash) ? fromHash : ids[0];
    }
    renderCatalog();
    setHistoryPlugins(ids);
  });
  events.addEventListener('jobs', (event) => {
    state.jobs = new Map(JSON.parse(event.data).map((job) => [job.id, received(job)]));
    // On every (re)connect: what happened while the page was away is in the history.
    void loadHistory();
  });
  events.addEventListener('job', (event) => {
    const job = JSON.parse(event.data);
    const known = state.jobs.get(job.id);
    // Events can cross: never let a late "running" overwrite a final state.
    if (known !== undefined && TERMINAL.has(known.status) && !TERMINAL.has(job.status)) return;
    state.jobs.set(job.id, received(job));
    if (historyJob(job)) scheduleJobs();
  });
  events.addEventListener('workers', (event) => {
    state.pools = JSON.parse(event.data);
    renderWorkers();
  });
}

connect();
