"""The manifest's `engine` range: the same answers as adapter-kit's checkEngine (node-semver)."""

import json
import os
import shutil
import tempfile
import unittest

from test_folder_adapter import PLUGIN, manifest, write

from plugwork_worker import FolderAdapter
from plugwork_worker.engine import PLUGWORK_VERSION, check_engine, parse_range
from plugwork_worker.errors import AdapterError

CASES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "engine_cases.json")
PROTOCOL_VERSION_TS = os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "protocol", "src", "version.ts"
)


class CheckEngineTest(unittest.TestCase):
    def test_every_range_and_version_as_node_semver_answers(self):
        with open(CASES, encoding="utf-8") as handle:
            cases = json.load(handle)
        self.assertGreater(len(cases["ranges"]), 100)
        for range_text, expected in cases["ranges"].items():
            for version in cases["versions"]:
                want = "invalid-range" if expected == "invalid-range" else "ok" if version in expected else "unsatisfied"
                with self.subTest(range=range_text, version=version):
                    self.assertEqual(check_engine(range_text, version), want)

    def test_the_default_version_is_the_protocol_packages(self):
        # In the repository the TypeScript constant is beside this package; a pip install has no copy.
        if not os.path.exists(PROTOCOL_VERSION_TS):
            self.skipTest("not in the plugwork repository")
        with open(PROTOCOL_VERSION_TS) as handle:
            self.assertIn(f"PLUGWORK_VERSION = '{PLUGWORK_VERSION}'", handle.read())

    def test_a_version_that_is_not_semver_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            check_engine("^0.1.0", "one")
        self.assertIsNone(parse_range(None))


class FolderEngineTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="plugwork-engine-")
        self.addCleanup(shutil.rmtree, self.root)
        for name, engine in (("fits", "^0.1.0"), ("future", ">=2.0.0"), ("garbled", "latest please")):
            write(
                os.path.join(self.root, name),
                {"package.json": manifest(name=name, engine=engine), "main.py": PLUGIN.format(name=name, value=1)},
            )
        write(os.path.join(self.root, "any"), {"package.json": manifest(name="any"), "main.py": PLUGIN.format(name="any", value=2)})

    def diagnostics(self, adapter):
        names = [d["name"] for d in adapter.discover_plugins()]
        return names, {d["plugin_name"]: d for d in adapter.get_diagnostics()}

    def test_a_range_without_this_plugwork_is_refused_with_adapter_kits_words(self):
        names, problems = self.diagnostics(FolderAdapter(self.root, plugwork_version="0.1.0"))
        self.assertEqual(sorted(names), ["any", "fits"])
        future = problems["future"]
        self.assertEqual(future["code"], "UNSUPPORTED_ENGINE")
        self.assertEqual(future["location"], os.path.join(self.root, "future"))
        self.assertEqual(
            future["message"],
            f'Plugin "future" ({self.root}/future) requires plugwork >=2.0.0, but this is plugwork 0.1.0. Use a '
            'version of the plugin made for plugwork 0.1.0, or widen "plugwork.engine" if the plugin is known to work.',
        )
        self.assertEqual(problems["garbled"]["code"], "INVALID_MANIFEST")
        self.assertIn('engine: "latest please" is not a valid semver range', problems["garbled"]["message"])

    def test_the_hosts_version_decides(self):
        names, problems = self.diagnostics(FolderAdapter(self.root, plugwork_version="2.1.0"))
        self.assertEqual(sorted(names), ["any", "future"])
        self.assertIn("this is plugwork 2.1.0", problems["fits"]["message"])

    def test_a_plugin_whose_range_stops_fitting_is_not_loaded_again(self):
        adapter = FolderAdapter(self.root)
        adapter.discover_plugins()
        write(os.path.join(self.root, "fits"), {"package.json": manifest(name="fits", engine="^9")})
        with self.assertRaises(AdapterError) as raised:
            adapter.load_plugin("fits", {})
        self.assertEqual(raised.exception.code, "UNSUPPORTED_ENGINE")

    def test_a_version_option_that_is_not_semver_is_refused(self):
        with self.assertRaises(AdapterError) as raised:
            FolderAdapter(self.root, plugwork_version="latest")
        self.assertEqual(raised.exception.code, "INVALID_OPTIONS")


if __name__ == "__main__":
    unittest.main()
