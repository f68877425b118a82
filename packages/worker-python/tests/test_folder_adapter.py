"""The folder adapter reads the plugin format every plugwork adapter reads."""

import json
import os
import shutil
import sys
import tempfile
import time
import unittest

from support import PLUGINS

from plugwork_worker import FolderAdapter


def write(folder, files):
    for name, content in files.items():
        path = os.path.join(folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(content if isinstance(content, str) else json.dumps(content))


def manifest(**plugwork):
    return {"name": plugwork.pop("package", "pkg"), "plugwork": {"runtime": "python", **plugwork}}


PLUGIN = 'from plugwork_worker import define_plugin\nplugin = define_plugin(name="{name}", execute=lambda p, c: {{"v": {value}}})\n'


class FolderAdapterTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="plugwork-folders-")
        # As in a default Python: imports write __pycache__ (stale bytecode is what reloads risk).
        self.addCleanup(setattr, sys, "dont_write_bytecode", sys.dont_write_bytecode)
        sys.dont_write_bytecode = False

    def tearDown(self):
        shutil.rmtree(self.root)

    def plugin(self, folder, files):
        write(os.path.join(self.root, folder), files)

    def codes(self, adapter):
        adapter.discover_plugins()
        return {os.path.basename(d["location"]): d["code"] for d in adapter.get_diagnostics()}

    def test_every_bad_folder_is_a_diagnostic_and_the_good_ones_load(self):
        self.plugin("good", {"package.json": manifest(name="good"), "main.py": PLUGIN.format(name="good", value=1)})
        self.plugin("no-package", {"main.py": ""})
        self.plugin("bad-json", {"package.json": '{ "name": '})
        self.plugin("no-manifest", {"package.json": {"name": "x"}})
        self.plugin("bad-manifest", {"package.json": {"name": "x", "plugwork": {"runtime": "ruby", "streaming": "yes"}}})
        self.plugin("javascript", {"package.json": {"name": "js", "plugwork": {"entry": "./index.js"}}, "index.js": ""})
        self.plugin("no-entry", {"package.json": manifest(name="no-entry")})
        self.plugin("outside", {"package.json": manifest(name="outside", entry="../good/main.py")})
        self.plugin("not-py", {"package.json": manifest(name="not-py", entry="index.js"), "index.js": ""})
        self.plugin(".hidden", {"package.json": '{'})
        adapter = FolderAdapter(self.root)
        self.assertEqual([p["name"] for p in adapter.discover_plugins()], ["good"])
        self.assertEqual(
            self.codes(adapter),
            {
                "no-package": "MISSING_PACKAGE_JSON",
                "bad-json": "INVALID_JSON",
                "no-manifest": "MISSING_MANIFEST",
                "bad-manifest": "INVALID_MANIFEST",
                "javascript": "OTHER_RUNTIME",
                "no-entry": "ENTRY_NOT_FOUND",
                "outside": "ENTRY_OUTSIDE_FOLDER",
                "not-py": "INVALID_MANIFEST",
            },
        )
        problems = {os.path.basename(d["location"]): d["message"] for d in adapter.get_diagnostics()}
        self.assertIn('runtime: expected one of "javascript" | "python", got "ruby"', problems["bad-manifest"])
        self.assertIn("streaming: expected a boolean", problems["bad-manifest"])
        adapter.load_plugin({"name": "good"}, {})
        self.assertEqual(adapter.execute_plugin("good"), {"v": 1})

    def test_a_missing_directory_is_a_diagnostic(self):
        missing = os.path.join(self.root, "nope")
        adapter = FolderAdapter([missing, self.root])
        self.assertEqual(adapter.discover_plugins(), [])
        self.assertEqual([(d["location"], d["code"]) for d in adapter.get_diagnostics()], [(missing, "DIRECTORY_NOT_FOUND")])

    def test_node_modules_and_dot_folders_are_no_candidates(self):
        # As in adapter-fs: a plugins directory may be an npm project that installed packages.
        write(os.path.join(self.root, "node_modules", "left-pad"), {"index.js": ""})
        write(os.path.join(self.root, ".cache"), {"x": ""})
        self.plugin("a", {"package.json": manifest(name="a"), "main.py": PLUGIN.format(name="a", value=1)})
        adapter = FolderAdapter(self.root)
        self.assertEqual([p["name"] for p in adapter.discover_plugins()], ["a"])
        self.assertEqual(adapter.get_diagnostics(), [])

    def test_the_first_directory_wins_a_name(self):
        second = tempfile.mkdtemp(prefix="plugwork-second-")
        try:
            self.plugin("a", {"package.json": manifest(name="same"), "main.py": PLUGIN.format(name="same", value=1)})
            write(os.path.join(second, "b"), {"package.json": manifest(name="same"), "main.py": PLUGIN.format(name="same", value=2)})
            adapter = FolderAdapter([self.root, second])
            self.assertEqual(len(adapter.discover_plugins()), 1)
            self.assertEqual(self.codes(adapter), {"b": "DUPLICATE_NAME"})
            adapter.load_plugin({"name": "same"}, {})
            self.assertEqual(adapter.execute_plugin("same"), {"v": 1})
        finally:
            shutil.rmtree(second)

    def test_load_failures_are_diagnostics_until_the_plugin_loads(self):
        self.plugin("broken", {"package.json": manifest(name="broken"), "main.py": "raise RuntimeError('boom')\n"})
        self.plugin("named", {"package.json": manifest(name="named"), "main.py": PLUGIN.format(name="other", value=0)})
        self.plugin("setup", {"package.json": manifest(name="setup"),
                              "main.py": "from plugwork_worker import define_plugin\n"
                                         "def setup(config):\n    raise ValueError('no model')\n"
                                         "plugin = define_plugin(name='setup', execute=lambda p, c: {}, setup=setup)\n"})
        self.plugin("missing-dep", {"package.json": manifest(name="missing-dep"), "main.py": "import not_installed_anywhere\n"})
        adapter = FolderAdapter(self.root)
        adapter.discover_plugins()
        expected = {
            "broken": ("IMPORT_FAILED", "RuntimeError: boom"),
            "named": ("NAME_MISMATCH", 'calls itself "other"'),
            "setup": ("SETUP_FAILED", "ValueError: no model"),
            "missing-dep": ("IMPORT_FAILED", "install the plugin's dependencies into the worker's Python environment"),
        }
        for name, (code, text) in expected.items():
            with self.subTest(name=name):
                with self.assertRaises(Exception) as caught:
                    adapter.load_plugin({"name": name}, {})
                self.assertEqual(caught.exception.code, code)
                self.assertIn(text, str(caught.exception))
        self.assertEqual(sorted(d["plugin_name"] for d in adapter.get_diagnostics()), sorted(expected))

    def test_reload_runs_fresh_code_and_a_failed_reload_keeps_the_old_instance(self):
        self.plugin("p", {"package.json": manifest(name="p"), "main.py": PLUGIN.format(name="p", value=1)})
        adapter = FolderAdapter(self.root)
        adapter.discover_plugins()
        adapter.load_plugin({"name": "p"}, {})
        entry = os.path.join(self.root, "p", "main.py")
        before = os.stat(entry)
        self.plugin("p", {"main.py": PLUGIN.format(name="p", value=2)})
        # Same size, same mtime: bytecode in __pycache__ would look current. It must not be used.
        os.utime(entry, ns=(before.st_atime_ns, before.st_mtime_ns))
        adapter.reload_plugin("p", {})
        self.assertEqual(adapter.execute_plugin("p"), {"v": 2})
        self.plugin("p", {"main.py": "this is not python"})
        with self.assertRaises(Exception):
            adapter.reload_plugin("p", {})
        self.assertEqual(adapter.execute_plugin("p"), {"v": 2})
        adapter.reload_plugin("p", None)
        self.assertEqual(adapter.get_loaded_plugins(), [])

    def test_a_reload_runs_fresh_helper_modules_too(self):
        self.plugin("h", {"package.json": manifest(name="h"),
                          "main.py": "from plugwork_worker import define_plugin\nfrom .lib.value import VALUE\n"
                                     "plugin = define_plugin(name='h', execute=lambda p, c: {'v': VALUE})\n",
                          "lib/__init__.py": "", "lib/value.py": "VALUE = 1\n"})
        adapter = FolderAdapter(self.root)
        adapter.discover_plugins()
        adapter.load_plugin({"name": "h"}, {})
        self.assertEqual(adapter.execute_plugin("h"), {"v": 1})
        helper = os.path.join(self.root, "h", "lib", "value.py")
        before = os.stat(helper)
        self.plugin("h", {"lib/value.py": "VALUE = 2\n"})
        os.utime(helper, ns=(before.st_atime_ns, before.st_mtime_ns))
        adapter.reload_plugin("h", {})
        self.assertEqual(adapter.execute_plugin("h"), {"v": 2})

    def test_a_plugin_whose_folder_is_removed_is_unloaded(self):
        self.plugin("gone", {"package.json": manifest(name="gone"), "main.py": PLUGIN.format(name="gone", value=1)})
        adapter = FolderAdapter(self.root)
        adapter.discover_plugins()
        adapter.load_plugin({"name": "gone"}, {})
        shutil.rmtree(os.path.join(self.root, "gone"))
        self.assertEqual(adapter.discover_plugins(), [])
        self.assertEqual(adapter.get_loaded_plugins(), [])

    def test_watch_mode_notices_a_new_folder(self):
        adapter = FolderAdapter(self.root, watch=True, poll_seconds=0.05)
        adapter.discover_plugins()
        changes = []
        stop = adapter.watch(lambda change: changes.append(adapter.discover_plugins()))
        try:
            self.plugin("late", {"package.json": manifest(name="late"), "main.py": PLUGIN.format(name="late", value=1)})
            deadline = time.monotonic() + 5
            while not changes and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual([p["name"] for p in changes[-1]], ["late"])
        finally:
            stop()
        self.assertIsNone(FolderAdapter(self.root).watch(lambda: None))

    def test_watch_mode_names_loaded_plugins_whose_files_changed(self):
        files = {"package.json": manifest(name="w"), "main.py": "from .helper import VALUE\n" + PLUGIN.format(name="w", value="VALUE"), "helper.py": "VALUE = 1\n"}
        self.plugin("w", files)
        self.plugin("idle", {"package.json": manifest(name="idle"), "main.py": PLUGIN.format(name="idle", value=0)})
        adapter = FolderAdapter(self.root, watch=True, poll_seconds=0.05)
        adapter.discover_plugins()
        adapter.load_plugin({"name": "w"}, {})
        changes = []
        stop = adapter.watch(changes.append)
        try:
            time.sleep(0.2)
            self.assertEqual(changes, [])  # nothing changed: nothing said
            time.sleep(0.02)
            write(os.path.join(self.root, "w"), {"helper.py": "VALUE = 22\n"})
            # A file of a plugin that is not loaded: nothing in this process is stale.
            write(os.path.join(self.root, "idle"), {"notes.txt": "x"})
            deadline = time.monotonic() + 5
            while not changes and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertEqual(changes[0], {"changed_plugins": ["w"]})
            time.sleep(0.2)
            self.assertEqual(len(changes), 1)  # once per change
            adapter.reload_plugin("w", {})
            self.assertEqual(adapter.execute_plugin("w"), {"v": 22})
        finally:
            stop()

    def test_streaming_comes_from_the_manifest_then_from_the_plugin(self):
        adapter = FolderAdapter(PLUGINS)
        counter = next(p for p in adapter.discover_plugins() if p["name"] == "counter")
        self.assertTrue(counter["streaming"])
        self.assertTrue(adapter.check_streaming_support("counter"))
        self.assertFalse(adapter.check_streaming_support("echo"))


if __name__ == "__main__":
    unittest.main()
