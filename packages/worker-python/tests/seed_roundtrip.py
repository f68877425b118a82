"""Round trips the seed's dictionaries through the Python types, for the TypeScript test that
compares both languages byte for byte (packages/worker/test/python-seed.test.ts).

Reads seed_examples.json; prints one JSON object per example: what the Python types build
(`built`) and what parsing the wire line and building it again gives (`round_trip`).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from plugwork_worker.protocol import (  # noqa: E402
    WorkerRequest,
    WorkerRequestType,
    WorkerResponse,
    WorkerResponseType,
    WorkerResult,
    WorkerStreamChunk,
)

COMPACT = {"separators": (",", ":"), "ensure_ascii": False}


def build(example):
    kind, args = example["class"], example["build"]
    if kind == "WorkerRequest":
        return WorkerRequest(type=WorkerRequestType(args["type"]), data=args["data"])
    if kind == "WorkerResponse":
        return WorkerResponse(type=WorkerResponseType(args["type"]), data=args["data"])
    if kind == "WorkerStreamChunk":
        return WorkerStreamChunk(**args)
    return WorkerResult(**args)


def restore(kind, dictionary):
    return {
        "WorkerRequest": WorkerRequest,
        "WorkerResponse": WorkerResponse,
        "WorkerStreamChunk": WorkerStreamChunk,
        "WorkerResult": WorkerResult,
    }[kind].from_dict(dictionary)


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seed_examples.json")
    with open(path, encoding="utf-8") as handle:
        examples = json.load(handle)
    for example in examples:
        built = json.dumps(build(example).to_dict(), **COMPACT)
        again = restore(example["class"], json.loads(example["wire"])).to_dict()
        print(json.dumps({"built": built, "round_trip": json.dumps(again, **COMPACT)}))


if __name__ == "__main__":
    main()
