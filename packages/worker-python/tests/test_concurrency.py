"""Plugins whose concurrency is above 1: their jobs overlap, by the TypeScript worker's start
rule (job-executor.ts), each with its own cancel flag and stream; concurrency-1 jobs run alone
on the loop thread."""

import json
import time
import unittest

from support import InProcessWorker


class Concurrency(unittest.TestCase):
    def setUp(self):
        self.worker = InProcessWorker(grace_seconds=0.5)
        self.host = self.worker.host
        self.ready = self.host.init(plugin_configs={"overlap": {}, "echo": {}}, max_loaded_plugins=8)

    def tearDown(self):
        self.worker.close()

    def execute(self, job_id, plugin, **params):
        self.host.send({"type": "execute", "job_id": job_id, "plugin_name": plugin, **params})

    def state(self, request_id):
        self.host.send({"type": "get_state", "request_id": request_id})
        return self.host.wait_for(lambda m: m.get("request_id") == request_id)

    def test_the_host_learns_each_plugin_s_concurrency(self):
        plugins = {p["name"]: p for p in self.ready["plugins"]}
        self.assertEqual(plugins["overlap"]["concurrency"], 2)
        self.assertNotIn("concurrency", plugins["echo"])
        # Declared in code: known once loaded, and told in the answer that loaded it.
        self.host.send({"type": "reload", "request_id": "r", "plugin_name": "overlap-code", "config": {}})
        answer = self.host.wait_for(lambda m: m.get("request_id") == "r")
        self.assertEqual(answer["data"]["concurrency"], {"overlap": 2, "echo": 1, "overlap-code": 3})

    def test_jobs_of_a_concurrent_plugin_overlap_up_to_its_concurrency(self):
        started = time.monotonic()
        for job_id in ("a", "b", "c"):
            self.execute(job_id, "overlap", seconds=0.4)
        time.sleep(0.1)
        # Two run (the third waits for one of them); the host counts exactly these as started.
        state = self.state("s")
        self.assertEqual((state["running_job_ids"], state["current_job_id"]), (["a", "b"], "a"))
        results = {job_id: self.host.result(job_id)["data"] for job_id in ("a", "b", "c")}
        elapsed = time.monotonic() - started
        # Each on its own thread: which of the two reaches the plugin's code first is the
        # threads' race, not the start order; one saw itself alone, the other both.
        self.assertEqual(sorted(results[j]["running_at_start"] for j in ("a", "b")), [1, 2])
        # c started when a or b ended: 2 rounds of 0.4 s, not 3.
        self.assertLess(elapsed, 1.1)
        self.assertGreaterEqual(elapsed, 0.8)
        self.assertNotEqual(results["a"]["thread"], results["b"]["thread"])

    def test_a_concurrency_1_job_waits_for_them_and_runs_alone(self):
        self.execute("a", "overlap", seconds=0.3)
        self.execute("b", "overlap", seconds=0.3)
        self.execute("e", "echo", text="x")  # concurrency 1: only on an idle worker
        self.execute("c", "overlap", seconds=0.05)  # behind e: jobs start in order
        time.sleep(0.1)
        self.assertEqual(self.state("s1")["running_job_ids"], ["a", "b"])
        order = []
        for _ in range(4):
            message = self.host.wait_for(lambda m: m["type"] == "result")
            order.append(message["job_id"])
        # (A result goes just after the next job has started, so e's may pass b's.)
        self.assertEqual(sorted(order), ["a", "b", "c", "e"])
        self.assertLess(order.index("e"), order.index("c"))

    def test_each_job_has_its_own_cancel_flag_and_stream(self):
        self.execute("long", "overlap", seconds=30)
        self.host.send({"type": "execute", "job_id": "s", "plugin_name": "overlap", "stream": True,
                        "chunks": 3, "seconds": 0.05})
        streamed = self.host.result("s")
        self.assertEqual(streamed["status"], "success")
        chunks = "".join(m["chunk"] for m in self.host.backlog if m.get("job_id") == "s" and m["type"] == "stream_chunk")
        self.assertEqual(chunks, "s:0 s:1 s:2 ")
        self.assertEqual(self.state("s2")["running_job_ids"], ["long"])
        started = time.monotonic()
        self.host.send({"type": "cancel", "job_id": "long"})
        self.assertEqual(self.host.result("long")["error_code"], "CANCELLED")
        self.assertLess(time.monotonic() - started, 2)

    def test_the_first_job_of_an_unloaded_plugin_waits_for_an_idle_worker(self):
        self.execute("a", "overlap", seconds=0.3)
        self.execute("n", "overlap-code", seconds=0.01)  # not loaded: needs the worker idle
        time.sleep(0.1)
        self.assertEqual(self.state("s")["running_job_ids"], ["a"])
        self.assertEqual(self.host.result("a")["status"], "success")
        self.assertEqual(self.host.result("n")["status"], "success")
        # Loaded now, with concurrency 3 from its code: its jobs overlap.
        for job_id in ("x", "y", "z"):
            self.execute(job_id, "overlap-code", seconds=0.3)
        time.sleep(0.1)
        self.assertEqual(self.state("s3")["running_job_ids"], ["x", "y", "z"])
        for job_id in ("x", "y", "z"):
            self.host.result(job_id)

    def test_max_concurrency_caps_it(self):
        worker = InProcessWorker(grace_seconds=0.5)
        try:
            ready = worker.host.init(plugin_configs={"overlap": {}}, max_concurrency=1)
            self.assertEqual([p.get("concurrency") for p in ready["plugins"] if p["name"] == "overlap"], [2])
            for job_id in ("a", "b"):
                worker.host.send({"type": "execute", "job_id": job_id, "plugin_name": "overlap", "seconds": 0.2})
            time.sleep(0.1)
            worker.host.send({"type": "get_state", "request_id": "s"})
            state = worker.host.wait_for(lambda m: m.get("request_id") == "s")
            self.assertEqual(state["running_job_ids"], ["a"])
            worker.host.result("b")
        finally:
            worker.close()

    def test_stop_waits_for_cancelled_concurrent_jobs_then_exits(self):
        self.execute("a", "overlap", seconds=30)
        self.execute("b", "overlap", seconds=30)
        time.sleep(0.1)
        self.host.send({"type": "stop", "request_id": "bye"})
        results = [self.host.result(job_id)["error_code"] for job_id in ("a", "b")]
        self.assertEqual(results, ["CANCELLED", "CANCELLED"])
        answer = self.host.wait_for(lambda m: m.get("request_id") == "bye")
        self.assertEqual(answer["status"], "success")
        self.assertEqual(self.worker.exit_code(), 0)


if __name__ == "__main__":
    unittest.main()
