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

This file is the loop: reading, the requests answered at once, stopping. Running a job is in
job_runner.py, and the requests that touch plugins (init, reload, unload) in plugin_requests.py.
"""

from __future__ import annotations

import os
import sys
import threading
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Callable, Dict, List, Optional

from .adapter import call_adapter as _call
from .channel import Channel
from .errors import Messages, ResultErrorCode, WorkerMessageErrorCode, describe, describe_plugin_error
from .fast_job import FastJobs
from .job import JobContext
from .job_runner import JobRunner
from .memory import memory_usage
from .parse import ProtocolError, parse_request
from .plugin_requests import RUNTIME, PluginRequests
from .scheduler import Scheduler
from .stream_pump import ChunkWriter, StreamPump

__all__ = ["RUNTIME", "WorkerLoop"]


class WorkerLoop(FastJobs, JobRunner, PluginRequests):
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
