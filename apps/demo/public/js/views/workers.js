// The pools: one per source, each worker with its pid, state, loaded plugins and restarts, and a
// button that replaces its process. In --redis mode the one pool lists the nodes instead: the
// machines (plugwork-node processes) that run the jobs.
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
          h('strong', null, poolTitle(pool)),
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
        pool.nodes === undefined
          ? pool.workers.map((worker) => workerCard(worker, pool.source, jobs, options.stale))
          : nodeCards(pool.nodes, jobs, options.stale),
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

function poolTitle(pool) {
  const count = pool.nodes === undefined ? pool.workers.length : pool.nodes.length;
  const noun = pool.nodes === undefined ? 'worker' : 'node';
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function nodeCards(nodes, jobs, stale) {
  if (nodes.length === 0) {
    return h(
      'p',
      { class: 'empty', 'data-testid': 'no-nodes' },
      'No node is running: start one with plugwork-node (see the README).',
    );
  }
  return nodes.map((node) => nodeCard(node, jobs, stale));
}

/** One node: its machine, process, plugins, pool and the jobs it runs (as of its heartbeat). */
function nodeCard(node, jobs, stale) {
  const state = stale ? 'unknown' : node.running.length > 0 ? 'busy' : 'idle';
  return h(
    'div',
    {
      class: 'worker node',
      'data-testid': 'node',
      'data-node': node.name,
      'data-state': state,
    },
    h(
      'div',
      { class: 'worker-head' },
      h('span', { class: 'worker-id', title: `node ${node.id}` }, node.name),
      h('span', { class: 'worker-pid' }, `pid ${node.pid}`),
      node.local
        ? h('span', { class: 'chip', title: 'Runs in the demo server' }, 'this process')
        : null,
      h('span', { class: 'status-pill', 'data-status': state }, state),
    ),
    h(
      'dl',
      null,
      h('dt', null, 'machine'),
      h('dd', { 'data-testid': 'node-host' }, node.host),
      h('dt', null, 'plugins'),
      h(
        'dd',
        null,
        node.plugins.length === 0
          ? h('span', { class: 'empty' }, 'none')
          : h(
              'span',
              { class: 'chips' },
              node.plugins.map((name) => h('span', { class: 'chip' }, name)),
            ),
      ),
      h('dt', null, 'pool'),
      h('dd', null, `${node.poolSize} worker${node.poolSize === 1 ? '' : 's'}`),
      h('dt', null, 'running'),
      h(
        'dd',
        { 'data-testid': 'node-running' },
        node.running.length === 0
          ? '–'
          : node.running
              .map(({ id, plugin }) => `${jobs.get(id)?.plugin ?? plugin} ${id.slice(-8)}`)
              .join(', '),
      ),
    ),
  );
}
