"""Who reads the socket, who runs what, and when a job starts: the worker's threads.

- The loop thread (the process's main thread) reads the socket and runs, itself, every job of
  a plugin whose concurrency is 1, and every request that touches plugins (init, reload,
  unload, the end of a stop). A job that finishes fast costs no thread hand-off: read, run,
  answer, read. Plugin code of those jobs always runs on this one thread, so thread-bound
  objects made in `setup` (a sqlite3 connection, an asyncio loop) work in every job.
- The standby thread reads instead while the loop thread is busy for longer than a moment (the
  Alarm wakes it) or while jobs run on pool threads, so `cancel`, `stream_ack` and `get_state`
  are answered while plugins compute. It hands reading back once the loop thread is idle.
- Pool threads run the jobs of plugins whose concurrency n is above 1, up to n at once.

The start rule is the TypeScript worker's (child/job-executor.ts), which the host mirrors to
know which jobs a worker has started: jobs start in the order they arrived; a job of a
concurrency-1 plugin starts only on an idle worker and then runs alone; a job of a
concurrency-n plugin starts beside fewer than n of its own and no concurrency-1 job; a job
whose plugin is not loaded starts only on an idle worker; none starts while a request that
touches plugins is waiting or running.

One thread reads at a time: the role passes under the lock, and only from a thread that is not
inside a read (the standby thread hands it back after a message; the loop thread hands it over
while it is not reading).
"""

from __future__ import annotations

import collections
import itertools
import select
import threading
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from .alarm import Alarm
from .channel import CLOSED, Channel
from .job import JobContext

#: How long loop-thread work runs before the standby thread reads instead.
STANDBY_AFTER_SECONDS = 0.002

_SIGTERM = 15

_pool_numbers = itertools.count(1)


class SchedulerHost:
    """What the scheduler needs of the worker loop (WorkerLoop implements it)."""

    def receive(self, raw: Any) -> None: ...
    def bad_line(self, text: str) -> None: ...
    def run_job(self, message: Dict[str, Any], job: JobContext) -> bytes: ...
    def concurrency_of(self, plugin: str) -> int: ...
    def is_loaded(self, plugin: str) -> bool: ...
    def host_gone(self) -> None: ...
    def system_exit(self, exit: SystemExit) -> None: ...
    def log(self, text: str) -> None: ...


class _Running:
    __slots__ = ("job", "plugin", "exclusive")

    def __init__(self, job: JobContext, plugin: str, exclusive: bool) -> None:
        self.job = job
        self.plugin = plugin
        self.exclusive = exclusive


