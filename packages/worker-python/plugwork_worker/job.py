"""A job the worker is running: its id, its cancellation flag and its progress reporter.

The loop sets the flag from the main thread when a `cancel` arrives, while the job runs in the
job thread; plugins poll `cancelled`, wait on `cancel_event`, or sleep with `sleep()`, which
wakes up at once on cancellation. Cancellation is cooperative: a job that does not stop is
killed by the host after its grace period.
"""

from __future__ import annotations

import contextvars
import threading
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Callable, List, Optional

_current: contextvars.ContextVar[Optional["JobContext"]] = contextvars.ContextVar(
    "plugwork_current_job", default=None
)


class JobCancelled(Exception):
    """Raised by `JobContext.raise_if_cancelled()`; ends the job as cancelled."""


class JobContext:
    """What the worker tells a job's code about the job (the Python ExecutionContext).

    The threading.Event behind `cancel_event` is made only when asked for: most jobs are never
    cancelled, and making one costs more than the rest of a no-op job's bookkeeping.
    """

    __slots__ = ("job_id", "_cancelled", "_event", "_report", "_listeners", "_lock", "ended")

    def __init__(self, job_id: str, report: Callable[["JobContext", Any, Any], None]) -> None:
        self.job_id = job_id
        self._cancelled = False
        self._event: Optional[threading.Event] = None
        self._report = report
        self._listeners: Optional[List[Callable[[], None]]] = None
        self._lock = threading.Lock()
        #: Set once the job's result is sent: progress reported later is dropped.
        self.ended = False

    @property
    def cancelled(self) -> bool:
        """True once the host asked to cancel the job (or the worker is stopping)."""
        return self._cancelled

    @property
    def cancel_event(self) -> threading.Event:
        """Set on cancellation: `wait()` on it, or pass it to code that takes an Event."""
        with self._lock:
            if self._event is None:
                self._event = threading.Event()
                if self._cancelled:
                    self._event.set()
            return self._event

    def report_progress(self, progress: float, message: Optional[str] = None) -> None:
        """Reports how far the job has got, 0 to 1 (clamped), with an optional message."""
        self._report(self, progress, message)

    def raise_if_cancelled(self) -> None:
        """Raises JobCancelled when the job was cancelled: a one-line cooperative stop."""
        if self._cancelled:
            raise JobCancelled(f"job {self.job_id} was cancelled by the host")

    def sleep(self, seconds: float) -> bool:
        """Sleeps up to `seconds`, waking at once on cancellation; True when cancelled."""
        return self.cancel_event.wait(seconds)

    def cancel(self) -> None:
        """Sets the flag and wakes whatever waits on it (the loop calls this; plugins need not)."""
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
            if self._event is not None:
                self._event.set()
            listeners, self._listeners = self._listeners, None
        for listener in listeners or ():
            listener()

    def on_cancel(self, listener: Callable[[], None]) -> None:
        """Runs `listener` once, on cancellation (at once if already cancelled)."""
        with self._lock:
            if not self._cancelled:
                if self._listeners is None:
                    self._listeners = []
                self._listeners.append(listener)
                return
        listener()


def current_job() -> Optional[JobContext]:
    """The job running on this thread, for adapters whose methods have the seed's signatures.

    None outside a job (and in threads a plugin starts itself: pass the context along).
    """
    return _current.get()


def set_current_job(job: Optional[JobContext]) -> contextvars.Token:
    return _current.set(job)


def reset_current_job(token: contextvars.Token) -> None:
    _current.reset(token)
