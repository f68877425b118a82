"""The long-lived Python worker: serves one adapter over the socket channel.

It behaves like the TypeScript worker loop message for message (same answers, same keys, same
`error_code`s, the same rule for when a job starts), with Python's threads (scheduler.py):

- The loop thread reads the socket and runs the jobs of plugins whose concurrency is 1 and the
  requests that touch plugins (`init`, `reload`, `unload`) itself; a standby thread reads while
  it is busy, so `cancel`, `stream_ack`, `get_state` and `stop` are answered at once even while
  a plugin computes. Jobs of plugins with concurrency n > 1 run on pool threads, n at once.
- A `cancel` sets the job's flag; a job that does not stop is killed by the host after its
  grace period.
- When the socket closes (the host is gone) the worker stops, bounded by the grace period: a
  plugin that blocks for ever cannot keep it alive.
"""

from __future__ import annotations

import os
import sys
import threading
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Callable, Dict, List, Optional

from .adapter import AdapterLoadError, describe_diagnostics, describe_plugin, load_adapter
from .channel import Channel, encode_message
from .errors import (
    AdapterError,
    CodedError,
    Messages,
    ResultErrorCode,
    WorkerMessageErrorCode,
    describe,
    describe_plugin_error,
)
from .job import JobCancelled, JobContext, reset_current_job, set_current_job
from .json_safe import NotJsonSafeError, to_result_data
from .memory import memory_usage
from .parse import ProtocolError, parse_request
from .scheduler import Scheduler
from .wire import RESERVED_EXECUTE_KEYS
from .stream_pump import ChunkWriter, StreamPump

_RESERVED = frozenset(RESERVED_EXECUTE_KEYS)
_MAX_ERROR_CHARS = 100_000

#: What `ready` reports as the runtime.
RUNTIME = "python"


