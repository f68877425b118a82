"""The worker process: connect to the host's socket, serve, exit when the host is gone.

Arguments, as the JobManager passes them: `--socket=<path>` (required) and `--grace-ms=<n>`
(how long a stop may take once the host is gone; default 5000).
"""

from __future__ import annotations

import faulthandler
import signal
import socket
import sys
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import List, Optional

from .channel import Channel
from .errors import Messages
from .loop import WorkerLoop


def parse_arguments(argv: List[str]) -> dict:
    values = {"socket": None, "grace_ms": 5000}
    for argument in argv:
        if argument.startswith("--socket="):
            values["socket"] = argument[len("--socket="):]
        elif argument.startswith("--grace-ms="):
            try:
                values["grace_ms"] = max(1, int(argument[len("--grace-ms="):]))
            except ValueError:
                pass
    return values


def run(argv: Optional[List[str]] = None) -> None:
    values = parse_arguments(sys.argv[1:] if argv is None else argv)
    path = values["socket"]
    if not path:
        sys.stderr.write(Messages.no_socket)
        sys.exit(1)
    # print() reaches the host's log line by line, while the job that printed is still running.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass
    # A segfault in a C extension still kills the worker (the host reports SIGSEGV), and the
    # Python stack of every thread lands in the log first.
    faulthandler.enable()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as error:
        sys.stderr.write(Messages.socket_connect(path, error.strerror or str(error)))
        sys.exit(1)
    loop = WorkerLoop(Channel(sock), grace_seconds=values["grace_ms"] / 1000)
    # Ctrl-C reaches the whole process group; the host decides what it means, not the worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM (the host's exit hook sends it) gets the same bounded stop as a vanished host.
    signal.signal(signal.SIGTERM, lambda *_: loop.host_gone())
    loop.run()
