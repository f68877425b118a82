"""Test helpers: a host's end of the channel, talking to a worker loop in this process (over a
socketpair, fast) or to a real worker process (over a Unix socket, as the JobManager does)."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable, Dict, List, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(HERE, "fixtures")
PLUGINS = os.path.join(FIXTURES, "plugins")

for path in (PACKAGE_ROOT, FIXTURES):
    if path not in sys.path:
        sys.path.insert(0, path)

from plugwork_worker.channel import Channel  # noqa: E402
from plugwork_worker.loop import WorkerLoop  # noqa: E402

FOLDER_ADAPTER = {
    "module": "plugwork_worker.folder_adapter",
    "export": "FolderAdapter",
    "options": {"directories": [PLUGINS]},
}


class HostEnd:
    """The host's side of one channel: send requests, read answers with timeouts."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.messages: "queue.Queue[Optional[Dict[str, Any]]]" = queue.Queue()
        self.backlog: List[Dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.messages.put(None)
                return
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.strip():
                    self.messages.put(json.loads(line))

    def send(self, message: Dict[str, Any]) -> None:
        self.sock.sendall((json.dumps(message) + "\n").encode("utf-8"))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def next(self, timeout: float = 10.0) -> Dict[str, Any]:
        if self.backlog:
            return self.backlog.pop(0)
        message = self.messages.get(timeout=timeout)
        if message is None:
            raise EOFError("the worker closed the channel")
        return message

    def wait_for(
        self, accept: Callable[[Dict[str, Any]], bool], timeout: float = 10.0
    ) -> Dict[str, Any]:
        """The first message `accept`s; the others seen meanwhile stay for next()/wait_for()."""
        deadline = time.monotonic() + timeout
        skipped: List[Dict[str, Any]] = []
        try:
            for index, message in enumerate(self.backlog):
                if accept(message):
                    del self.backlog[index]
                    return message
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no matching message; saw {skipped + self.backlog}")
                try:
                    message = self.messages.get(timeout=remaining)
                except queue.Empty:
                    raise TimeoutError(f"no matching message; saw {skipped}") from None
                if message is None:
                    raise EOFError(f"the worker closed the channel; saw {skipped}")
                if accept(message):
                    return message
                skipped.append(message)
        finally:
            self.backlog.extend(skipped)

    def result(self, job_id: str, timeout: float = 10.0) -> Dict[str, Any]:
        return self.wait_for(lambda m: m["type"] == "result" and m["job_id"] == job_id, timeout)

    def closed(self, timeout: float = 10.0) -> bool:
        """True once the worker has closed its end (other messages are skipped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.messages.get(timeout=deadline - time.monotonic()) is None:
                    return True
            except queue.Empty:
                return False
        return False

    def init(self, adapter: Optional[Dict[str, Any]] = None, **extra: Any) -> Dict[str, Any]:
        self.send({"type": "init", "request_id": "init", "adapter": adapter or FOLDER_ADAPTER, **extra})
        return self.wait_for(lambda m: m.get("request_id") == "init")

    def close(self) -> None:
        # shutdown first: a recv blocked on another thread keeps a closed socket open.
        for step in (lambda: self.sock.shutdown(socket.SHUT_RDWR), self.sock.close):
            try:
                step()
            except OSError:
                pass


class InProcessWorker:
    """A WorkerLoop on a thread of this process; `exit_codes` records what it would exit with."""

    def __init__(self, grace_seconds: float = 5.0, standby_after: Optional[float] = None) -> None:
        """`standby_after`: the scheduler's period before the standby thread reads, when a test
        needs another than the worker's (set before the loop thread starts)."""
        host, worker = socket.socketpair()
        self.exit_codes: "queue.Queue[int]" = queue.Queue()
        self.logs: List[str] = []
        self.loop = WorkerLoop(
            Channel(worker),
            pid=4242,
            grace_seconds=grace_seconds,
            exit=self.exit_codes.put,
            log=self.logs.append,
        )
        if standby_after is not None:
            self.loop._scheduler.standby_after = standby_after
        self._worker_sock = worker
        self._thread = threading.Thread(target=self.loop.run, daemon=True)
        self._thread.start()
        self.host = HostEnd(host)

    def exit_code(self, timeout: float = 10.0) -> int:
        return self.exit_codes.get(timeout=timeout)

    def close(self) -> None:
        self.host.close()


class WorkerProcess:
    """A real worker process started as the JobManager starts it: a socket it connects back to."""

    def __init__(self, grace_ms: int = 2000, env: Optional[Dict[str, str]] = None, entry: str = "file") -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="plugwork-py-")
        path = os.path.join(self._dir.name, "w.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        server.settimeout(20)
        main = os.path.join(PACKAGE_ROOT, "plugwork_worker", "__main__.py")
        command = [sys.executable, main] if entry == "file" else [sys.executable, "-m", "plugwork_worker"]
        self.process = subprocess.Popen(
            command + [f"--socket={path}", f"--grace-ms={grace_ms}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=PACKAGE_ROOT if entry == "module" else FIXTURES,
            env={**os.environ, **(env or {})},
        )
        try:
            connection, _ = server.accept()
        finally:
            server.close()
        self.host = HostEnd(connection)

    def wait(self, timeout: float = 10.0) -> int:
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        self.host.close()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        self._dir.cleanup()
