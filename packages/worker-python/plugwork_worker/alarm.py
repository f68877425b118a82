"""How the standby reader learns that the loop thread is busy for longer than a moment.

The loop thread reads the socket and runs plugin code itself (no thread hand-off for a job that
finishes fast). While it runs something long, the standby thread must read instead, so that
`cancel`, `stream_ack` and `get_state` are answered. Waking the standby thread for every job
would cost the hand-off this design avoids, so it is woken by a timer instead: `arm()` before
each piece of work sets a one-shot SIGALRM `seconds` ahead (one setitimer call, no thread
woken); work that ends sooner pushes it forward with the next `arm()`. Jobs that follow each
other closely skip the call: an `arm()` less than half the period after the last finds the
timer still at least half the period away, so the standby thread reads once work has run
for between half the period and the whole of it. The signal is delivered
to the standby thread through `signal.set_wakeup_fd` (the C-level handler writes the signal's
number on a pipe, whatever the loop thread is doing, even inside a call that released the GIL).
SIGTERM arrives on the same pipe, so the standby thread, not plugin code, handles it.

Signals need the main thread. A loop run on another thread (the in-process tests) gets a
timer thread in place of the signal: the same rule (it writes SIGALRM's number on the pipe
once work has run for the period), so the same code paths run as in a worker process.
"""

from __future__ import annotations

import os
import select
import signal
import threading
from time import monotonic

#: A byte on the pipe that is no signal: "look at the state" (the loop handed over reading).
POKE = 0


class Alarm:
    def __init__(self, seconds: float) -> None:
        self._seconds = seconds
        #: Before this (monotonic) time, the timer armed last is still at least half a period away.
        self._rearm_after = 0.0
        self._read_fd, self._write_fd = os.pipe()
        os.set_blocking(self._write_fd, False)
        os.set_blocking(self._read_fd, False)
        self.signals = (
            threading.current_thread() is threading.main_thread()
            and hasattr(signal, "setitimer")
            and hasattr(signal, "set_wakeup_fd")
        )
        if self.signals:
            # The Python-level handlers run on the main thread between bytecodes: they do
            # nothing, the standby thread acts on the byte. SA_RESTART (siginterrupt False):
            # a plugin's blocking call is not interrupted by the timer.
            for number in (signal.SIGALRM, signal.SIGTERM):
                signal.signal(number, _nothing)
                signal.siginterrupt(number, False)
            signal.set_wakeup_fd(self._write_fd, warn_on_full_buffer=False)
            # A child a plugin forks (multiprocessing does) must not share them: its SIGTERM
            # would reach this worker's pipe and stop it, and it would ignore SIGTERM itself.
            os.register_at_fork(
                before=_block, after_in_parent=_unblock, after_in_child=_forget_in_child
            )
        self._itimer = signal.ITIMER_REAL if self.signals else None
        if not self.signals:
            #: The timer thread's deadline (monotonic), None while it is not armed.
            self._deadline: "float | None" = None
            self._timer = threading.Condition(threading.Lock())
            threading.Thread(target=self._time, name="plugwork-alarm", daemon=True).start()

    def arm(self) -> None:
        """Before work on the loop thread: the standby thread wakes if it is still running then."""
        now = monotonic()
        if now < self._rearm_after:
            return
        self._rearm_after = now + self._seconds / 2
        if self._itimer is not None:
            signal.setitimer(self._itimer, self._seconds)
            return
        with self._timer:
            idle = self._deadline is None
            self._deadline = now + self._seconds
            if idle:
                self._timer.notify()

    def _time(self) -> None:
        """The timer thread (no signals): SIGALRM's byte once the deadline passes."""
        with self._timer:
            while True:
                deadline = self._deadline
                if deadline is None:
                    self._timer.wait()
                    continue
                remaining = deadline - monotonic()
                if remaining > 0:
                    # An arm() meanwhile moves the deadline on: it is read again on waking.
                    self._timer.wait(remaining)
                    continue
                self._deadline = None
                self._write(signal.SIGALRM)

    def poke(self) -> None:
        """Wakes the standby thread now."""
        self._write(POKE)

    def _write(self, reason: int) -> None:
        try:
            os.write(self._write_fd, bytes((reason,)))
        except (BlockingIOError, OSError):
            pass  # the pipe is full: the standby thread has wake-ups waiting already

    def fileno(self) -> int:
        """Readable when there is a wake-up to take (select on it beside the socket)."""
        return self._read_fd

    def wait(self) -> bytes:
        """On the standby thread: blocks until woken; the bytes say why (signal numbers, POKE)."""
        while True:
            select.select([self._read_fd], [], [])
            reasons = self.take()
            if reasons:
                return reasons

    def take(self) -> bytes:
        """The wake-ups waiting, without blocking (b"" when none)."""
        try:
            return os.read(self._read_fd, 256)
        except (BlockingIOError, InterruptedError):
            return b""


def _nothing(*_: object) -> None:
    pass


_OURS = (signal.SIGALRM, signal.SIGTERM)


def _block() -> None:
    # Held back across the fork: a signal reaching the child before it has let go of the pipe
    # would otherwise be written on it.
    signal.pthread_sigmask(signal.SIG_BLOCK, _OURS)


def _unblock() -> None:
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _OURS)


def _forget_in_child() -> None:
    try:
        signal.set_wakeup_fd(-1)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for number in _OURS:
            signal.signal(number, signal.SIG_DFL)
    except (ValueError, OSError):
        pass
    _unblock()  # a SIGTERM sent meanwhile now does what it does to any process
