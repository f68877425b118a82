"""Real worker processes, started the way the JobManager starts them."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

from support import PACKAGE_ROOT, HostEnd, WorkerProcess

MAIN = os.path.join(PACKAGE_ROOT, "plugwork_worker", "__main__.py")


class WorkerProcessTest(unittest.TestCase):
    def start(self, **options):
        worker = WorkerProcess(**options)
        self.addCleanup(worker.close)
        return worker

    def test_both_entry_points_serve_jobs(self):
        for entry in ("file", "module"):
            with self.subTest(entry=entry):
                worker = self.start(entry=entry)
                ready = worker.host.init()
                self.assertEqual((ready["runtime"], ready["pid"]), ("python", worker.process.pid))
                worker.host.send({"type": "execute", "job_id": "j", "plugin_name": "echo", "text": "hi"})
                self.assertEqual(worker.host.result("j")["data"]["text"], "hi")

    def test_print_goes_to_stdout_never_to_the_channel(self):
        worker = self.start()
        worker.host.init()
        worker.host.send({"type": "execute", "job_id": "p", "plugin_name": "echo", "print": "hello {not json"})
        self.assertEqual(worker.host.result("p")["status"], "success")
        # Line-buffered: the line is there while the worker still runs.
        self.assertEqual(worker.process.stdout.readline(), b"hello {not json\n")

    def test_exits_and_signals_are_the_process_own(self):
        for op, code in (("exit", 3), ("kill", -signal.SIGKILL), ("segfault", -signal.SIGSEGV)):
            with self.subTest(op=op):
                worker = self.start()
                worker.host.init()
                worker.host.send({"type": "execute", "job_id": "x", "plugin_name": "faults", "op": op, "code": 3})
                self.assertEqual(worker.wait(), code)
                if op == "segfault":
                    self.assertIn(b"Segmentation fault", worker.process.stderr.read())

    def test_exits_when_the_host_goes_even_while_a_plugin_spins(self):
        worker = self.start(grace_ms=300)
        worker.host.init()
        worker.host.send({"type": "execute", "job_id": "s", "plugin_name": "faults", "op": "spin"})
        time.sleep(0.2)
        started = time.monotonic()
        worker.host.close()
        self.assertEqual(worker.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 5)

    def test_sigterm_stops_cleanly(self):
        worker = self.start()
        worker.host.init()
        worker.process.send_signal(signal.SIGTERM)
        self.assertEqual(worker.wait(), 0)

    def test_a_forked_child_s_sigterm_is_not_the_worker_s(self):
        worker = self.start()
        worker.host.init()
        worker.host.send({"type": "execute", "job_id": "f", "plugin_name": "faults", "op": "fork-term"})
        self.assertEqual(worker.host.result("f")["data"], {"child_status": signal.SIGTERM})
        # Still serving: no stop was triggered by the child's signal.
        time.sleep(0.3)
        worker.host.send({"type": "execute", "job_id": "p", "plugin_name": "faults", "op": "params", "x": 1})
        self.assertEqual(worker.host.result("p")["status"], "success")
        self.assertIsNone(worker.process.poll())

    def test_sigint_is_left_to_the_host(self):
        worker = self.start()
        worker.host.init()
        worker.process.send_signal(signal.SIGINT)
        worker.host.send({"type": "execute", "job_id": "j", "plugin_name": "echo", "text": "still here"})
        self.assertEqual(worker.host.result("j")["data"]["text"], "still here")

    def test_without_a_socket_it_says_what_it_is(self):
        run = subprocess.run([sys.executable, MAIN], capture_output=True, text=True, timeout=30)
        self.assertEqual(run.returncode, 1)
        self.assertIn("the JobManager starts it with --socket=<path>", run.stderr)

    def test_an_old_python_is_told_so_as_the_answer_to_init(self):
        # Python 3.8 cannot be installed here, so the version is faked before __main__ runs.
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "s.sock")
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(path)
            server.listen(1)
            server.settimeout(20)
            shim = (
                "import runpy, sys; sys.version_info = (3, 8, 10, 'final', 0); "
                f"sys.argv = [{MAIN!r}, '--socket={path}']; runpy.run_path({MAIN!r}, run_name='__main__')"
            )
            process = subprocess.Popen([sys.executable, "-c", shim], stderr=subprocess.PIPE)
            try:
                connection, _ = server.accept()
                host = HostEnd(connection)
                host.send({"type": "init", "request_id": "r1", "token": "t", "adapter": {"module": "x"}})
                answer = host.next()
                self.assertEqual(
                    {k: answer[k] for k in ("type", "code", "request_id", "token")},
                    {"type": "error", "code": "INIT_FAILED", "request_id": "r1", "token": "t"},
                )
                self.assertRegex(answer["error"], r"^Python 3\.8\.10 \(.+\) is too old: .*Python >= 3\.9")
                self.assertIn("worker.pythonPath", answer["error"])
                self.assertEqual(process.wait(timeout=10), 1)
                host.close()
            finally:
                server.close()
                if process.poll() is None:
                    process.kill()
                process.wait()
                process.stderr.close()


if __name__ == "__main__":
    unittest.main()
