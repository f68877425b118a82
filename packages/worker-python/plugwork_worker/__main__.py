# The worker's entry point: `python3 -m plugwork_worker --socket=<path>`, or this file's path.
#
# Written in syntax every Python can parse (no f-strings, no annotations), so that an
# interpreter that is too old still runs this far and tells the host so clearly, as the answer
# to its init request, instead of dying with a SyntaxError.
import sys

REQUIRED = (3, 9)


def _too_old():
    import json
    import socket

    version = ".".join(str(part) for part in sys.version_info[:3])
    reason = (
        "Python %s (%s) is too old: plugwork's Python worker needs Python >= %d.%d. Point "
        "worker.pythonPath (or $PLUGWORK_PYTHON_PATH) at a newer python3"
        % (version, sys.executable, REQUIRED[0], REQUIRED[1])
    )
    sys.stderr.write("plugwork worker: " + reason + "\n")
    path = None
    for argument in sys.argv[1:]:
        if argument.startswith("--socket="):
            path = argument[len("--socket="):]
    if not path:
        sys.exit(1)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
        data = b""
        while b"\n" not in data:
            more = sock.recv(65536)
            if not more:
                break
            data += more
        init = json.loads(data.split(b"\n")[0].decode("utf-8")) if data else {}
        answer = {"type": "error", "error": reason, "code": "INIT_FAILED"}
        for key in ("request_id", "token"):
            if isinstance(init, dict) and key in init:
                answer[key] = init[key]
        sock.sendall((json.dumps(answer) + "\n").encode("utf-8"))
    except Exception:
        pass
    sys.exit(1)


def _main():
    if tuple(sys.version_info[:2]) < REQUIRED:
        _too_old()
    if not __package__:
        # Run as a file (the host's default): import this package from the folder holding it,
        # not from its own folder, whose module names could shadow a plugin's imports. The
        # working directory goes next, as `python -m` would put it.
        import os

        here = os.path.dirname(os.path.abspath(__file__))
        if sys.path and os.path.abspath(sys.path[0] or ".") == here:
            del sys.path[0]
        sys.path.insert(0, os.path.dirname(here))
        if os.getcwd() not in sys.path:
            sys.path.insert(1, os.getcwd())
    from plugwork_worker.main import run

    run()


if __name__ == "__main__":
    _main()
