"""The common job's shortcut (fast_job.py): the same answers as the general way, and every
promise of a job kept (cancel, get_state, sys.exit, order, the host going away)."""

import time
import unittest

from support import InProcessWorker, WorkerProcess


#: The standby thread's period in these tests. The worker's own (2 ms) is shorter than a pause
#: of a test thread on a loaded machine: a job that ran "long" by that measure would hand the
#: next request to the standby thread (the general way) and fail the shortcut's assertions.
STANDBY_AFTER = 0.25


class FastJobTestCase(unittest.TestCase):
    def setUp(self):
        self.worker = InProcessWorker(grace_seconds=0.5, standby_after=STANDBY_AFTER)
        self.host = self.worker.host
        #: Jobs the shortcut started (the general way never calls start_alone).
        self.fast = []
        scheduler = self.worker.loop._scheduler
        start_alone = scheduler.start_alone

        def recording(job, plugin):
            started = start_alone(job, plugin)
            if started:
                self.fast.append(job.job_id)
            return started

        scheduler.start_alone = recording
        self.host.init()
        # The first job of a plugin loads it, the general way; the next ones may take the shortcut.
        self.run_job("warm", "faults", op="params")
        self.settle()

    def tearDown(self):
        self.worker.close()

    def run_job(self, job_id, plugin, **params):
        self.host.send({"type": "execute", "job_id": job_id, "plugin_name": plugin, **params})
        return self.host.result(job_id)

    def settle(self, plugin="faults"):
        """After work that ran longer than the Alarm's period, the standby thread reads the next
        request (so it goes the general way) and then hands reading back: a short job for that."""
        self.run_job("settle", plugin, op="number")


class SameAnswers(FastJobTestCase):
    def test_every_kind_of_result_is_the_general_way_s(self):
        ops = ["params", "raise", "unprintable", "nan", "bytes", "set", "intkey", "big", "object", "cycle", "list"]
        ops += ["number", "none", "progress", "huge"]
        for op in ops:
            with self.subTest(op=op):
                # A request_id sends the same job the general way (it is checked there).
                general = self.run_job(f"{op}-g", "faults", op=op, why="w", request_id="r")
                self.settle()
                fast = self.run_job(f"{op}-f", "faults", op=op, why="w")
                self.assertEqual({**fast, "job_id": "-"}, {**general, "job_id": "-"})
                self.assertIn(f"{op}-f", self.fast)
                self.assertNotIn(f"{op}-g", self.fast)
        progress = [(m["job_id"], m["progress"]) for m in self.host.backlog if m["type"] == "progress"]
        self.assertEqual(
            progress,
            [("progress-g", value) for value in (0.0, 0.5, 1.0)]
            + [("progress-f", value) for value in (0.0, 0.5, 1.0)],
        )

    def test_an_exception_whose_str_raises_still_fails_its_job(self):
        result = self.run_job("u", "faults", op="unprintable")
        self.assertEqual(
            (result["error_code"], result["error"]),
            ("PLUGIN_ERROR", "Unprintable: (its message could not be read: str() of it raised)"),
        )
        self.assertEqual(self.run_job("after", "faults", op="number")["status"], "success")

    def test_only_plain_executes_of_the_plugin_loaded_last_take_it(self):
        self.run_job("a", "faults", op="number")
        self.run_job("b", "faults", op="number", stream=False)
        self.run_job("c", "echo", text="x")  # loads echo: the general way
        self.settle("echo")
        self.run_job("d", "echo", text="y")
        self.run_job("e", "faults", op="number")  # faults was unloaded to make room
        self.assertEqual([job for job in "abcde" if job in self.fast], ["a", "d"])

    def test_async_plugins_and_their_results(self):
        self.run_job("load", "async-words")
        self.run_job("settle", "async-words")
        self.assertEqual(self.run_job("a", "async-words")["data"], {"text": "awaited"})
        self.assertIn("a", self.fast)


class PromisesKept(FastJobTestCase):
    def test_get_state_names_a_blocking_job_and_cancel_reaches_it(self):
        self.host.send({"type": "execute", "job_id": "b", "plugin_name": "faults", "op": "block", "seconds": 1})
        time.sleep(0.1)
        started = time.monotonic()
        self.host.send({"type": "get_state", "request_id": "s1"})
        state = self.host.wait_for(lambda m: m["type"] == "state")
        self.assertLess(time.monotonic() - started, 0.5)
        self.assertEqual((state["current_job_id"], state["running_job_ids"]), ("b", ["b"]))
        self.assertEqual(self.host.result("b")["data"], {"slept": True})
        self.settle()

        self.host.send({"type": "execute", "job_id": "w", "plugin_name": "faults", "op": "wait", "seconds": 30})
        time.sleep(0.1)
        started = time.monotonic()
        self.host.send({"type": "cancel", "job_id": "w"})
        result = self.host.result("w")
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(result["error_code"], "CANCELLED")
        self.assertTrue({"b", "w"} <= set(self.fast))

    def test_jobs_sent_while_it_runs_wait_their_turn_then_run_in_order(self):
        self.host.send({"type": "execute", "job_id": "first", "plugin_name": "faults", "op": "block", "seconds": 2 * STANDBY_AFTER})
        for job_id in ("second", "third"):
            self.host.send({"type": "execute", "job_id": job_id, "plugin_name": "faults", "op": "number"})
        ended = [self.host.next()["job_id"] for _ in range(3)]
        self.assertEqual(ended, ["first", "second", "third"])
        self.assertIn("first", self.fast)
        self.settle()
        self.run_job("after", "faults", op="number")
        self.assertEqual(self.fast[-1], "after")

    def test_sys_exit_in_it_ends_the_worker_with_its_code(self):
        self.host.send({"type": "execute", "job_id": "x", "plugin_name": "faults", "op": "sysexit", "code": 5})
        self.assertEqual(self.worker.exit_code(), 5)
        self.assertIn("x", self.fast)


class InAProcess(unittest.TestCase):
    def test_a_spinning_job_cannot_keep_the_worker_alive_after_the_host_left(self):
        worker = WorkerProcess(grace_ms=300)
        self.addCleanup(worker.close)
        worker.host.init()
        worker.host.send({"type": "execute", "job_id": "warm", "plugin_name": "faults", "op": "number"})
        worker.host.result("warm")
        worker.host.send({"type": "execute", "job_id": "s", "plugin_name": "faults", "op": "spin"})
        time.sleep(0.2)
        worker.host.send({"type": "get_state", "request_id": "s1"})
        state = worker.host.wait_for(lambda m: m["type"] == "state")
        self.assertEqual(state["running_job_ids"], ["s"])
        started = time.monotonic()
        worker.host.close()
        self.assertEqual(worker.wait(timeout=10), 0)
        self.assertLess(time.monotonic() - started, 5)


if __name__ == "__main__":
    unittest.main()