def _call(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls an adapter method; an `async def` one is run to completion on this thread."""
    value = function(*args, **kwargs)
    if hasattr(value, "__await__"):
        from .async_support import run_awaitable

        value = run_awaitable(value)
    return value


class WorkerLoop:
    def __init__(
        self,
        channel: Channel,
        *,
        pid: Optional[int] = None,
        grace_seconds: float = 5.0,
        exit: Optional[Callable[[int], None]] = None,
        log: Optional[Callable[[str], None]] = None,
    ) -> None:
        self._channel = channel
        self._pid = os.getpid() if pid is None else pid
        self._grace_seconds = grace_seconds
        self._exit_function = exit or _hard_exit
        self._log_function = log
        self._state = "new"
        self._adapter: Any = None
        self._descriptors: Dict[str, Dict[str, Any]] = {}
        self._plugin_data: Dict[str, Any] = {}
        #: Loaded plugins, least recently used first.
        self._loaded: List[str] = []
        self._configs: Dict[str, Dict[str, Any]] = {}
        self._diagnostics: List[Dict[str, Any]] = []
        self._catalog_problems: List[Dict[str, Any]] = []
        self._max_loaded = 1
        self._stream_window: Optional[int] = None
        self._max_concurrency: Optional[int] = None
        #: Concurrency plugins declare in code (define_plugin), learnt when they load.
        self._code_concurrency: Dict[str, int] = {}
        self._loaded_lock = threading.Lock()
        self._pumps: Dict[str, StreamPump] = {}
        self._result_bytes: Optional[int] = None
        self._chunk_bytes: Optional[int] = None
        self._scheduler = Scheduler(self, channel)
        self._writer = ChunkWriter(channel)
        self._unwatch: Optional[Callable[[], Any]] = None
        self._rediscovering = False
        self._rediscover_again = False
        self._rediscover_lock = threading.Lock()
        self._changed_plugins: set = set()
        self._exiting = False

    # ---------------------------------------------------------------- the reading thread

    def run(self) -> None:
        """Serves until the host closes the channel, then stops (bounded) and exits."""
        try:
            self._scheduler.serve()
        except BaseException as error:  # noqa: BLE001 - the loop must never die silently
            self.fatal(error)
        # The stop ends the process (os._exit), or the grace timer does.
        threading.Event().wait()

    def receive(self, raw: Any) -> None:
        # Taken before init is even checked, so that the answer to a bad init carries it too.
        if self._channel.token is None and type(raw) is dict and raw.get("type") == "init":
            token = raw.get("token")
            if isinstance(token, str) and token:
                self._channel.token = token
        try:
            message = parse_request(raw)
        except ProtocolError as error:
            self._send_error(str(error), WorkerMessageErrorCode.INVALID_REQUEST, _correlation(raw))
            return
        try:
            self._dispatch(message)
        except Exception as error:  # noqa: BLE001
            self.fatal(error)

    def _dispatch(self, message: Dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "execute":
            self._scheduler.enqueue(message, JobContext(message["job_id"], self._report_progress))
        elif kind == "cancel":
            self._cancel(message["job_id"], message.get("withdraw") is True)
        elif kind == "stream_ack":
            pump = self._pumps.get(message["job_id"])
            if pump is not None:
                pump.ack(message["consumed"])
        elif kind == "get_state":
            self._send_state(message.get("request_id"))
        elif kind == "init":
            self._scheduler.add_task(lambda: self._init(message))
        elif kind == "reload":
            self._scheduler.add_task(lambda: self._reload(message))
        elif kind == "unload":
            self._scheduler.add_task(lambda: self._unload(message))
        elif kind == "stop":
            self.stop(message.get("request_id"))

    def _cancel(self, job_id: str, withdraw: bool) -> None:
        """A running job's flag is set (a withdrawal leaves it running); a waiting one is
        dropped and answered at once, so the host never waits for a job that is not running."""
        if not self._scheduler.cancel(job_id, withdraw):
            return
        self._send(
            {
                "type": "result",
                "job_id": job_id,
                "status": "error",
                "error": Messages.withdrawn if withdraw else Messages.cancelled_before_start,
                "error_code": ResultErrorCode.WITHDRAWN if withdraw else ResultErrorCode.CANCELLED,
            }
        )

    def bad_line(self, text: str) -> None:
        self._send_error(f"Invalid request: {text}", WorkerMessageErrorCode.INVALID_REQUEST, {})

    def _send_state(self, request_id: Optional[str]) -> None:
        # A job counts as running from the moment the start rule starts it (as the host counts
        # it), even if its thread has not reached its first line yet.
        running = self._scheduler.running_ids()
        message: Dict[str, Any] = {"type": "state"}
        if request_id is not None:
            message["request_id"] = request_id
        message.update(
            pid=self._pid,
            loaded_plugins=list(self._loaded),
            current_job_id=running[0] if running else None,
            running_job_ids=running,
            plugins=self._plugin_list(),
            diagnostics=list(self._diagnostics),
            memory=memory_usage(),
        )
        self._send(message)

    def stop(self, request_id: Optional[str] = None) -> None:
        """Cancel every job, unload every plugin, dispose the adapter, answer, exit 0."""
        if self._state == "stopping":
            return
        self._state = "stopping"
        for job_id in self._scheduler.stop_all():
            self._send(
                {
                    "type": "result",
                    "job_id": job_id,
                    "status": "error",
                    "error": Messages.stopping,
                    "error_code": ResultErrorCode.CANCELLED,
                }
            )
        unwatch, self._unwatch = self._unwatch, None
        if unwatch is not None:
            try:
                unwatch()
            except Exception as error:  # noqa: BLE001
                self._log(f"stopping the adapter's watcher failed: {describe(error)}")
        self._scheduler.add_task(lambda: self._finish_stop(request_id))

    def host_gone(self) -> None:
        """The channel closed or SIGTERM arrived: stop, and exit after the grace period anyway."""
        timer = threading.Timer(self._grace_seconds, lambda: self._exit(0))
        timer.daemon = True
        timer.start()
        self.stop()

    def fatal(self, error: BaseException) -> None:
        """Something failed outside any job: report it, then exit 1."""
        import traceback

        self._log("uncaught exception, exiting: " + "".join(traceback.format_exception(
            type(error), error, error.__traceback__)))
        message: Dict[str, Any] = {
            "type": "error",
            "error": describe_plugin_error(error),
            "code": WorkerMessageErrorCode.UNCAUGHT_EXCEPTION,
        }
        running = self._scheduler.running_ids()
        if running:
            message["job_id"] = running[0]
        self._send(message)
        self._exit(1)

    # ---------------------------------------------------------------- the scheduler's hooks

    def system_exit(self, exit: SystemExit) -> None:
        self._exit(_exit_code(exit))

    def log(self, text: str) -> None:
        self._log(text)

    def is_loaded(self, plugin: str) -> bool:
        return plugin in self._loaded

    def concurrency_of(self, plugin: str) -> int:
        """A plugin's jobs at once here: the manifest's, else its code's, within the host's cap.
        What the host is told (ready, responses), so both apply the start rule alike."""
        descriptor = self._descriptors.get(plugin)
        declared = descriptor.get("concurrency") if descriptor is not None else None
        if declared is None:
            declared = self._code_concurrency.get(plugin, 1)
        cap = self._max_concurrency
        return declared if cap is None or declared <= cap else cap

    def run_job(self, message: Dict[str, Any], job: JobContext) -> bytes:
        """Runs one job on this thread; returns its result line (the scheduler sends it)."""
        token = set_current_job(job)
        try:
            line = self._run_job(message, job)
        except SystemExit:
            raise
        except BaseException as error:  # noqa: BLE001 - a plugin may raise anything
            line = self._failure_line(job, error)
        finally:
            reset_current_job(token)
            job.ended = True
            self._pumps.pop(job.job_id, None)
        return line

    def _run_job(self, message: Dict[str, Any], job: JobContext) -> bytes:
        """Runs the job; returns the line of its successful result (raises otherwise)."""
        if self._state == "stopping":
            raise CodedError(ResultErrorCode.CANCELLED, Messages.stopping)
        adapter = self._adapter
        if adapter is None or self._state != "ready":
            raise CodedError(ResultErrorCode.PLUGIN_ERROR, Messages.not_initialised("execute"))
        plugin = message["plugin_name"]
        self._ensure_loaded(plugin)
        params = {key: value for key, value in message.items() if key not in _RESERVED}
        if message.get("stream") is True and _call(adapter.check_streaming_support, plugin):
            stream = _call(adapter.execute_plugin_stream, plugin, **params)
            pump = StreamPump(job, self._writer, self._stream_window, self._chunk_bytes)
            self._pumps[job.job_id] = pump
            chunks, characters = pump.run(stream)
            # A plugin that honours the flag by simply returning early ended a cancelled job,
            # not a completed one: its output is partial.
            if job.cancelled:
                raise CodedError(ResultErrorCode.CANCELLED, Messages.ended_after_cancel)
            return self._channel.encode(
                {
                    "type": "result",
                    "job_id": job.job_id,
                    "status": "success",
                    "data": {"streamed": True, "chunks": chunks, "characters": characters},
                }
            )
        return self._result_line(job, _call(adapter.execute_plugin, plugin, **params))

    def _result_line(self, job: JobContext, value: Any) -> bytes:
        # Returned after the flag was set: the job was stopped, whatever it returned.
        if job.cancelled:
            raise CodedError(ResultErrorCode.CANCELLED, Messages.ended_after_cancel)
        try:
            data = to_result_data(value)
        except NotJsonSafeError as error:
            raise CodedError(ResultErrorCode.RESULT_NOT_SERIALIZABLE, str(error)) from None
        message = {"type": "result", "job_id": job.job_id, "status": "success", "data": data}
        try:
            line = self._channel.encode_checked(message)
        except (TypeError, ValueError) as error:
            raise CodedError(
                ResultErrorCode.RESULT_NOT_SERIALIZABLE, f"result: {describe(error)}"
            ) from None
        limit = self._result_bytes
        if limit is not None and len(line) > limit:
            # The line is the result plus a small envelope: measure the result alone.
            size = len(encode_message(data, None)) - 1
            if size > limit:
                raise CodedError(
                    ResultErrorCode.RESULT_TOO_LARGE, Messages.result_too_large(size, limit)
                )
        if len(line) > self._channel.max_bytes:
            raise CodedError(
                ResultErrorCode.SEND_FAILED,
                Messages.send_failed(
                    "result or output",
                    f"{len(line)} bytes of JSON, over the channel's limit of {self._channel.max_bytes}",
                ),
            )
        return line

    def _failure_line(self, job: JobContext, error: BaseException) -> bytes:
        if job.cancelled:
            code = ResultErrorCode.CANCELLED
        elif isinstance(error, CodedError):
            code = error.code
        else:
            code = ResultErrorCode.PLUGIN_ERROR
        if job.cancelled and _is_cancellation(error):
            text = describe_plugin_error(JobCancelled(Messages.cancelled_by_host(job.job_id)))
        else:
            text = describe_plugin_error(error)
        if len(text) > _MAX_ERROR_CHARS:
            # A message a person reads; the whole of a huge one would not fit the channel.
            text = text[:_MAX_ERROR_CHARS] + " … (truncated)"
        if code == ResultErrorCode.PLUGIN_ERROR and not isinstance(error, (CodedError, AdapterError)):
            # The traceback is what a Python developer looks for; it reaches the host's log.
            import traceback

            self._log(
                f"job {job.job_id} failed:\n"
                + "".join(traceback.format_exception(type(error), error, error.__traceback__))
            )
        return self._channel.encode(
            {
                "type": "result",
                "job_id": job.job_id,
                "status": "error",
                "error": text,
                "error_code": code,
            }
        )

    def _report_progress(self, job: JobContext, progress: Any, text: Any) -> None:
        if job.ended or isinstance(progress, bool) or not isinstance(progress, (int, float)):
            return
        if progress != progress:  # NaN
            return
        message: Dict[str, Any] = {
            "type": "progress",
            "job_id": job.job_id,
            "progress": min(1.0, max(0.0, float(progress))),
        }
        if text is not None:
            message["message"] = str(text)
        self._send(message)

    def _init(self, message: Dict[str, Any]) -> None:
        request_id = message.get("request_id")
        correlation = {} if request_id is None else {"request_id": request_id}
        if self._state != "new":
            reason = Messages.stopping if self._state == "stopping" else Messages.already_initialised
            self._answer({"type": "error", "error": reason, "code": WorkerMessageErrorCode.NOT_READY, **correlation})
            return
        self._state = "initialising"

        def fail(reason: str) -> None:
            if self._state == "initialising":
                self._state = "new"
            self._adapter = None
            self._answer({"type": "error", "error": reason, "code": WorkerMessageErrorCode.INIT_FAILED, **correlation})

        spec = message.get("adapter")
        if spec is None:
            fail(Messages.no_adapter)
            return
        self._max_loaded = message.get("max_loaded_plugins", 1)
        self._max_concurrency = message.get("max_concurrency")
        self._stream_window = message.get("stream_window")
        limits = message.get("limits") or {}
        self._result_bytes = limits.get("result_bytes")
        self._chunk_bytes = limits.get("chunk_bytes")
        try:
            adapter = load_adapter(spec)
        except AdapterLoadError as error:
            fail(str(error))
            return
        except Exception as error:  # noqa: BLE001
            fail(describe_plugin_error(error))
            return
        self._adapter = adapter
        try:
            self._set_catalog(_call(adapter.discover_plugins))
        except Exception as error:  # noqa: BLE001
            fail(Messages.discovery_failed(describe_plugin_error(error)))
            return
        for name, config in (message.get("plugin_configs") or {}).items():
            self._configs[name] = config
        load_failures: List[Dict[str, Any]] = []
        for name in list(self._configs):
            if len(self._loaded) >= self._max_loaded:
                break
            descriptor = self._descriptors.get(name)
            if descriptor is None:
                load_failures.append(
                    {
                        "location": name,
                        "plugin_name": name,
                        "code": ResultErrorCode.UNKNOWN_PLUGIN,
                        "message": Messages.unknown_plugin_in_configs(name),
                    }
                )
                continue
            try:
                self._ensure_loaded(name)
            except CodedError as error:
                load_failures.append(
                    {
                        "location": descriptor.get("location", name),
                        "plugin_name": name,
                        "code": "LOAD_FAILED",
                        "message": str(error),
                    }
                )
        # An adapter that reports its own load failures already named these plugins.
        reported = self._adapter_diagnostics()
        named = {diagnostic.get("plugin_name") for diagnostic in reported}
        self._diagnostics = (
            self._catalog_problems
            + reported
            + [failure for failure in load_failures if failure["plugin_name"] not in named]
        )
        if self._state != "initialising":
            return
        self._state = "ready"
        watch = getattr(adapter, "watch", None)
        if callable(watch):
            try:
                self._unwatch = watch(self._catalog_changed)
            except Exception as error:  # noqa: BLE001
                self._log(f"watching for plugin changes failed: {describe(error)}")
        ready: Dict[str, Any] = {"type": "ready", **correlation}
        ready.update(
            pid=self._pid,
            runtime=RUNTIME,
            plugins=self._plugin_list(),
            loaded_plugins=list(self._loaded),
            diagnostics=self._diagnostics,
        )
        self._answer(ready)

    def _set_catalog(self, items: Any) -> None:
        descriptors: Dict[str, Dict[str, Any]] = {}
        plugin_data: Dict[str, Any] = {}
        problems: List[Dict[str, Any]] = []
        for item in items or ():
            try:
                name, descriptor = describe_plugin(item, self._adapter)
            except ValueError as error:
                problems.append({"location": "", "code": "INVALID_DESCRIPTOR", "message": str(error)})
                continue
            if name in descriptors:
                continue
            descriptors[name] = descriptor
            plugin_data[name] = item
        self._descriptors = descriptors
        self._plugin_data = plugin_data
        self._catalog_problems = problems

    def _plugin_list(self) -> List[Dict[str, Any]]:
        """The descriptors, with the concurrency loaded plugins declare in code."""
        plugins = []
        for name, descriptor in self._descriptors.items():
            code = self._code_concurrency.get(name)
            if code is not None and "concurrency" not in descriptor:
                descriptor = {**descriptor, "concurrency": code}
            plugins.append(descriptor)
        return plugins

    def _learn_concurrency(self, name: str) -> None:
        """After a load: the concurrency the plugin's code declares (`get_concurrency`)."""
        get = getattr(self._adapter, "get_concurrency", None)
        if not callable(get):
            return
        try:
            value = get(name)
        except Exception:  # noqa: BLE001 - the manifest's (or 1) stays in force
            value = None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            self._code_concurrency[name] = value
        else:
            self._code_concurrency.pop(name, None)

    def _adapter_diagnostics(self) -> List[Dict[str, Any]]:
        get = getattr(self._adapter, "get_diagnostics", None)
        if not callable(get):
            return []
        try:
            return describe_diagnostics(_call(get))
        except Exception as error:  # noqa: BLE001
            self._log(f"get_diagnostics() raised: {describe_plugin_error(error)}")
            return []

    def _catalog_changed(self, change: Any = None) -> None:
        """Watch mode: rediscover and tell the host; changes during a rediscovery run it again.

        `change` may name plugins whose code changed (`{"changed_plugins": [...]}`, as the
        folder adapter says it, or a list of names): the host then replaces the workers that
        imported them, so the next job runs the new code."""
        names = change.get("changed_plugins") if isinstance(change, dict) else change
        if isinstance(names, (list, tuple, set, frozenset)):
            with self._rediscover_lock:
                self._changed_plugins.update(name for name in names if isinstance(name, str) and name)
        with self._rediscover_lock:
            if self._rediscovering:
                self._rediscover_again = True
                return
            self._rediscovering = True
        while True:
            self._rediscover_again = False
            try:
                self._set_catalog(_call(self._adapter.discover_plugins))
                diagnostics = self._catalog_problems + self._adapter_diagnostics()
                message: Dict[str, Any] = {
                    "type": "plugins_changed",
                    "plugins": self._plugin_list(),
                    "diagnostics": diagnostics,
                }
                with self._rediscover_lock:
                    if self._changed_plugins:
                        message["changed_plugins"] = sorted(self._changed_plugins)
                        self._changed_plugins.clear()
                self._send(message)
            except Exception as error:  # noqa: BLE001
                self._log(Messages.discovery_failed(describe_plugin_error(error)))
            with self._rediscover_lock:
                if not self._rediscover_again or self._state != "ready":
                    self._rediscovering = False
                    return

    def _ensure_loaded(self, name: str) -> None:
        """Loads `name` if needed, first unloading the least recently used plugins."""
        loaded = self._loaded
        if loaded and loaded[-1] == name:
            return
        with self._loaded_lock:  # jobs of a concurrent plugin get here from several threads
            if name in loaded:
                loaded.remove(name)
                loaded.append(name)
                return
        if name not in self._descriptors:
            raise CodedError(
                ResultErrorCode.UNKNOWN_PLUGIN,
                Messages.unknown_plugin(name, list(self._descriptors)),
            )
        self._make_room(self._max_loaded - 1)
        try:
            _call(self._adapter.load_plugin, self._plugin_data[name], self._configs.get(name, {}))
        except SystemExit:
            raise
        except BaseException as error:  # noqa: BLE001
            raise CodedError(
                ResultErrorCode.PLUGIN_LOAD_FAILED, describe_plugin_error(error)
            ) from error
        self._learn_concurrency(name)
        loaded.append(name)

    def _make_room(self, keep: int) -> None:
        while len(self._loaded) > keep:
            victim = self._loaded.pop(0)
            try:
                _call(self._adapter.unload_plugin, victim)
            except Exception as error:  # noqa: BLE001
                self._log(f'unloading plugin "{victim}" to make room failed: {describe(error)}')

    def _respond(
        self,
        request_type: str,
        request_id: Optional[str],
        plugin_name: Optional[str],
        error: Any,
    ) -> None:
        message: Dict[str, Any] = {
            "type": "response",
            "request_type": request_type,
            "status": "success" if error is None else "error",
            "data": {
                "loaded_plugins": list(self._loaded),
                "concurrency": {name: self.concurrency_of(name) for name in self._loaded},
            },
        }
        if request_id is not None:
            message["request_id"] = request_id
        if plugin_name is not None:
            message["plugin_name"] = plugin_name
        if error is not None:
            message["error"] = error if isinstance(error, str) else describe_plugin_error(error)
        self._answer(message)

    def _reload(self, message: Dict[str, Any]) -> None:
        name = message["plugin_name"]
        request_id = message.get("request_id")
        if self._adapter is None or self._state != "ready":
            self._respond("reload", request_id, name, Messages.not_initialised("reload"))
            return
        if "config" in message and message["config"] is None:
            self._unload_plugin(name, "reload", request_id)
            return
        if message.get("config") is not None:
            self._configs[name] = message["config"]
        try:
            if name in self._loaded:
                try:
                    # The seed's reload_plugin reads None as "unload": always pass the config.
                    _call(self._adapter.reload_plugin, name, self._configs.get(name, {}))
                except BaseException:
                    self._resync_loaded(name)
                    raise
                self._learn_concurrency(name)
                self._loaded.remove(name)
                self._loaded.append(name)
            else:
                # Switching plugins: the least recently used ones go first.
                self._ensure_loaded(name)
            self._respond("reload", request_id, name, None)
        except SystemExit:
            raise
        except BaseException as error:  # noqa: BLE001
            self._respond("reload", request_id, name, error)

    def _unload(self, message: Dict[str, Any]) -> None:
        if self._adapter is None or self._state != "ready":
            self._respond(
                "unload",
                message.get("request_id"),
                message["plugin_name"],
                Messages.not_initialised("unload"),
            )
            return
        self._unload_plugin(message["plugin_name"], "unload", message.get("request_id"))

    def _unload_plugin(self, name: str, request_type: str, request_id: Optional[str]) -> None:
        if name not in self._loaded:
            self._respond(request_type, request_id, name, None)
            return
        self._loaded.remove(name)
        try:
            _call(self._adapter.unload_plugin, name)
            self._respond(request_type, request_id, name, None)
        except Exception as error:  # noqa: BLE001
            self._respond(request_type, request_id, name, error)

    def _resync_loaded(self, name: str) -> None:
        """After a failed reload the adapter knows best what is still loaded; without it, not."""
        still_loaded = False
        get = getattr(self._adapter, "get_loaded_plugins", None)
        if callable(get):
            try:
                still_loaded = name in (_call(get) or ())
            except Exception:  # noqa: BLE001
                still_loaded = False
        if not still_loaded and name in self._loaded:
            self._loaded.remove(name)

    def _finish_stop(self, request_id: Optional[str]) -> None:
        # Jobs on pool threads were cancelled: their plugins are unloaded once they have ended
        # (one that does not end is cut short by the grace timer, as a blocked one always was).
        self._scheduler.wait_for_jobs()
        problems: List[str] = []
        adapter = self._adapter
        if adapter is not None:
            for name in list(self._loaded):
                try:
                    _call(adapter.unload_plugin, name)
                except Exception as error:  # noqa: BLE001
                    problems.append(f'unloading "{name}": {describe(error)}')
            self._loaded.clear()
            dispose = getattr(adapter, "dispose", None)
            if callable(dispose):
                try:
                    _call(dispose)
                except Exception as error:  # noqa: BLE001
                    problems.append(f"adapter.dispose(): {describe(error)}")
        for problem in problems:
            self._log(problem)
        message: Dict[str, Any] = {"type": "response"}
        if request_id is not None:
            message["request_id"] = request_id
        message.update(request_type="stop", status="success" if not problems else "error")
        if problems:
            message["error"] = "; ".join(problems)
        self._send(message)
        self._exit(0)

    # ---------------------------------------------------------------- either thread

    def _send(self, message: Dict[str, Any]) -> bool:
        try:
            return self._channel.send(message)
        except (TypeError, ValueError) as error:
            # An adapter's descriptor or diagnostic JSON cannot carry; the answer must not be lost.
            self._log(f"a {message.get('type')} message could not be sent: {describe(error)}")
            return False

    def _answer(self, message: Dict[str, Any]) -> None:
        """The answer of a request that touches plugins: jobs may start from now on, before the
        host, seeing it, sends more (it counts them as started at once)."""
        self._scheduler.answering()
        self._send(message)

    def _send_error(self, text: str, code: str, correlation: Dict[str, Any]) -> None:
        self._send({"type": "error", "error": text, "code": code, **correlation})

    def _log(self, text: str) -> None:
        if self._log_function is not None:
            self._log_function(text)
            return
        try:
            sys.stderr.write(f"plugwork worker: {text}\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - stderr closed: nothing left to tell
            pass

    def _exit(self, code: int) -> None:
        if self._exiting:
            return
        self._exiting = True
        self._exit_function(code)


def _hard_exit(code: int) -> None:
    """Ends the process now: a plugin thread that never returns must not keep it alive."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)


def _exit_code(exit: SystemExit) -> int:
    code = exit.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    try:
        sys.stderr.write(f"{code}\n")
    except Exception:  # noqa: BLE001
        pass
    return 1


def _is_cancellation(error: BaseException) -> bool:
    if isinstance(error, JobCancelled):
        return True
    return type(error).__name__ == "CancelledError"


def _correlation(raw: Any) -> Dict[str, Any]:
    """request_id / job_id of a request that failed to parse, so the host can still match it."""
    if not isinstance(raw, dict):
        return {}
    result: Dict[str, Any] = {}
    for key in ("request_id", "job_id"):
        value = raw.get(key)
        if isinstance(value, str) and value:
            result[key] = value
    return result