class Scheduler:
    def __init__(self, host: SchedulerHost, channel: Channel) -> None:
        self._host = host
        self._channel = channel
        self._alarm: Optional[Alarm] = None
        self._lock = threading.Lock()
        #: The loop thread waits here when it has nothing to do and is not the reader.
        self._wake = threading.Condition(self._lock)
        self._pending: Deque[Tuple[Dict[str, Any], JobContext]] = collections.deque()
        self._running: Dict[str, _Running] = {}
        self._per_plugin: Dict[str, int] = {}
        self._exclusive = 0
        self._pooled = 0
        self._idle_pool: List[_PoolThread] = []
        #: Requests that touch plugins, for the loop thread, in order.
        self._tasks: Deque[Callable[[], None]] = collections.deque()
        self._task_running = False
        #: A started job the loop thread is to run next.
        self._inline: Optional[Tuple[Dict[str, Any], JobContext]] = None
        self._loop_busy = False
        #: Whether a thread waits on `_wake` (notify() is Python code: skipped when none does).
        self._waiting = 0
        #: "loop", "standby", or "closed" once the host closed the channel.
        self._reader = "loop"
        #: How long loop-thread work runs before the standby thread reads (read by `serve`).
        self.standby_after = STANDBY_AFTER_SECONDS

    # ------------------------------------------------------------ the loop thread

    def serve(self) -> None:
        """The loop thread's life: read, run, repeat (returns only if the reader fails)."""
        self._alarm = Alarm(self.standby_after)
        threading.Thread(target=self._standby, name="plugwork-reader", daemon=True).start()
        channel = self._channel
        host = self._host
        # The common job's shortcut (fast_job.py), when the host has one.
        fast = getattr(host, "fast_execute", None)
        while True:
            with self._lock:
                work = self._take_work()
            if work is None:
                message = channel.next_message(host.bad_line)
                if message is CLOSED:
                    self._channel_closed()
                elif fast is None or not fast(message):
                    host.receive(message)
                continue
            self._alarm.arm()
            try:
                if type(work) is tuple:
                    message, job = work
                    self._finish(job, host.run_job(message, job), loop=True)
                else:
                    self._run_task(work)
            except SystemExit as exit:
                # sys.exit() in plugin code ends the worker, as process.exit() does in Node.
                host.system_exit(exit)
            except BaseException as error:  # noqa: BLE001 - work answers its own errors
                host.log(f"{type(error).__name__}: {error}")

    def _take_work(self) -> Any:
        """Under the lock: the loop thread's next work (a started job as (message, job), or a
        task), or None when it is to read."""
        while True:
            inline = self._inline
            if inline is not None:
                self._inline = None
                self._loop_busy = True
                return inline
            if self._tasks:
                self._loop_busy = True
                self._task_running = True
                return self._tasks.popleft()
            if self._reader == "loop":
                if self._pooled == 0:
                    return None
                # Pool threads' jobs ending must be able to start the next job here: the
                # loop thread waits on the lock, not in a read, while they run.
                self._hand_over_locked()
            self._waiting += 1
            self._wake.wait()
            self._waiting -= 1

    def _run_task(self, task: Callable[[], None]) -> None:
        try:
            task()
        finally:
            with self._lock:
                self._loop_busy = False
                self._task_running = False
                self._pump_locked()

    def _hand_over_locked(self) -> None:
        if self._reader == "loop":
            self._reader = "standby"
            self._alarm.poke()  # type: ignore[union-attr]

    # ------------------------------------------------------------ the standby thread

    def _standby(self) -> None:
        alarm = self._alarm
        assert alarm is not None
        while True:
            reasons = alarm.wait()
            if _SIGTERM in reasons:
                self._host.host_gone()
                # The loop thread may be waiting for a message that will never come.
                self._channel.shutdown_read()
            with self._lock:
                if self._reader == "loop" and (self._loop_busy or self._pooled):
                    self._reader = "standby"
                if self._reader != "standby":
                    continue
            self._read_while_needed()

    def _read_while_needed(self) -> None:
        channel = self._channel
        host = self._host
        while True:
            message = channel.next_message(host.bad_line, self._socket_or_signal)
            if message is CLOSED:
                self._channel_closed()
                return
            host.receive(message)
            with self._lock:
                # The loop thread is idle (perhaps about to run what this message started):
                # it reads again, and if its work runs long, the Alarm calls this thread back.
                if not (self._loop_busy or self._pooled):
                    self._reader = "loop"
                    if self._waiting:
                        self._wake.notify()
                    return

    def _socket_or_signal(self, socket_fd: int) -> None:
        """While the standby thread reads: a SIGTERM is acted on at once, not after a message."""
        alarm = self._alarm
        assert alarm is not None
        while True:
            ready, _, _ = select.select([socket_fd, alarm.fileno()], [], [])
            if alarm.fileno() in ready and _SIGTERM in alarm.take():
                self._host.host_gone()
            if socket_fd in ready:
                return

    def _channel_closed(self) -> None:
        with self._lock:
            self._reader = "closed"
            if self._waiting:
                self._wake.notify()
        self._host.host_gone()

    # ------------------------------------------------------------ any thread

    def add_task(self, task: Callable[[], None]) -> None:
        """A request that touches plugins: the loop thread runs it after the ones before it."""
        with self._lock:
            self._tasks.append(task)
            if self._waiting:
                self._wake.notify()

    def answering(self) -> None:
        """The running request's answer goes now: it no longer holds jobs back."""
        with self._lock:
            if self._task_running:
                self._task_running = False
                self._pump_locked()

    def enqueue(self, message: Dict[str, Any], job: JobContext) -> None:
        with self._lock:
            self._pending.append((message, job))
            self._pump_locked()

    def cancel(self, job_id: str, withdraw: bool) -> bool:
        """A running job's flag is set (a withdrawal leaves it running); a waiting one is
        dropped: True when it was (the caller answers it)."""
        with self._lock:
            running = self._running.get(job_id)
            if running is None:
                for index, (message, _job) in enumerate(self._pending):
                    if message["job_id"] == job_id:
                        del self._pending[index]
                        self._pump_locked()
                        return True
                return False
        if not withdraw:
            running.job.cancel()
        return False

    def running_ids(self) -> List[str]:
        with self._lock:
            return list(self._running)

    def stop_all(self) -> List[str]:
        """Every running job is cancelled; the waiting ones are dropped (returned to answer)."""
        with self._lock:
            waiting = [message["job_id"] for message, _job in self._pending]
            self._pending.clear()
            running = [each.job for each in self._running.values()]
        for job in running:
            job.cancel()
        return waiting

    def wait_for_jobs(self) -> None:
        """Until no job runs on a pool thread (the loop thread's own have ended: it is here)."""
        with self._lock:
            while self._pooled:
                self._waiting += 1
                self._wake.wait()
                self._waiting -= 1

    # ------------------------------------------------------------ starting and ending jobs

    def _pump_locked(self) -> None:
        """Starts every waiting job that may start now, in order."""
        pending = self._pending
        while pending and self._inline is None:
            message, job = pending[0]
            plugin = message["plugin_name"]
            if not self._may_start(plugin):
                return
            pending.popleft()
            exclusive = self._host.concurrency_of(plugin) <= 1
            self._running[job.job_id] = _Running(job, plugin, exclusive)
            self._per_plugin[plugin] = self._per_plugin.get(plugin, 0) + 1
            if exclusive:
                self._exclusive += 1
            if exclusive or not self._host.is_loaded(plugin):
                # The loop thread runs it (and loads its plugin first, on an idle worker).
                self._inline = (message, job)
                if self._waiting:
                    self._wake.notify()
                return
            self._pooled += 1
            self._hand_over_locked()
            pool = self._idle_pool.pop() if self._idle_pool else _PoolThread(self)
            pool.give(message, job)

    def start_alone(self, job: JobContext, plugin: str) -> bool:
        """On the loop thread, which has just read the request: starts a job of a loaded
        concurrency-1 plugin, to run on this thread now, if the worker is idle (the start rule
        lets it start, and nothing is ahead of it). False, and nothing changed, otherwise.
        The job ends with `finish_alone`."""
        with self._lock:
            if (
                self._running
                or self._pending
                or self._tasks
                or self._task_running
                or self._inline is not None
                or self._pooled
                or self._reader != "loop"
            ):
                return False
            self._running[job.job_id] = _Running(job, plugin, True)
            self._per_plugin[plugin] = 1
            self._exclusive += 1
            self._loop_busy = True
        self._alarm.arm()  # type: ignore[union-attr]
        return True

    def finish_alone(self, job: JobContext, plugin: str, line: bytes) -> None:
        """The end of a job `start_alone` started: `_finish` for a job known to have run alone
        (nothing else could start beside it, so its plugin's count and the exclusive count go
        back to none)."""
        with self._lock:
            self._loop_busy = False
            del self._running[job.job_id]
            del self._per_plugin[plugin]
            self._exclusive -= 1
            if self._pending:
                self._pump_locked()
        self._channel.send_line(line)

    def _may_start(self, plugin: str) -> bool:
        if self._task_running or self._tasks:
            return False
        if not self._running:
            return True
        if not self._host.is_loaded(plugin):
            return False
        limit = self._host.concurrency_of(plugin)
        if limit <= 1 or self._exclusive:
            return False
        return self._per_plugin.get(plugin, 0) < limit

    def _finish(self, job: JobContext, line: bytes, loop: bool = False) -> None:
        """A job is over: the next may start (before the host sees this result, so that a
        get_state it sends on seeing it names the next job), then its result goes. `loop`:
        the loop thread ran it, and is free again."""
        with self._lock:
            if loop:
                self._loop_busy = False
            running = self._running.pop(job.job_id, None)
            if running is not None:
                count = self._per_plugin.get(running.plugin, 1) - 1
                if count:
                    self._per_plugin[running.plugin] = count
                else:
                    self._per_plugin.pop(running.plugin, None)
                if running.exclusive:
                    self._exclusive -= 1
            self._pump_locked()
        self._channel.send_line(line)

    def _pooled_done(self, pool: "_PoolThread", job: JobContext, line: bytes) -> None:
        self._finish(job, line)
        with self._lock:
            self._pooled -= 1
            self._idle_pool.append(pool)
            if self._waiting:
                self._wake.notify()


class _PoolThread:
    """Runs the jobs of concurrent plugins, one at a time, as the scheduler gives them."""

    def __init__(self, scheduler: Scheduler) -> None:
        self._scheduler = scheduler
        self._ready = threading.Condition(threading.Lock())
        self._work: Optional[Tuple[Dict[str, Any], JobContext]] = None
        name = f"plugwork-pool-{next(_pool_numbers)}"
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    def give(self, message: Dict[str, Any], job: JobContext) -> None:
        with self._ready:
            self._work = (message, job)
            self._ready.notify()

    def _serve(self) -> None:
        scheduler = self._scheduler
        host = scheduler._host
        while True:
            with self._ready:
                while self._work is None:
                    self._ready.wait()
                message, job = self._work
                self._work = None
            try:
                line = host.run_job(message, job)
            except SystemExit as exit:
                host.system_exit(exit)
                return
            scheduler._pooled_done(self, job, line)
