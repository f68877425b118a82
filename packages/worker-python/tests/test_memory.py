"""`memory` in a Python worker's state: current rss and anonymous resident memory (heap_used)."""

import os
import sys
import tempfile
import unittest

from plugwork_worker.memory import memory_usage

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


def status_kib(field):
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/self/status")


@unittest.skipUnless(os.path.exists("/proc/self/statm"), "Linux only: /proc/self/statm")
class CurrentMemoryTest(unittest.TestCase):
    def test_rss_and_heap_used_are_what_the_kernel_says_now(self):
        memory = memory_usage()
        self.assertEqual(set(memory), {"rss", "heap_used"})
        # The kernel's own figures, read just after: equal up to the pages touched in between.
        self.assertAlmostEqual(memory["rss"], status_kib("VmRSS") * 1024, delta=2 * MIB)
        self.assertAlmostEqual(memory["heap_used"], status_kib("RssAnon") * 1024, delta=2 * MIB)
        self.assertLess(memory["heap_used"], memory["rss"])

    def test_they_grow_with_what_python_holds_and_shrink_when_it_is_freed(self):
        before = memory_usage()
        held = b"x" * (64 * MIB)
        during = memory_usage()
        self.assertGreater(during["rss"] - before["rss"], 60 * MIB)
        self.assertGreater(during["heap_used"] - before["heap_used"], 60 * MIB)
        del held
        # Current values, not the peak: a large block goes back to the system when freed.
        self.assertLess(memory_usage()["rss"], during["rss"] - 60 * MIB)

    def test_the_fields_of_statm_are_pages(self):
        with tempfile.NamedTemporaryFile("w", suffix=".statm", delete=False) as handle:
            handle.write("5000 300 100 1 0 900 0\n")
        self.addCleanup(os.unlink, handle.name)
        self.assertEqual(memory_usage(handle.name), {"rss": 300 * PAGE, "heap_used": 200 * PAGE})


class PeakFallbackTest(unittest.TestCase):
    def test_without_statm_both_are_the_peak_resident_set(self):
        memory = memory_usage("/nonexistent/statm")
        self.assertEqual(memory["rss"], memory["heap_used"])
        self.assertGreater(memory["rss"], 4 * MIB)
        if os.path.exists("/proc/self/status"):
            # The peak is in bytes (ru_maxrss is KiB on Linux), at least today's resident set.
            self.assertAlmostEqual(memory["rss"], status_kib("VmHWM") * 1024, delta=4 * MIB)
        self.assertLess(memory["rss"], 64 * 1024 * MIB, sys.platform)


if __name__ == "__main__":
    unittest.main()
