"""The worker loop, message for message, on a loop running in this process."""

import json
import os
import tempfile
import threading
import time
import unittest

from support import FOLDER_ADAPTER, InProcessWorker

SEED_ADAPTER = {
    "module": "seed_style",
    "export": "SeedStylePluginManager",
    "options": {"greeting": "Hi"},
}


class LoopTestCase(unittest.TestCase):
    def setUp(self):
        self.worker = InProcessWorker(grace_seconds=0.5)
        self.host = self.worker.host

    def tearDown(self):
        self.worker.close()

    def run_job(self, job_id, plugin, **params):
        self.host.send({"type": "execute", "job_id": job_id, "plugin_name": plugin, **params})
        return self.host.result(job_id)

    def error_of(self, job_id, plugin, **params):
        result = self.run_job(job_id, plugin, **params)
        self.assertEqual(result["status"], "error", result)
        return result["error_code"], result["error"]


class InitAndReady(LoopTestCase):
    def test_ready_reports_the_catalog_and_every_message_carries_the_token(self):
        ready = self.host.init(plugin_configs={"echo": {"prefix": "> "}}, token="s3cret")
        self.assertEqual(ready["type"], "ready")
        self.assertEqual(ready["request_id"], "init")
        self.assertEqual(ready["pid"], 4242)
        self.assertEqual(ready["runtime"], "python")
        self.assertEqual(ready["loaded_plugins"], ["echo"])
        names = [plugin["name"] for plugin in ready["plugins"]]
        self.assertEqual(names, ["async-words", "counter", "echo", "faults", "not-a-plugin", "overlap", "overlap-code", "relative", "sqlite"])
        echo = next(plugin for plugin in ready["plugins"] if plugin["name"] == "echo")
        self.assertEqual(
            {k: echo[k] for k in ("streaming", "source", "version", "description", "category")},
            {"streaming": False, "source": "fs", "version": "1.2.3",
             "description": "Echoes its text, with the configured prefix", "category": "test"},
        )
        self.assertEqual(
            echo["params_schema"], {"type": "object", "properties": {"text": {"type": "string"}}}
        )
        self.assertEqual([d["code"] for d in ready["diagnostics"]], ["OTHER_RUNTIME"])
        self.assertEqual(ready["token"], "s3cret")
        self.run_job("j1", "echo", text="hi")
        self.host.send({"type": "get_state", "request_id": "s"})
        self.host.send({"type": "execute", "job_id": "j2", "plugin_name": "counter", "stream": True})
        self.host.result("j2")
        self.host.send({"type": "nonsense"})
        self.host.wait_for(lambda m: m["type"] == "error")
        seen = self.host.backlog
        self.assertGreater(len(seen), 3)
        for message in seen:
            self.assertEqual(message.get("token"), "s3cret", message)

    def test_no_token_when_the_host_sends_none(self):
        ready = self.host.init()
        self.assertNotIn("token", ready)
        self.assertNotIn("token", self.run_job("j1", "echo", text="hi"))

    def test_init_twice_and_execute_before_init(self):
        code, text = self.error_of("j0", "echo")
        self.assertEqual((code, text), ("PLUGIN_ERROR", '"execute" arrived before init; the worker has no adapter yet'))
        self.host.init()
        self.host.send({"type": "init", "request_id": "again", "adapter": FOLDER_ADAPTER})
        error = self.host.wait_for(lambda m: m.get("request_id") == "again")
        self.assertEqual((error["type"], error["code"]), ("error", "NOT_READY"))

    def test_init_failures_name_the_problem_and_a_later_init_can_succeed(self):
        cases = [
            ({"module": "no_such_module_here"}, r'cannot import adapter module "no_such_module_here": ModuleNotFoundError'),
            ({"module": "seed_style", "export": "Missing"}, r'has no class or function "Missing" \(found: SeedStylePluginManager\)'),
            ({"module": "seed_style", "export": "SeedStylePluginManager", "options": {"nope": 1}},
             r"SeedStylePluginManager\(\*\*adapter.options\) of \"seed_style\" raised: TypeError"),
            ({"module": "json", "export": "JSONDecoder"}, r"is not a PluginManagerAdapter \(missing methods: discover_plugins"),
            ({"module": "plugwork_worker.folder_adapter", "export": "FolderAdapter", "options": {"directories": []}},
             r"`directories` must be a path or a non-empty list"),
        ]
        for index, (adapter, pattern) in enumerate(cases):
            with self.subTest(adapter=adapter):
                self.host.send({"type": "init", "request_id": f"i{index}", "adapter": adapter})
                error = self.host.wait_for(lambda m, i=index: m.get("request_id") == f"i{i}")
                self.assertEqual((error["type"], error["code"]), ("error", "INIT_FAILED"))
                self.assertRegex(error["error"], pattern)
        self.assertEqual(self.host.init()["type"], "ready")

    def test_a_py_file_as_the_adapter_module(self):
        path = os.path.join(os.path.dirname(__file__), "fixtures", "seed_style.py")
        ready = self.host.init({"module": path, "export": "SeedStylePluginManager"})
        self.assertEqual([p["name"] for p in ready["plugins"]], ["greeter", "teller"])

    def test_unknown_plugin_in_configs_and_load_failures_are_diagnostics(self):
        ready = self.host.init(plugin_configs={"ghost": {}, "not-a-plugin": {}}, max_loaded_plugins=3)
        codes = {d.get("plugin_name"): d["code"] for d in ready["diagnostics"]}
        self.assertEqual(codes, {"js-plugin": "OTHER_RUNTIME", "ghost": "UNKNOWN_PLUGIN", "not-a-plugin": "NOT_A_PLUGIN"})


