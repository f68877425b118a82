"""What JSON cannot carry is refused with its place named; what it can passes unchanged."""

import unittest

from support import HERE  # noqa: F401

from plugwork_worker.json_safe import NotJsonSafeError, check_json_safe, js_length, to_result_data


class JsonSafety(unittest.TestCase):
    def refused(self, value, pattern):
        with self.assertRaises(NotJsonSafeError) as caught:
            to_result_data(value)
        self.assertRegex(str(caught.exception), pattern)

    def test_json_values_pass(self):
        value = {"a": [1, 2.5, "x", None, True, {"b": (1, 2)}], "n": 2**53 - 1}
        self.assertIs(to_result_data(value), value)
        check_json_safe(value, "result")

    def test_not_finite_numbers(self):
        self.refused({"v": float("nan")}, r"^result\.v is nan, which JSON cannot carry")
        self.refused({"v": [float("inf")]}, r"^result\.v\[0\] is inf")
        self.refused(float("-inf"), r"^result is -inf")

    def test_bytes_sets_keys_objects(self):
        self.refused({"items": [1, b"raw"]}, r"^result\.items\[1\] is bytes, .*decode it")
        self.refused({"tags": {"a"}}, r"^result\.tags is a set, .*convert it to a list")
        self.refused({"t": frozenset()}, r"is a frozenset")
        self.refused({"counts": {1: "one"}}, r"^result\.counts has the key 1 \(int\)")
        self.refused({"when": object()}, r"^result\.when is a object, which JSON cannot carry")
        self.refused({"n": 2**60}, r"^result\.n is an integer beyond 2\*\*53")
        self.refused({"odd key": {"x": b""}}, r"^result\['odd key'\]\.x is bytes")

    def test_cycles_and_depth(self):
        cycle = {}
        cycle["self"] = cycle
        self.refused(cycle, r"^result\.self refers back to an object that contains it")
        deep = current = {}
        for _ in range(5000):
            current["d"] = {}
            current = current["d"]
        self.refused(deep, r"nested too deeply")

    def test_the_seed_rule_for_non_objects(self):
        self.assertEqual(to_result_data("hi"), {"text": "hi", "metadata": {}})
        self.assertEqual(to_result_data(None), {"text": "", "metadata": {}})
        self.assertEqual(to_result_data(True), {"text": "true", "metadata": {}})
        self.assertEqual(to_result_data(2.0), {"text": "2", "metadata": {}})
        self.assertEqual(to_result_data(2.5), {"text": "2.5", "metadata": {}})
        self.assertEqual(to_result_data([1, "two", None]), {"text": '[1,"two",null]', "metadata": {}})

    def test_js_length_counts_utf16_units(self):
        self.assertEqual(js_length("abc"), 3)
        self.assertEqual(js_length("é"), 1)
        self.assertEqual(js_length("😀"), 2)


if __name__ == "__main__":
    unittest.main()
