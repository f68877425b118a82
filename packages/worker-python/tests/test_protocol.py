"""The seed's types reproduce every dictionary of the seed notebook, byte for byte."""

import json
import os
import subprocess
import sys
import unittest

from support import HERE  # noqa: F401 - puts the package on sys.path

from plugwork_worker import (
    PluginManagerAdapter,
    WorkerRequest,
    WorkerRequestType,
    WorkerResponse,
    WorkerResponseType,
    WorkerResult,
    WorkerStreamChunk,
)

COMPACT = {"separators": (",", ":"), "ensure_ascii": False}

with open(os.path.join(HERE, "seed_examples.json"), encoding="utf-8") as handle:
    EXAMPLES = json.load(handle)


class SeedTypes(unittest.TestCase):
    def test_request_and_response_types_have_the_seed_values(self):
        self.assertEqual(
            {m.name: m.value for m in WorkerRequestType if m.name not in ("CANCEL", "STREAM_ACK")},
            {
                "INIT": "init",
                "EXECUTE": "execute",
                "RELOAD": "reload",
                "UNLOAD": "unload",
                "GET_STATE": "get_state",
                "STOP": "stop",
            },
        )
        self.assertEqual(WorkerResponseType.STREAM_CHUNK.value, "stream_chunk")
        self.assertEqual(WorkerResponseType.PROGRESS.value, "progress")

    def test_worker_request_as_in_the_seed(self):
        request = WorkerRequest(
            type=WorkerRequestType.EXECUTE,
            data={"job_id": "test-123", "plugin_name": "test_plugin", "param1": "value1"},
        )
        self.assertEqual(
            repr(request),
            "WorkerRequest(type=<WorkerRequestType.EXECUTE: 'execute'>, data={'job_id': "
            "'test-123', 'plugin_name': 'test_plugin', 'param1': 'value1'})",
        )
        request_dict = request.to_dict()
        self.assertEqual(list(request_dict), ["type", "job_id", "plugin_name", "param1"])
        self.assertEqual(WorkerRequest.from_dict(request_dict), request)

    def test_every_seed_dictionary_byte_for_byte(self):
        self.assertEqual(len(EXAMPLES), 5)
        for example in EXAMPLES:
            with self.subTest(example["wire"]):
                kind, args = example["class"], example["build"]
                if kind == "WorkerRequest":
                    built = WorkerRequest(type=WorkerRequestType(args["type"]), data=args["data"])
                elif kind == "WorkerResponse":
                    built = WorkerResponse(type=WorkerResponseType(args["type"]), data=args["data"])
                elif kind == "WorkerStreamChunk":
                    built = WorkerStreamChunk(**args)
                else:
                    built = WorkerResult(**args)
                self.assertEqual(json.dumps(built.to_dict(), **COMPACT), example["wire"])
                restored = type(built).from_dict(json.loads(example["wire"]))
                self.assertEqual(restored, built)
                self.assertEqual(json.dumps(restored.to_dict(), **COMPACT), example["wire"])

    def test_result_leaves_out_absent_fields_and_chunk_defaults(self):
        self.assertNotIn("data", WorkerResult(job_id="j", status="error", error="x").to_dict())
        self.assertEqual(
            WorkerStreamChunk(job_id="j", chunk="x").to_dict(),
            {"type": "stream_chunk", "job_id": "j", "chunk": "x", "is_final": False, "metadata": {}},
        )

    def test_the_roundtrip_script_agrees(self):
        output = subprocess.run(
            [sys.executable, os.path.join(HERE, "seed_roundtrip.py")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
        self.assertEqual(
            [json.loads(line) for line in output],
            [{"built": e["wire"], "round_trip": e["wire"]} for e in EXAMPLES],
        )

    def test_plugin_manager_adapter_is_a_protocol(self):
        from seed_style import SeedStylePluginManager  # noqa: F401 - fixtures on sys.path

        self.assertTrue(getattr(PluginManagerAdapter, "_is_protocol", False))


if __name__ == "__main__":
    unittest.main()