class Jobs(LoopTestCase):
    def setUp(self):
        super().setUp()
        self.host.init(plugin_configs={"echo": {"prefix": "> "}}, max_loaded_plugins=8, stream_window=1 << 20)

    def test_result_and_params(self):
        self.assertEqual(
            self.run_job("j1", "echo", text="hi"),
            {"type": "result", "job_id": "j1", "status": "success", "data": {"text": "> hi", "job": "j1"}},
        )
        result = self.run_job("j2", "faults", op="params", stream=False, extra=[1, {"a": None}])
        self.assertEqual(result["data"], {"params": {"op": "params", "extra": [1, {"a": None}]}})

    def test_a_plugin_that_raises(self):
        code, text = self.error_of("j1", "faults", op="raise", why="x")
        self.assertEqual((code, text), ("PLUGIN_ERROR", "ValueError: bad input: x"))
        self.assertTrue(any("Traceback" in line and "bad input: x" in line for line in self.worker.logs))
        self.assertEqual(self.run_job("j2", "echo", text="after")["status"], "success")

    def test_unknown_plugin_and_load_failure(self):
        code, text = self.error_of("j1", "ghost")
        self.assertEqual(code, "UNKNOWN_PLUGIN")
        self.assertIn('the worker has no plugin named "ghost" (discovered: async-words, counter,', text)
        code, text = self.error_of("j2", "not-a-plugin")
        self.assertEqual(code, "PLUGIN_LOAD_FAILED")
        self.assertIn("has no module-level `plugin` made by define_plugin", text)

    def test_unserialisable_results_fail_that_job_only(self):
        expected = {
            "nan": "result.value is nan",
            "bytes": "result.items[1] is bytes",
            "set": "result.tags is a set",
            "intkey": "result.counts has the key 1 (int)",
            "big": "result.n is an integer beyond 2**53",
            "object": "result.when is a object",
            "cycle": "result.self refers back",
        }
        for index, (op, text) in enumerate(expected.items()):
            with self.subTest(op=op):
                code, error = self.error_of(f"j{index}", "faults", op=op)
                self.assertEqual(code, "RESULT_NOT_SERIALIZABLE")
                self.assertIn(text, error)
        self.assertEqual(self.run_job("last", "echo", text="ok")["data"]["text"], "> ok")

    def test_a_result_the_channel_cannot_carry_is_send_failed(self):
        code, error = self.error_of("h", "faults", op="huge")
        self.assertEqual(code, "SEND_FAILED")
        self.assertRegex(error, r"^its result or output could not be sent to the host \(\d+ bytes of JSON, over the channel's limit of 16777216\)$")
        self.assertEqual(self.run_job("after", "echo", text="ok")["status"], "success")

    def test_values_other_than_dicts_follow_the_seed_rule(self):
        self.assertEqual(self.run_job("a", "faults", op="list")["data"], {"text": '[1,"two",null]', "metadata": {}})
        self.assertEqual(self.run_job("b", "faults", op="number")["data"], {"text": "2", "metadata": {}})
        self.assertEqual(self.run_job("c", "faults", op="none")["data"], {"text": "", "metadata": {}})

    def test_progress_is_clamped_and_nonsense_dropped(self):
        self.run_job("p", "faults", op="progress")
        progress = [m for m in self.host.backlog if m["type"] == "progress"]
        self.assertEqual([m["progress"] for m in progress], [0.0, 0.5, 1.0])
        self.assertEqual({m["message"] for m in progress}, {"step"})

    def test_relative_imports_and_async_plugins(self):
        self.assertEqual(self.run_job("r", "relative", text="hey")["data"], {"text": "HEY!"})
        self.assertEqual(self.run_job("a", "async-words")["data"], {"text": "awaited"})

    def test_invalid_requests_are_answered_not_fatal(self):
        self.host.send({"type": "execute", "job_id": "j9", "plugin_name": ""})
        error = self.host.wait_for(lambda m: m["type"] == "error")
        self.assertEqual(error["code"], "INVALID_REQUEST")
        self.assertEqual(error["job_id"], "j9")
        self.assertIn('field "plugin_name" must be a non-empty string', error["error"])
        self.host.send_raw(b"{not json\n")
        error = self.host.wait_for(lambda m: m["type"] == "error")
        self.assertRegex(error["error"], r"^Invalid request: not JSON")
        self.assertEqual(self.run_job("j10", "echo", text="fine")["status"], "success")

    def test_sys_exit_in_a_plugin_ends_the_worker_with_its_code(self):
        self.host.send({"type": "execute", "job_id": "x", "plugin_name": "faults", "op": "sysexit", "code": 4})
        self.assertEqual(self.worker.exit_code(), 4)


