// The watched job: status, progress, live output, cancel, and its result or error.
import { ApiError, api } from '../api.js';
import { byId, h, replaceChildren } from '../dom.js';
import { duration, TERMINAL } from '../format.js';
import { toast } from './toasts.js';

let source;
let job;
let ticker;
/** Whether the output was scrolled to the bottom before the last chunk: then it follows. */
let following = true;

const output = () => byId('job-output');

/** Shows a job and follows it over its event stream until it ends. */
export function watchJob(initial) {
  source?.close();
  job = initial;
  byId('job-panel').hidden = false;
  output().textContent = '';
  output().dataset.placeholder = initial.stream
    ? 'Waiting for output…'
    : 'This job returns one result, shown when it is done.';
  following = true;
  render();
  clearInterval(ticker);
  ticker = setInterval(renderElapsed, 200);

  source = new EventSource(api.jobEventsUrl(initial.id));
  const current = source;
  source.addEventListener('job', (event) => {
    job = JSON.parse(event.data);
    render();
  });
  source.addEventListener('chunk', (event) => {
    const { text } = JSON.parse(event.data);
    const element = output();
    following = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
    element.append(text);
    if (following) element.scrollTop = element.scrollHeight;
  });
  source.addEventListener('end', (event) => {
    job = JSON.parse(event.data);
    current.close();
    clearInterval(ticker);
    render();
  });
}

/** The job being shown, if any. */
export function watchedJobId() {
  return job?.id;
}

byId('cancel-button').addEventListener('click', async () => {
  if (job === undefined || TERMINAL.has(job.status)) return;
  const button = byId('cancel-button');
  button.disabled = true;
  button.textContent = 'Cancelling…';
  try {
    await api.cancelJob(job.id);
  } catch (error) {
    toast(error instanceof ApiError ? error.message : String(error), 'error');
    button.disabled = false;
    button.textContent = 'Cancel';
  }
});

function render() {
  const status = job.status;
  const pill = byId('job-status');
  pill.dataset.status = status;
  pill.textContent = status;
  byId('job-plugin').textContent = job.source === undefined ? job.plugin : `${job.plugin}`;
  byId('job-id').textContent = job.id;
  byId('job-id').title = `job ${job.id} · ${job.source} · ${job.workerId ?? 'not started'}`;

  const cancel = byId('cancel-button');
  cancel.hidden = TERMINAL.has(status);
  if (!cancel.hidden && cancel.textContent !== 'Cancelling…') cancel.disabled = false;
  if (cancel.hidden) {
    cancel.textContent = 'Cancel';
    cancel.disabled = false;
  }

  const progress = byId('job-progress');
  progress.dataset.status = status;
  const known = typeof job.progress === 'number';
  progress.dataset.indeterminate = String(!known && status === 'running');
  const bar = progress.firstElementChild;
  bar.style.width =
    status === 'completed' ? '100%' : known ? `${Math.round(job.progress * 100)}%` : '0';
  byId('job-progress-message').textContent = [
    known ? `${Math.round(job.progress * 100)}%` : '',
    job.progressMessage ?? '',
  ]
    .filter(Boolean)
    .join(' · ');

  const error = byId('job-error');
  error.hidden = job.error === undefined;
  if (job.error !== undefined) {
    error.dataset.status = status;
    replaceChildren(error, h('code', null, job.error.code), job.error.message);
  }
  const resultBox = byId('job-result-box');
  resultBox.hidden = status !== 'completed';
  if (status === 'completed') {
    byId('job-result').textContent = JSON.stringify(job.result, null, 2);
    // A streamed job's result is a summary; a single result is the output itself.
    resultBox.open = !job.stream;
  }
  // A job without a stream has no output to show once it is over: its result says it all.
  output().hidden = !job.stream && TERMINAL.has(status);
  if (job.stream && TERMINAL.has(status)) output().dataset.placeholder = 'No output.';
  renderElapsed();
}

function renderElapsed() {
  if (job === undefined) return;
  const end = job.endedAt ?? Date.now();
  const ran = job.startedAt === undefined ? undefined : end - job.startedAt;
  byId('job-elapsed').textContent =
    job.status === 'pending' ? 'queued' : ran === undefined ? '' : `ran ${duration(ran)}`;
}
