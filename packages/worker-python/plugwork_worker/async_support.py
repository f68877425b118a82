"""`async def` plugins: coroutines and async generators run on an event loop of the job thread.

One loop per job thread, made on first use and kept (making a loop per job costs more than
most jobs). Cancellation cancels the running task, so an async plugin stops at its next await
without checking any flag.
"""

from __future__ import annotations

import asyncio
import threading
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Awaitable, Iterator, Optional

from .job import JobContext, current_job

_local = threading.local()


def _event_loop() -> asyncio.AbstractEventLoop:
    loop: Optional[asyncio.AbstractEventLoop] = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = asyncio.new_event_loop()
        _local.loop = loop
    return loop


def run_awaitable(awaitable: Awaitable[Any], job: Optional[JobContext] = None) -> Any:
    """Runs `awaitable` to completion on this thread's loop; cancels it when the job is."""
    return _Runner(job if job is not None else current_job()).run(awaitable)


class _Runner:
    """Runs awaitables one after another for one job; a cancel cancels whichever is running."""

    def __init__(self, job: Optional[JobContext]) -> None:
        self._loop = _event_loop()
        self._task: Optional[asyncio.Future] = None
        self._cancelled = False
        if job is not None:
            job.on_cancel(self._cancel)

    def _cancel(self) -> None:
        self._cancelled = True
        task = self._task
        if task is not None:
            self._loop.call_soon_threadsafe(task.cancel)

    def run(self, awaitable: Awaitable[Any]) -> Any:
        task = asyncio.ensure_future(awaitable, loop=self._loop)
        self._task = task
        if self._cancelled:
            task.cancel()
        try:
            return self._loop.run_until_complete(task)
        finally:
            self._task = None


def sync_iterator(stream: Any) -> Iterator[Any]:
    """An async iterable as a plain iterator, one `__anext__` at a time on this thread's loop."""
    runner = _Runner(current_job())
    iterator = stream.__aiter__()
    try:
        while True:
            try:
                yield runner.run(iterator.__anext__())
            except StopAsyncIteration:
                return
    finally:
        close = getattr(iterator, "aclose", None)
        if close is not None:
            try:
                _Runner(None).run(close())
            except BaseException:
                pass


def is_awaitable(value: Any) -> bool:
    return asyncio.iscoroutine(value) or isinstance(value, asyncio.Future)