class Streaming(LoopTestCase):
    def init(self, window=None):
        extra = {} if window is None else {"stream_window": window}
        self.host.init(max_loaded_plugins=8, **extra)

    def test_chunks_then_the_final_chunk_then_the_result(self):
        self.init()
        self.host.send({"type": "execute", "job_id": "s", "plugin_name": "counter", "stream": True, "count": 5})
        result = self.host.result("s")
        self.assertEqual(result["data"], {"streamed": True, "chunks": 5, "characters": 40})
        chunks = [m for m in self.host.backlog if m["type"] == "stream_chunk"]
        self.assertEqual("".join(m["chunk"] for m in chunks), "".join(f"chunk-{i};" for i in range(5)))
        self.assertEqual([m["is_final"] for m in chunks], [False] * (len(chunks) - 1) + [True])
        self.assertEqual([m["progress"] for m in self.host.backlog if m["type"] == "progress"], [0.2, 0.4, 0.6, 0.8, 1.0])

    def test_a_plugin_that_does_not_stream_runs_plainly(self):
        self.init()
        self.host.send({"type": "execute", "job_id": "e", "plugin_name": "echo", "stream": True, "text": "x"})
        self.assertEqual(self.host.result("e")["data"], {"text": "x", "job": "e"})

    def test_async_generators_stream(self):
        self.init()
        self.host.send({"type": "execute", "job_id": "a", "plugin_name": "async-words", "stream": True, "text": "a b c"})
        self.assertEqual(self.host.result("a")["data"]["characters"], 6)

    def test_credit_flow_control_pauses_the_plugin_until_acknowledged(self):
        self.init(window=20)
        self.host.send({"type": "execute", "job_id": "w", "plugin_name": "counter", "stream": True, "count": 40})
        received = 0
        acked = 0
        while True:
            message = self.host.wait_for(lambda m: m["type"] in ("stream_chunk", "result"), timeout=5)
            if message["type"] == "result":
                break
            received += len(message["chunk"])
            # Never more than the window plus one chunk is unacknowledged.
            self.assertLessEqual(received - acked, 20 + 9)
            if received - acked >= 20:
                # Nothing more comes while the credit is used up.
                with self.assertRaises(TimeoutError):
                    self.host.wait_for(lambda m: m["type"] == "stream_chunk", timeout=0.2)
                self.host.send({"type": "stream_ack", "job_id": "w", "consumed": received - acked})
                acked = received
        self.assertEqual(received, 40 * 8 + 30)  # chunk-0; .. chunk-39; (10 one-digit, 30 two-digit)
        self.assertEqual(message["data"]["characters"], received)

    def test_cancelling_a_stream(self):
        self.init()
        self.host.send(
            {"type": "execute", "job_id": "c", "plugin_name": "counter", "stream": True, "count": 10000, "delay": 0.005}
        )
        self.host.wait_for(lambda m: m["type"] == "stream_chunk")
        self.host.send({"type": "cancel", "job_id": "c"})
        result = self.host.result("c", timeout=5)
        self.assertEqual((result["status"], result["error_code"]), ("error", "CANCELLED"))

    def test_cancelling_an_async_stream_cancels_its_task(self):
        self.init()
        self.host.send(
            {"type": "execute", "job_id": "c", "plugin_name": "async-words", "stream": True,
             "text": "a " * 1000, "delay": 0.01}
        )
        self.host.wait_for(lambda m: m["type"] == "stream_chunk")
        self.host.send({"type": "cancel", "job_id": "c"})
        result = self.host.result("c", timeout=5)
        self.assertEqual(result["error_code"], "CANCELLED")
        self.assertEqual(result["error"], "JobCancelled: job c was cancelled by the host")


