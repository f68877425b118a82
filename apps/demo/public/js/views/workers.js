// The pools: one per source, each worker with its pid, state, loaded plugins and restarts, and a
// button that replaces its process.
import { ApiError, api } from '../api.js';
import { byId, h, replaceChildren } from '../dom.js';
import { bytes } from '../format.js';
import { sourceBadge } from './sidebar.js';
import { toast } from './toasts.js';

/**
 * @param {any[]} pools
 * @param {Map<string, any>} jobs
 * @param {{ stale: boolean }} options stale: the server stopped answering, this is its last report
 */
export function renderPools(pools, jobs, options) {
  const element = byId('pools');
  element.dataset.stale = String(options.stale);
  replaceChildren(
    element,
    pools.map((pool) =>
      h(
        'section',
        { class: 'pool', 'data-testid': `pool-${pool.source}` },
        h(
          'div',
          { class: 'pool-head' },
          sourceBadge(pool.source),
          h('strong', null, `${pool.workers.length} worker${pool.workers.length === 1 ? '' : 's'}`),
          h(
            'span',
            { class: 'pool-stats' },
            h(
              'span',
              { 'data-testid': `queue-${pool.source}` },
              'queue ',
              h('strong', null, pool.queued),
            ),
            h('span', null, 'running ', h('strong', null, pool.running)),
          ),
        ),
        pool.workers.map((worker) => workerCard(worker, pool.source, jobs, options.stale)),
      ),
    ),
  );
}

function workerCard(worker, source, jobs, stale) {
  // The worker's own answer names its job; between two answers the job list knows it too.
  const job =
    worker.currentJobId !== undefined
      ? jobs.get(worker.currentJobId)
      : [...jobs.values()].find(
          (each) =>
            each.status === 'running' &&
            each.source === source &&
            each.workerId === worker.workerId,
        );
  // Without the server nobody knows what the worker does now, or whether it still exists.
  const state = stale ? 'unknown' : worker.state;
  const restart = h(
    'button',
    {
      type: 'button',
      class: 'button small',
      'data-testid': 'restart-worker',
      title: job
        ? `Cancel ${job.plugin} and start a fresh process for ${worker.workerId}`
        : `Start a fresh process for ${worker.workerId}`,
      disabled: stale || worker.state === 'starting' || worker.state === 'stopping',
      onclick: async () => {
        restart.disabled = true;
        restart.textContent = 'Restarting…';
        try {
          const answer = await api.restartWorker(source, worker.workerId);
          toast(
            `Restarted ${worker.workerId} (${source}): pid ${worker.pid ?? '–'} → ${answer.worker.pid}`,
          );
        } catch (error) {
          toast(error instanceof ApiError ? error.message : String(error), 'error');
          restart.disabled = false;
          restart.textContent = '↻ Restart';
        }
      },
    },
    '↻ Restart',
  );
  return h(
    'div',
    {
      class: 'worker',
      'data-testid': 'worker',
      'data-worker': worker.workerId,
      'data-source': source,
      'data-state': state,
    },
    h(
      'div',
      { class: 'worker-head' },
      h('span', { class: 'worker-id' }, worker.workerId),
      h(
        'span',
        { class: 'worker-pid' },
        worker.pid === undefined ? 'no process' : `pid ${worker.pid}`,
      ),
      h('span', { class: 'status-pill', 'data-status': state }, state),
    ),
    h(
      'dl',
      null,
      h('dt', null, 'loaded'),
      h(
        'dd',
        null,
        worker.loadedPlugins.length === 0
          ? h('span', { class: 'empty' }, 'nothing')
          : h(
              'span',
              { class: 'chips' },
              worker.loadedPlugins.map((name) => h('span', { class: 'chip' }, name)),
            ),
      ),
      h('dt', null, 'job'),
      h('dd', null, job?.plugin ?? worker.currentJobId?.slice(0, 12) ?? '–'),
      h('dt', null, 'restarts'),
      h(
        'dd',
        null,
        String(worker.restarts),
        worker.recentCrashes > 0 ? ` (${worker.recentCrashes} recent crashes)` : '',
      ),
      h('dt', null, 'memory'),
      h(
        'dd',
        null,
        worker.memory === undefined
          ? worker.unanswered
            ? 'no answer'
            : '–'
          : `${bytes(worker.memory.rss)} rss · ${bytes(worker.memory.heapUsed)} heap`,
      ),
    ),
    worker.failure ? h('p', { class: 'failure' }, worker.failure) : null,
    h('div', { class: 'worker-actions' }, restart),
  );
}
