// The jobs table: one page of the history (views/job-history.js), newest first.
import { byId, h, replaceChildren } from '../dom.js';
import { clock, duration, resultSummary, runningFor } from '../format.js';
import { sourceBadge } from './sidebar.js';

/**
 * @param {any[]} jobs newest first
 * @param {string | undefined} watched
 * @param {(job: any) => void} onOpen
 */
export function renderJobs(jobs, watched, onOpen) {
  const counts = {};
  for (const job of jobs) counts[job.status] = (counts[job.status] ?? 0) + 1;
  byId('jobs-summary').textContent = Object.entries(counts)
    .map(([status, count]) => `${count} ${status}`)
    .join(' · ');
  byId('jobs-empty').hidden = jobs.length > 0;
  replaceChildren(
    byId('jobs-body'),
    jobs.map((job) => {
      const summary = resultSummary(job);
      const ran = runningFor(job);
      const kind =
        job.status === 'failed' ? ' error' : job.status === 'cancelled' ? ' cancelled' : '';
      return h(
        'tr',
        {
          'data-job': job.id,
          'data-status': job.status,
          'aria-selected': job.id === watched ? 'true' : 'false',
          tabindex: 0,
          title: 'Show this job',
          onclick: () => onOpen(job),
          onkeydown: (event) => {
            if (event.key === 'Enter') onOpen(job);
          },
        },
        h('td', null, h('span', { class: 'status-pill', 'data-status': job.status }, job.status)),
        h(
          'td',
          { class: 'job-cell' },
          h(
            'div',
            { class: 'plugin-name-row' },
            h('span', { class: 'plugin-name' }, job.plugin),
            sourceBadge(job.source),
            job.stream ? h('span', { class: 'badge streams' }, 'stream') : null,
          ),
          h(
            'div',
            { class: `summary${kind}`, title: summary },
            job.error ? [h('strong', null, job.error.code), ' ', summary] : summary || '\u00a0',
          ),
          // On a narrow screen the other columns fold into this line.
          h(
            'div',
            { class: 'meta-line' },
            [
              clock(job.submittedAt),
              `waited ${duration(job.waitMs)}`,
              `ran ${duration(ran)}`,
              job.workerId ?? null,
            ]
              .filter((part) => part !== null)
              .flatMap((part, index) => [index === 0 ? null : ' · ', h('span', null, part)]),
          ),
        ),
        h('td', { class: 'when wide' }, clock(job.submittedAt)),
        h('td', { class: 'num wide' }, duration(job.waitMs)),
        h('td', { class: 'num wide', 'data-testid': 'ran' }, duration(ran)),
        h('td', { class: 'when wide' }, job.workerId ?? '–'),
      );
    }),
  );
}