class Limits(LoopTestCase):
    def setUp(self):
        super().setUp()
        self.host.init(max_loaded_plugins=8, limits={"result_bytes": 1000, "chunk_bytes": 30})

    def test_a_result_over_result_bytes(self):
        self.assertEqual(self.run_job("ok", "faults", op="sized", n=900)["status"], "success")
        code, error = self.error_of("big", "faults", op="sized", n=2000)
        self.assertEqual(code, "RESULT_TOO_LARGE")
        self.assertEqual(
            error,
            "its result is 2 KiB of JSON, over the limit of 1000 B (limits.resultBytes). Return a "
            "reference (a file path, a URL) instead, or raise limits.resultBytes",
        )

    def test_a_chunk_over_chunk_bytes_and_coalescing_within_it(self):
        self.host.send({"type": "execute", "job_id": "c", "plugin_name": "counter", "stream": True, "count": 30})
        self.assertEqual(self.host.result("c")["data"]["chunks"], 30)
        for message in self.host.backlog:
            if message["type"] == "stream_chunk":
                self.assertLessEqual(len(message["chunk"]) + 2, 30, message)
        self.host.backlog.clear()
        self.host.send({"type": "execute", "job_id": "b", "plugin_name": "counter", "stream": True, "big": 40})
        result = self.host.result("b")
        self.assertEqual(result["error_code"], "CHUNK_TOO_LARGE")
        self.assertIn("it streamed one chunk of 42 B of JSON, over the limit of 30 B (limits.chunkBytes)", result["error"])


