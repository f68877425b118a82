// The JSON API, as the UI uses it. Every error the server sends is { error: { code, message } }.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    // fetch rejects (a bare "Failed to fetch") only when no answer came at all.
    throw new ApiError(
      0,
      'SERVER_UNREACHABLE',
      `The demo server at ${location.host} is not answering: it may have stopped. Start it again (pnpm demo); this page reconnects by itself.`,
    );
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(
      response.status,
      data.error?.code ?? 'HTTP_ERROR',
      data.error?.message ?? `${method} ${path} answered ${response.status}`,
    );
  }
  return data;
}

const pluginPath = (id) => `/api/plugins/${encodeURIComponent(id)}`;
const jobPath = (id) => `/api/jobs/${encodeURIComponent(id)}`;

export const api = {
  submitJob: (body) => request('POST', '/api/jobs', body),
  job: (id) => request('GET', jobPath(id)),
  cancelJob: (id) => request('POST', `${jobPath(id)}/cancel`),
  rerunJob: (id) => request('POST', `${jobPath(id)}/rerun`),
  /** A page of the history: `query` is { status, plugin, since, limit, cursor }, each optional. */
  jobs: (query) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') search.set(key, String(value));
    }
    return request('GET', `/api/jobs?${search}`);
  },
  reloadPlugin: (id, config) =>
    request('POST', `${pluginPath(id)}/reload`, config === undefined ? undefined : { config }),
  unloadPlugin: (id) => request('POST', `${pluginPath(id)}/unload`),
  restartWorker: (source, workerId) =>
    request(
      'POST',
      `/api/workers/${encodeURIComponent(source)}/${encodeURIComponent(workerId)}/restart`,
    ),
  jobEventsUrl: (id) => `${jobPath(id)}/events`,
};
