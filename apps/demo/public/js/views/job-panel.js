// The watched job: status, progress, params, live output, console lines, cancel, and its result
// or error.
import { ApiError, api } from '../api.js';
import { byId, h, replaceChildren } from '../dom.js';
import { duration, runningFor, TERMINAL } from '../format.js';
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
  byId('job-console').replaceChildren();
  byId('job-console-box').hidden = true;
  following = true;
  render();
  clearInterval(ticker);
  ticker = setInterval(renderElapsed, 200);

  source = new EventSource(api.jobEventsUrl(initial.id));
  const current = source;
  source.addEventListener('job', (event) => {
    job = received(JSON.parse(event.data));
    render();
  });
  source.addEventListener('chunk', (event) => {
    const { text } = JSON.parse(event.data);
    const element = output();
    following = element.scrollTop + element.clientHeight >= element.scrollHeight - 8;
    element.append(text);
    if (following) element.scrollTop = element.scrollHeight;
  });
  source.addEventListener('log', (event) => appendLog(JSON.parse(event.data)));
  source.addEventListener('end', (event) => {
    job = received(JSON.parse(event.data));
    current.close();
    clearInterval(ticker);
    render();
    // What a plugin prints travels apart from its result and can arrive just after it.
    const id = job.id;
    setTimeout(() => void refreshLogs(id), 400);
  });
}

/** The job being shown, if any. */
export function watchedJobId() {
  return job?.id;
}

function received(view) {
  return { ...view, receivedAt: Date.now() };
}

function appendLog(line) {
  const box = byId('job-console-box');
  box.hidden = false;
  byId('job-console').append(h('span', { class: `line ${line.stream}` }, line.text, '\n'));
}

async function refreshLogs(id) {
  if (job?.id !== id) return;
  try {
    const { logs } = await api.job(id);
    if (job?.id !== id) return;
    byId('job-console').replaceChildren();
    byId('job-console-box').hidden = logs.lines.length === 0;
    for (const line of logs.lines) appendLog(line);
    if (logs.truncated) {
      appendLog({
        stream: 'stderr',
        text: `… ${logs.total - logs.lines.length} more lines not kept`,
      });
    }
  } catch {
    // The server is gone: the lines shown so far are what there is.
  }
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

// Re-run: the server submits the same plugin (same source) with the same params, stream and
// time limit as a new job; the panel follows the new one, and the old one stays in the history.
byId('rerun-button').addEventListener('click', async () => {
  if (job === undefined || !TERMINAL.has(job.status)) return;
  const button = byId('rerun-button');
  button.disabled = true;
  try {
    const { job: again } = await api.rerunJob(job.id);
    watchJob(again);
  } catch (error) {
    toast(error instanceof ApiError ? error.message : String(error), 'error');
  } finally {
    button.disabled = false;
  }
});

function render() {
  const status = job.status;
  const pill = byId('job-status');
  pill.dataset.status = status;
  pill.textContent = status;
  byId('job-plugin').textContent = job.plugin;
  byId('job-id').textContent = job.id;
  byId('job-id').title = `job ${job.id} · ${job.source} · ${job.workerId ?? 'not started'}`;

  byId('rerun-button').hidden = !TERMINAL.has(status);

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
  // No inline width while indeterminate: the stylesheet's moving bar shows the job is alive.
  bar.style.width =
    status === 'completed'
      ? '100%'
      : known
        ? `${Math.round(job.progress * 100)}%`
        : status === 'running'
          ? ''
          : '0';
  byId('job-progress-message').textContent = [
    known ? `${Math.round(job.progress * 100)}%` : status === 'running' ? 'working…' : '',
    job.progressMessage ?? '',
  ]
    .filter(Boolean)
    .join(' · ');

  const params = job.params ?? {};
  byId('job-params').textContent = JSON.stringify(params, null, 2);
  // Closed, the summary still shows them on one line.
  replaceChildren(
    byId('job-params-box').querySelector('summary'),
    'Params ',
    h(
      'code',
      { class: 'params-preview', 'data-testid': 'job-params-preview' },
      Object.keys(params).length === 0 ? '(none)' : JSON.stringify(params),
    ),
  );

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
  if (job.stream && TERMINAL.has(status)) {
    output().dataset.placeholder =
      status === 'completed' ? 'No output.' : 'No output before it stopped.';
  }
  renderElapsed();
}

function renderElapsed() {
  if (job === undefined) return;
  const ran = runningFor(job);
  byId('job-elapsed').textContent =
    job.status === 'pending' ? 'queued' : ran === undefined ? '' : `ran ${duration(ran)}`;
}
