// Preloaded into plugwork worker processes by the demo (worker.execArgv: --import).
//
// Ctrl-C in a terminal sends SIGINT to every process of the foreground group: the host and its
// workers alike. Without this, each worker dies on the spot, its running job fails as a crash,
// and the host restarts it during its own shutdown. With it, the host alone decides: it cancels
// the job (the plugin's AbortSignal fires) and stops its workers cleanly. A worker whose host is
// gone still exits: the worker notices the closed channel.
process.on('SIGINT', () => {});