class CancelAndState(LoopTestCase):
    def setUp(self):
        super().setUp()
        self.host.init(max_loaded_plugins=8)

    def test_cooperative_cancel(self):
        self.host.send({"type": "execute", "job_id": "w", "plugin_name": "faults", "op": "wait", "seconds": 30})
        time.sleep(0.1)
        started = time.monotonic()
        self.host.send({"type": "cancel", "job_id": "w"})
        result = self.host.result("w")
        self.assertLess(time.monotonic() - started, 2)
        self.assertEqual(
            (result["error_code"], result["error"]),
            ("CANCELLED", "the plugin ended early because the job was stopped"),
        )
        self.host.send({"type": "execute", "job_id": "r", "plugin_name": "faults", "op": "raise-if-cancelled"})
        time.sleep(0.05)
        self.host.send({"type": "cancel", "job_id": "r"})
        self.assertEqual(self.host.result("r")["error"], "JobCancelled: job r was cancelled by the host")

    def test_get_state_is_answered_while_a_plugin_blocks(self):
        self.host.send({"type": "execute", "job_id": "b", "plugin_name": "faults", "op": "block", "seconds": 1.5})
        time.sleep(0.1)
        started = time.monotonic()
        self.host.send({"type": "get_state", "request_id": "s1"})
        state = self.host.wait_for(lambda m: m["type"] == "state")
        self.assertLess(time.monotonic() - started, 0.5)
        self.assertEqual((state["request_id"], state["current_job_id"]), ("s1", "b"))
        self.assertEqual(state["running_job_ids"], ["b"])
        self.assertEqual(state["loaded_plugins"], ["faults"])
        # As a Node worker's: bytes, the anonymous part of the resident set within it.
        self.assertEqual(sorted(state["memory"]), ["heap_used", "rss"])
        self.assertGreater(state["memory"]["heap_used"], 0)
        self.assertLess(state["memory"]["heap_used"], state["memory"]["rss"])
        self.assertEqual(self.host.result("b")["data"], {"slept": True})

    def test_get_state_right_after_execute_names_the_job(self):
        # Both lines in one write: the state is computed before the job thread may have taken
        # the job; it counts as started all the same, as on a worker that starts it at once.
        for index in range(10):
            job_id = f"j{index}"
            execute = {"type": "execute", "job_id": job_id, "plugin_name": "faults", "op": "block", "seconds": 0.05}
            state = {"type": "get_state", "request_id": f"s{index}"}
            self.host.send_raw(f"{json.dumps(execute)}\n{json.dumps(state)}\n".encode())
            answer = self.host.wait_for(lambda m, i=index: m.get("request_id") == f"s{i}")
            self.assertEqual((answer["current_job_id"], answer["running_job_ids"]), (job_id, [job_id]))
            self.host.result(job_id)

    def test_a_job_waiting_its_turn_is_cancelled_or_withdrawn_at_once(self):
        # The host's prefetch: jobs sent while one runs wait in the worker, in order.
        self.host.send({"type": "execute", "job_id": "first", "plugin_name": "faults", "op": "block", "seconds": 1})
        for job_id in ("second", "third", "fourth"):
            self.host.send({"type": "execute", "job_id": job_id, "plugin_name": "faults", "op": "params"})
        time.sleep(0.1)
        self.host.send({"type": "cancel", "job_id": "second"})
        self.host.send({"type": "cancel", "job_id": "third", "withdraw": True})
        self.host.send({"type": "cancel", "job_id": "first", "withdraw": True})
        second = self.host.result("second", timeout=0.5)
        self.assertEqual(
            (second["error_code"], second["error"]),
            ("CANCELLED", "the job was cancelled before the worker started it"),
        )
        third = self.host.result("third", timeout=0.5)
        self.assertEqual(
            (third["error_code"], third["error"]),
            ("WITHDRAWN", "the host took the job back before the worker started it"),
        )
        # A withdrawal leaves a running job running; the rest run in order after it.
        self.assertEqual(self.host.result("first")["data"], {"slept": True})
        self.assertEqual(self.host.result("fourth")["status"], "success")
        results = [m["job_id"] for m in self.host.backlog if m["type"] == "result"]
        self.assertEqual(results, [])

    def test_stop_answers_waiting_jobs_at_once(self):
        self.host.send({"type": "execute", "job_id": "running", "plugin_name": "faults", "op": "wait"})
        self.host.send({"type": "execute", "job_id": "waiting", "plugin_name": "faults", "op": "params"})
        time.sleep(0.1)
        self.host.send({"type": "stop", "request_id": "bye"})
        self.assertEqual(self.host.result("waiting", timeout=0.5)["error"], "the worker is stopping")
        self.assertEqual(self.host.result("running")["error_code"], "CANCELLED")
        self.host.wait_for(lambda m: m.get("request_id") == "bye")
        self.assertEqual(self.worker.exit_code(), 0)


