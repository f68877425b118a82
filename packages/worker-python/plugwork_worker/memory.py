"""What a Python worker answers for `memory` in `state`: `rss` and `heap_used`, in bytes.

Node workers report process.memoryUsage(): the resident set and V8's heap in use. Python has no
single heap figure (pymalloc arenas, malloc, C extensions' own allocations), so `heap_used` is
the process's anonymous resident memory: the part of the resident set that is not mapped from
files (the interpreter, shared libraries), which is where Python objects, NumPy arrays, model
weights and thread stacks live. Both come from /proc/self/statm, current values (Linux).
Where there is no /proc (macOS), `resource.getrusage` gives only the peak resident set, and
both figures are that peak.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Dict, Optional

STATM = "/proc/self/statm"
_page_size: Optional[int] = None


def memory_usage(statm: str = STATM) -> Dict[str, int]:
    """`{"rss": bytes, "heap_used": bytes}`: current from `statm` when readable, else the peak."""
    current = _from_statm(statm)
    if current is not None:
        return current
    peak = _peak_rss()
    return {"rss": peak, "heap_used": peak}


def _from_statm(path: str) -> Optional[Dict[str, int]]:
    global _page_size
    try:
        with open(path, "rb") as handle:
            # size resident shared text lib data dt, in pages
            fields = handle.read().split()
        resident, shared = int(fields[1]), int(fields[2])
    except (OSError, ValueError, IndexError):
        return None
    if _page_size is None:
        _page_size = os.sysconf("SC_PAGE_SIZE")
    return {"rss": resident * _page_size, "heap_used": max(resident - shared, 0) * _page_size}


def _peak_rss() -> int:
    try:
        import resource
    except ImportError:  # Windows has no resource module; the worker does not run there anyway
        return 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is in bytes on macOS and in kibibytes on Linux and the BSDs.
    return peak if sys.platform == "darwin" else peak * 1024
