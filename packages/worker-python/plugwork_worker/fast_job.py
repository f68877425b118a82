"""The common job, run straight from the read: a plain execute of the loaded plugin, worker idle.

Most requests a worker reads are `{"type": "execute", "job_id", "plugin_name", ...params}` for
the plugin it has loaded, arriving while nothing else runs. The general path hands such a job
through five layers (parse, dispatch, enqueue, the start rule, run) that each look at the
message again; for a no-op job they cost the Python worker about as much as reading and
answering it. This path checks the same things once and runs the job on the reading thread,
as the scheduler would (the loop thread runs concurrency-1 jobs itself): it is registered as
running under the scheduler's lock (so get_state names it and cancel reaches it), the Alarm is
armed (so the standby thread reads if it runs long), and it ends through the scheduler (the
next job may start, then the result goes). Anything else (`stream`, `request_id`, a plugin not
loaded last, a concurrent plugin, a busy worker) goes the general way, of which this is only a
shortcut: same answers, byte for byte.

Part of the worker loop (loop.py), as a mixin of WorkerLoop.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any

from .job import JobContext, reset_current_job, set_current_job

#: An execute request's keys that are not parameters, when it has no `stream` or `request_id`.
_PROTOCOL_KEYS = frozenset(("type", "job_id", "plugin_name"))


class FastJobs:
    def fast_execute(self, message: Any) -> bool:
        """Runs `message` when it is a plain execute that may start now; False to leave it to
        `receive` (it has not been looked at beyond this check)."""
        if (
            type(message) is not dict
            or message.get("type") != "execute"
            or "stream" in message
            or "request_id" in message
        ):
            return False
        job_id = message.get("job_id")
        plugin = message.get("plugin_name")
        loaded = self._loaded
        if (
            type(job_id) is not str
            or not job_id
            or not loaded
            or loaded[-1] != plugin
            or self._state != "ready"
            or self.concurrency_of(plugin) > 1
        ):
            return False
        job = JobContext(job_id, self._report_progress)
        scheduler = self._scheduler
        if not scheduler.start_alone(job, plugin):
            return False
        # The job's parameters: every key but the three of the protocol (checked above).
        params = (
            {key: value for key, value in message.items() if key not in _PROTOCOL_KEYS}
            if len(message) > 3
            else {}
        )
        token = set_current_job(job)
        try:
            value = self._adapter.execute_plugin(plugin, **params)
            if hasattr(value, "__await__"):
                from .async_support import run_awaitable

                value = run_awaitable(value)
            line = self._result_line(job, value)
        except SystemExit as exit:
            # As on the general path: sys.exit() in plugin code ends the worker.
            reset_current_job(token)
            job.ended = True
            self.system_exit(exit)
            return True
        except BaseException as error:  # noqa: BLE001 - a plugin may raise anything
            line = self._failure_line(job, error)
        reset_current_job(token)
        job.ended = True
        scheduler.finish_alone(job, plugin, line)
        return True
