"""The README's examples are real: the plugin loads and runs, the protocol snippet prints what
its comment says."""

import ast
import os
import re
import shutil
import tempfile
import unittest

from support import PACKAGE_ROOT

from plugwork_worker import FolderAdapter

with open(os.path.join(PACKAGE_ROOT, "README.md"), encoding="utf-8") as handle:
    README = handle.read()
PYTHON = re.findall(r"```python\n(.*?)```", README, re.S)
JSON = re.findall(r"```json\n(.*?)```", README, re.S)


class Readme(unittest.TestCase):
    def test_the_plugin_example_loads_and_runs(self):
        root = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, root)
        folder = os.path.join(root, "summarise")
        os.makedirs(folder)
        with open(os.path.join(folder, "package.json"), "w") as handle:
            handle.write(JSON[0])
        with open(os.path.join(folder, "main.py"), "w") as handle:
            handle.write(PYTHON[0])
        adapter = FolderAdapter(root)
        self.assertEqual([p["name"] for p in adapter.discover_plugins()], ["summarise"])
        self.assertEqual(adapter.get_diagnostics(), [])
        adapter.load_plugin({"name": "summarise"}, {"limit": 2})
        self.assertEqual(adapter.execute_plugin("summarise", text="One. Two. Three"), {"summary": "One. Two"})
        self.assertEqual(list(adapter.execute_plugin_stream("summarise", text="One. Two")), ["One. ", "Two. "])
        adapter.unload_plugin("summarise")

    def test_the_protocol_example_prints_what_it_says(self):
        snippet = next(block for block in PYTHON if "WorkerRequest(" in block)
        code, comment = snippet.rsplit("request.to_dict()\n# ", 1)
        scope = {}
        exec(code, scope)
        self.assertEqual(scope["request"].to_dict(), ast.literal_eval(comment.strip()))


if __name__ == "__main__":
    unittest.main()
