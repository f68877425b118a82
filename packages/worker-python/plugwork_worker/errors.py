"""Every code and every message a person can read from the Python worker, in one place.

Codes are the same strings the TypeScript worker uses, so the host treats a Python worker's
failures exactly like a Node worker's. Messages say what failed, where, and what to do.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Iterable


class ResultErrorCode:
    """`error_code` of a failed result."""

    PLUGIN_ERROR = "PLUGIN_ERROR"
    PLUGIN_LOAD_FAILED = "PLUGIN_LOAD_FAILED"
    RESULT_NOT_SERIALIZABLE = "RESULT_NOT_SERIALIZABLE"
    UNKNOWN_PLUGIN = "UNKNOWN_PLUGIN"
    #: A result over the host's limits.resultBytes.
    RESULT_TOO_LARGE = "RESULT_TOO_LARGE"
    #: A streamed chunk over the host's limits.chunkBytes.
    CHUNK_TOO_LARGE = "CHUNK_TOO_LARGE"
    #: The channel refused the result (over the longest line the host reads).
    SEND_FAILED = "SEND_FAILED"
    #: A job the host took back before the worker started it (it runs elsewhere).
    WITHDRAWN = "WITHDRAWN"
    #: The job's cancellation flag was set when it ended.
    CANCELLED = "CANCELLED"


class WorkerMessageErrorCode:
    """`code` of an `error` message (not tied to one job's result)."""

    INVALID_REQUEST = "INVALID_REQUEST"
    INIT_FAILED = "INIT_FAILED"
    NOT_READY = "NOT_READY"
    UNCAUGHT_EXCEPTION = "UNCAUGHT_EXCEPTION"


class AdapterErrorCode:
    """Diagnostic codes of the folder adapter: the same words as @plugwork/adapter-kit."""

    DIRECTORY_NOT_FOUND = "DIRECTORY_NOT_FOUND"
    DIRECTORY_UNREADABLE = "DIRECTORY_UNREADABLE"
    MISSING_PACKAGE_JSON = "MISSING_PACKAGE_JSON"
    UNREADABLE_PACKAGE_JSON = "UNREADABLE_PACKAGE_JSON"
    INVALID_JSON = "INVALID_JSON"
    INVALID_PACKAGE_JSON = "INVALID_PACKAGE_JSON"
    MISSING_MANIFEST = "MISSING_MANIFEST"
    INVALID_MANIFEST = "INVALID_MANIFEST"
    ENTRY_NOT_FOUND = "ENTRY_NOT_FOUND"
    ENTRY_OUTSIDE_FOLDER = "ENTRY_OUTSIDE_FOLDER"
    #: The manifest's `engine` range leaves out the host's plugwork version.
    UNSUPPORTED_ENGINE = "UNSUPPORTED_ENGINE"
    DUPLICATE_NAME = "DUPLICATE_NAME"
    #: The manifest's `runtime` is not the one this worker runs (a JavaScript plugin here).
    OTHER_RUNTIME = "OTHER_RUNTIME"
    IMPORT_FAILED = "IMPORT_FAILED"
    NOT_A_PLUGIN = "NOT_A_PLUGIN"
    NAME_MISMATCH = "NAME_MISMATCH"
    SETUP_FAILED = "SETUP_FAILED"
    PLUGIN_NOT_LOADED = "PLUGIN_NOT_LOADED"
    STREAMING_NOT_SUPPORTED = "STREAMING_NOT_SUPPORTED"
    DISPOSE_FAILED = "DISPOSE_FAILED"
    INVALID_OPTIONS = "INVALID_OPTIONS"


class CodedError(Exception):
    """An error with a result code, raised inside the loop and turned into a failed result."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class AdapterError(Exception):
    """What the folder adapter raises; `code` is one of AdapterErrorCode."""

    def __init__(self, code: str, message: str, plugin_name=None, location=None) -> None:
        super().__init__(message)
        self.code = code
        self.plugin_name = plugin_name
        self.location = location

    def to_diagnostic(self, fallback_location: str = "") -> dict:
        diagnostic = {
            "location": self.location or fallback_location,
            "code": self.code,
            "message": str(self),
        }
        if self.plugin_name is not None:
            diagnostic["plugin_name"] = self.plugin_name
        return diagnostic


def describe(error: object) -> str:
    """The message of anything raised, for embedding in another message."""
    if isinstance(error, BaseException):
        text = str(error)
        return text if text else type(error).__name__
    return str(error)


def describe_plugin_error(error: object) -> str:
    """`ValueError: bad input` reads better than the bare message for a plugin's error."""
    if isinstance(error, (CodedError, AdapterError)):
        return str(error)
    if isinstance(error, BaseException):
        name = type(error).__name__
        try:
            text = str(error)
        except Exception:  # noqa: BLE001 - a plugin's exception whose __str__ raises
            # The job still fails with an answer (the traceback's log line says as much).
            text = "(its message could not be read: str() of it raised)"
        if isinstance(error, KeyError) and len(error.args) == 1:
            text = repr(error.args[0])
        return f"{name}: {text}" if text else name
    return str(error)


def format_bytes(size: int) -> str:
    """`1.5 MiB`, `512 KiB`, `300 B`, as the TypeScript worker writes sizes."""
    if size >= 1024 * 1024:
        return f"{_trim(size / (1024 * 1024))} MiB"
    if size >= 1024:
        return f"{_trim(size / 1024)} KiB"
    return f"{size} B"


def _trim(value: float) -> str:
    rounded = math.floor(value * 10 + 0.5) / 10
    return str(int(rounded)) if rounded == int(rounded) else str(rounded)


def _names(names: Iterable[str]) -> str:
    listed = list(names)
    return ", ".join(listed) if listed else "none"


class Messages:
    """Messages the worker itself writes (the Python twin of the TS worker's ChildMessages)."""

    no_socket = (
        "plugwork_worker: this is the entry point of plugwork's Python workers; the JobManager "
        "starts it with --socket=<path> (runtime: 'python'). Do not run it directly.\n"
    )

    @staticmethod
    def unsupported_engine(folder: str, name: str, engine: str, version: str) -> str:
        # Word for word adapter-kit's, so a plugin reads the same under Node and Python workers.
        return (
            f'Plugin "{name}" ({folder}) requires plugwork {engine}, but this is plugwork {version}. Use a '
            f'version of the plugin made for plugwork {version}, or widen "plugwork.engine" if the plugin is '
            "known to work."
        )

    @staticmethod
    def socket_connect(path: str, reason: str) -> str:
        return (
            f"plugwork_worker: cannot connect to the host's socket {path}: {reason}. The host "
            "may have exited, or the worker lacks permission to use the socket.\n"
        )

    @staticmethod
    def adapter_import(module: str, reason: str) -> str:
        return (
            f'cannot import adapter module "{module}": {reason}. adapter.module is a Python '
            "module name importable from the worker's working directory (worker.cwd) or "
            "sys.path, or the path of a .py file"
        )

    @staticmethod
    def adapter_export(module: str, name: str, found: Iterable[str]) -> str:
        return (
            f'adapter module "{module}" has no class or function "{name}" (found: '
            f"{_names(found)}). Set adapter.export to the class (or factory) name"
        )

    @staticmethod
    def adapter_factory(module: str, name: str, reason: str) -> str:
        return (
            f'{name}(**adapter.options) of "{module}" raised: {reason}. adapter.options are '
            "passed as keyword arguments"
        )

    @staticmethod
    def adapter_shape(module: str, name: str, missing: Iterable[str]) -> str:
        return (
            f'{name}() of "{module}" is not a PluginManagerAdapter (missing methods: '
            f"{', '.join(missing)})"
        )

    @staticmethod
    def discovery_failed(reason: str) -> str:
        return f"plugin discovery failed: {reason}"

    no_adapter = "init carries no adapter spec (adapter.module is required)"
    already_initialised = "init was received twice; a worker is initialised once"

    @staticmethod
    def not_initialised(request_type: str) -> str:
        return f'"{request_type}" arrived before init; the worker has no adapter yet'

    @staticmethod
    def unknown_plugin(plugin: str, available: Iterable[str]) -> str:
        return (
            f'the worker has no plugin named "{plugin}" (discovered: {_names(available)})'
        )

    @staticmethod
    def unknown_plugin_in_configs(plugin: str) -> str:
        return (
            f'pluginConfigs has a config for "{plugin}", but the adapter discovered no plugin '
            "of that name"
        )

    stopping = "the worker is stopping"
    cancelled_before_start = "the job was cancelled before the worker started it"
    withdrawn = "the host took the job back before the worker started it"

    @staticmethod
    def result_too_large(size: int, limit: int) -> str:
        return (
            f"its result is {format_bytes(size)} of JSON, over the limit of {format_bytes(limit)} "
            "(limits.resultBytes). Return a reference (a file path, a URL) instead, or raise "
            "limits.resultBytes"
        )

    @staticmethod
    def chunk_too_large(size: int, limit: int) -> str:
        return (
            f"it streamed one chunk of {format_bytes(size)} of JSON, over the limit of "
            f"{format_bytes(limit)} (limits.chunkBytes). Yield smaller pieces, or raise "
            "limits.chunkBytes"
        )

    @staticmethod
    def send_failed(what: str, reason: str) -> str:
        return f"its {what} could not be sent to the host ({reason})"
    ended_after_cancel = "the plugin ended early because the job was stopped"

    @staticmethod
    def cancelled_by_host(job_id: str) -> str:
        return f"job {job_id} was cancelled by the host"

    @staticmethod
    def not_iterable(found: str) -> str:
        return (
            "execute_plugin_stream must return an iterable of strings (for example a "
            f"generator), not {found}"
        )

    @staticmethod
    def python_too_old(version: str, executable: str) -> str:
        return (
            f"Python {version} ({executable}) is too old: plugwork's Python worker needs "
            "Python >= 3.9. Point worker.pythonPath (or $PLUGWORK_PYTHON_PATH) at a newer "
            "python3"
        )


class JsonSafetyPhrases:
    """Why a value cannot be sent as JSON; `path` says where (`result.items[2].callback`)."""

    @staticmethod
    def not_finite(path: str, value: float) -> str:
        return (
            f"{path} is {value!r}, which JSON cannot carry (use None, or a string such as "
            f"'{value!r}')"
        )

    @staticmethod
    def big_int(path: str) -> str:
        return (
            f"{path} is an integer beyond 2**53, which the host's JSON would round (send it "
            "as a string)"
        )

    @staticmethod
    def bytes_value(path: str, kind: str) -> str:
        return (
            f"{path} is {kind}, which JSON cannot carry (decode it to a str, or base64-encode "
            "it)"
        )

    @staticmethod
    def set_value(path: str, kind: str) -> str:
        return f"{path} is a {kind}, which JSON cannot carry (convert it to a list)"

    @staticmethod
    def key(path: str, key: object) -> str:
        return (
            f"{path} has the key {key!r} ({type(key).__name__}), but JSON object keys are "
            "strings (convert the keys with str())"
        )

    @staticmethod
    def cycle(path: str) -> str:
        return f"{path} refers back to an object that contains it (a cycle)"

    @staticmethod
    def too_deep(path: str) -> str:
        return f"{path} is nested too deeply to serialise"

    @staticmethod
    def other(path: str, kind: str) -> str:
        return (
            f"{path} is a {kind}, which JSON cannot carry (convert it to a dict, list, str, "
            "number, bool or None)"
        )
