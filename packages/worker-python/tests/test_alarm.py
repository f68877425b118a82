"""The Alarm's timer: armed before each piece of work, re-armed only once half its period is gone."""

import json
import subprocess
import sys
import unittest

from support import PACKAGE_ROOT

# Run in a child: an Alarm takes over SIGALRM, SIGTERM and the signal wake-up fd of its process.
# The clock is faked, so what is checked is the rule, not this machine's timing.
SNIPPET = r"""
import json, signal, sys
sys.path.insert(0, sys.argv[1])
from plugwork_worker import alarm as module
clock = [100.0]
module.monotonic = lambda: clock[0]
alarm = module.Alarm(0.002)
calls = []
real_setitimer = signal.setitimer
signal.setitimer = lambda which, seconds: calls.append((round(clock[0] - 100.0, 6), seconds))
for t in (0.0, 0.0004, 0.0009, 0.0011, 0.0012, 0.0025):
    clock[0] = 100.0 + t
    alarm.arm()
signal.setitimer = real_setitimer
print(json.dumps(calls))
"""


class AlarmTest(unittest.TestCase):
    def test_closely_following_work_skips_the_timer_call_and_late_work_re_arms_it(self):
        run = subprocess.run(
            [sys.executable, "-c", SNIPPET, PACKAGE_ROOT], capture_output=True, text=True, timeout=30
        )
        self.assertEqual(run.returncode, 0, run.stderr)
        # Armed at 0 (2 ms ahead); at 0.4 and 0.9 ms it is still 1 ms away or more, so no call;
        # at 1.1 ms it is armed again, and at 2.5 ms (1.4 ms after that) once more.
        self.assertEqual(json.loads(run.stdout), [[0.0, 0.002], [0.0011, 0.002], [0.0025, 0.002]])


if __name__ == "__main__":
    unittest.main()
