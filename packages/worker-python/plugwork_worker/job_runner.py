"""Running one job on the thread the scheduler chose: the plugin's call, then its result line.

Part of the worker loop (loop.py), as a mixin of WorkerLoop: the state it reads (`_adapter`,
`_channel`, `_pumps`, the limits) is the loop's.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Dict

from .adapter import call_adapter as _call
from .channel import encode_message
from .errors import AdapterError, CodedError, Messages, ResultErrorCode, describe, describe_plugin_error
from .job import JobCancelled, JobContext, reset_current_job, set_current_job
from .json_safe import NotJsonSafeError, to_result_data
from .stream_pump import StreamPump
from .wire import RESERVED_EXECUTE_KEYS

_RESERVED = frozenset(RESERVED_EXECUTE_KEYS)
_MAX_ERROR_CHARS = 100_000


class JobRunner:
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
        try:
            line = self._channel.encode_result(job.job_id, data)
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


def _is_cancellation(error: BaseException) -> bool:
    if isinstance(error, JobCancelled):
        return True
    return type(error).__name__ == "CancelledError"