class PluginLifecycle(LoopTestCase):
    def setUp(self):
        super().setUp()
        handle, self.marker = tempfile.mkstemp(prefix="plugwork-dispose-")
        os.close(handle)

    def tearDown(self):
        super().tearDown()
        os.unlink(self.marker)

    def disposals(self):
        with open(self.marker) as handle:
            return handle.read().count("echo disposed")

    def test_reload_unload_and_their_answers(self):
        self.host.init(plugin_configs={"echo": {"prefix": "a:", "dispose_marker": self.marker}})
        self.host.send({"type": "reload", "request_id": "r1", "plugin_name": "echo",
                        "config": {"prefix": "b:", "dispose_marker": self.marker}})
        answer = self.host.wait_for(lambda m: m.get("request_id") == "r1")
        self.assertEqual(
            answer,
            {"type": "response", "request_type": "reload", "status": "success",
             "data": {"loaded_plugins": ["echo"], "concurrency": {"echo": 1}},
             "request_id": "r1", "plugin_name": "echo"},
        )
        self.assertEqual(self.disposals(), 1)
        self.assertEqual(self.run_job("j", "echo", text="x")["data"]["text"], "b:x")
        self.host.send({"type": "reload", "request_id": "r2", "plugin_name": "echo"})
        self.host.wait_for(lambda m: m.get("request_id") == "r2")
        self.assertEqual(self.run_job("k", "echo", text="x")["data"]["text"], "b:x")
        self.host.send({"type": "unload", "request_id": "u1", "plugin_name": "echo"})
        answer = self.host.wait_for(lambda m: m.get("request_id") == "u1")
        self.assertEqual((answer["status"], answer["data"]), ("success", {"loaded_plugins": [], "concurrency": {}}))
        self.assertEqual(self.disposals(), 3)
        self.host.send({"type": "reload", "request_id": "r3", "plugin_name": "ghost", "config": {}})
        answer = self.host.wait_for(lambda m: m.get("request_id") == "r3")
        self.assertEqual(answer["status"], "error")
        self.assertIn('no plugin named "ghost"', answer["error"])

    def test_the_least_recently_used_plugin_makes_room(self):
        self.host.init(plugin_configs={"echo": {"dispose_marker": self.marker}}, max_loaded_plugins=1)
        self.run_job("a", "counter")
        self.assertEqual(self.disposals(), 1)
        self.host.send({"type": "get_state", "request_id": "s"})
        self.assertEqual(self.host.wait_for(lambda m: m["type"] == "state")["loaded_plugins"], ["counter"])

    def test_stop_disposes_answers_and_exits_0(self):
        self.host.init(plugin_configs={"echo": {"dispose_marker": self.marker}})
        self.host.send({"type": "stop", "request_id": "bye"})
        self.host.send({"type": "execute", "job_id": "late", "plugin_name": "echo"})
        answer = self.host.wait_for(lambda m: m.get("request_id") == "bye")
        self.assertEqual((answer["request_type"], answer["status"]), ("stop", "success"))
        self.assertEqual(self.worker.exit_code(), 0)
        self.assertEqual(self.disposals(), 1)

    def test_the_host_going_away_stops_the_worker(self):
        self.host.init(plugin_configs={"echo": {"dispose_marker": self.marker}})
        self.worker.close()
        self.assertEqual(self.worker.exit_code(), 0)
        self.assertEqual(self.disposals(), 1)

    def test_a_blocked_plugin_cannot_keep_the_worker_alive_after_the_host_left(self):
        self.host.init()
        self.host.send({"type": "execute", "job_id": "b", "plugin_name": "faults", "op": "block", "seconds": 30})
        time.sleep(0.1)
        started = time.monotonic()
        self.worker.close()
        self.assertEqual(self.worker.exit_code(), 0)
        self.assertLess(time.monotonic() - started, 3)


