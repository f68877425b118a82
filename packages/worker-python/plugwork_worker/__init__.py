"""plugwork's Python worker: the seed's protocol types, the worker loop and a plugin SDK.

Standard library only. A plugwork host (a TypeScript JobManager with `runtime: 'python'`)
starts this package's worker (`python3 -m plugwork_worker --socket=<path>`), which serves one
adapter over newline-delimited JSON: plugin folders (`FolderAdapter`) or any seed-style
`PluginManagerAdapter` class.

Names are imported on first use (PEP 562), so a worker does not pay at start-up for what its
adapter does not use.
"""

__version__ = "0.1.0"

_EXPORTS = {
    "FolderAdapter": "folder_adapter",
    "JobCancelled": "job",
    "JobContext": "job",
    "current_job": "job",
    "Plugin": "sdk",
    "PluginContext": "sdk",
    "define_plugin": "sdk",
    "is_plugin": "sdk",
    "PluginManagerAdapter": "protocol",
    "WorkerRequest": "protocol",
    "WorkerRequestType": "protocol",
    "WorkerResponse": "protocol",
    "WorkerResponseType": "protocol",
    "WorkerResult": "protocol",
    "WorkerStreamChunk": "protocol",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'plugwork_worker' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(list(globals()) + __all__)