class ThreadsAndContext(LoopTestCase):
    def test_setup_and_every_job_run_on_the_same_thread(self):
        self.host.init(plugin_configs={"sqlite": {}})
        for index in range(1, 4):
            self.assertEqual(self.run_job(f"q{index}", "sqlite")["data"], {"hits": index})

    def test_current_job_gives_seed_style_adapters_the_context(self):
        self.host.init({"module": "context_aware", "export": "ContextAwareManager"})
        self.host.send({"type": "execute", "job_id": "p", "plugin_name": "patient"})
        progress = self.host.wait_for(lambda m: m["type"] == "progress")
        self.assertEqual((progress["job_id"], progress["message"]), ("p", "step 1"))
        self.host.send({"type": "cancel", "job_id": "p"})
        self.assertEqual(self.host.result("p")["error_code"], "CANCELLED")
        self.host.send({"type": "execute", "job_id": "s", "plugin_name": "patient", "stream": True})
        self.host.result("s")
        chunks = [m["chunk"] for m in self.host.backlog if m["type"] == "stream_chunk"]
        self.assertEqual("".join(chunks), "s")

    def test_watch_mode_sends_plugins_changed(self):
        root = tempfile.mkdtemp(prefix="plugwork-watch-")
        self.addCleanup(lambda: __import__("shutil").rmtree(root))
        self.host.init(
            {"module": "plugwork_worker.folder_adapter", "export": "FolderAdapter",
             "options": {"directories": [root], "watch": True, "poll_seconds": 0.05}}
        )
        folder = os.path.join(root, "late")
        os.makedirs(folder)
        with open(os.path.join(folder, "main.py"), "w") as handle:
            handle.write("from plugwork_worker import define_plugin\n"
                         "plugin = define_plugin(name='late', execute=lambda p, c: {'late': True})\n")
        with open(os.path.join(folder, "package.json"), "w") as handle:
            handle.write('{"name": "late", "plugwork": {"runtime": "python"}}')
        changed = self.host.wait_for(lambda m: m["type"] == "plugins_changed" and m["plugins"])
        self.assertEqual([p["name"] for p in changed["plugins"]], ["late"])
        self.assertEqual(self.run_job("l", "late")["data"], {"late": True})
        self.assertNotIn("changed_plugins", changed)
        # An edit of any file of a loaded plugin's folder names it: the host replaces the worker.
        time.sleep(0.02)
        with open(os.path.join(folder, "helper.py"), "w") as handle:
            handle.write("VALUE = 2\n")
        edited = self.host.wait_for(lambda m: m["type"] == "plugins_changed" and "changed_plugins" in m)
        self.assertEqual(edited["changed_plugins"], ["late"])


class SeedStyleAdapter(LoopTestCase):
    def test_runs_unchanged(self):
        ready = self.host.init(SEED_ADAPTER, plugin_configs={"greeter": {}})
        self.assertEqual(
            ready["plugins"],
            [
                {"name": "greeter", "streaming": False, "source": "python", "version": "0.3.0", "description": "Greets"},
                {"name": "teller", "streaming": True, "source": "python"},
            ],
        )
        self.assertEqual(self.run_job("g", "greeter", who="Ada")["data"], {"text": "Hi, Ada!"})
        self.host.send({"type": "reload", "request_id": "r", "plugin_name": "greeter", "config": {"greeting": "Hey"}})
        self.host.wait_for(lambda m: m.get("request_id") == "r")
        self.assertEqual(self.run_job("h", "greeter")["data"], {"text": "Hey, world!"})
        self.host.send({"type": "execute", "job_id": "t", "plugin_name": "teller", "stream": True, "text": "a b"})
        self.assertEqual(self.host.result("t")["data"], {"streamed": True, "chunks": 2, "characters": 4})


if __name__ == "__main__":
    threading.excepthook = threading.excepthook
    unittest.main()
