"""The manifest's `engine` check: does a semver range include this plugwork version?

The Python twin of @plugwork/adapter-kit's checkEngine, which uses node-semver with
`includePrerelease`: the same range grammar (comparators, `^`, `~`, x-ranges, hyphen ranges,
`||`) and the same answers, so a plugin folder is refused or accepted alike by Node and Python
workers. Standard library only; no third-party semver package exists on a bare Python.
"""

from __future__ import annotations

import re
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import List, Optional, Tuple

    Version = Tuple[int, int, int, Tuple[object, ...]]
    #: (operator, version); the operator is one of >, >=, <, <=, =.
    Comparator = Tuple[str, Version]

#: The plugwork version this worker belongs to; the host passes its own (the folder adapter's
#: `plugwork_version` option), which wins. Kept equal to @plugwork/protocol's PLUGWORK_VERSION.
PLUGWORK_VERSION = "0.1.0"

OK = "ok"
INVALID_RANGE = "invalid-range"
UNSATISFIED = "unsatisfied"

# ASCII digits, as node-semver reads them (Python's \d would take any Unicode digit).
_NUMERIC = r"0|[1-9][0-9]*"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_PRERELEASE = rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))"
_BUILD = r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)"
_XID = rf"(?:{_NUMERIC}|x|X|\*)"
_PARTIAL = rf"[v=\s]*({_XID})(?:\.({_XID})(?:\.({_XID}){_PRERELEASE}?{_BUILD}?)?)?"
# Compiled on first use: a worker whose plugins name no engine range pays nothing at start-up.
_version_pattern = None
_patterns = None


def _compiled():
    """The range patterns: comparator, hyphen range, operator-then-space."""
    global _patterns
    if _patterns is None:
        _patterns = (
            re.compile(rf"^(~>?|\^|(?:<|>)?=?)\s*{_PARTIAL}$"),
            re.compile(rf"^\s*({_PARTIAL})\s+-\s+({_PARTIAL})\s*$"),
            # An operator followed by spaces belongs to the version after it (`>= 1` is `>=1`).
            re.compile(r"(~>?|\^|[<>]=?|=)\s+(?=[v=\s]*[0-9xX*])"),
        )
    return _patterns


def check_engine(range_text: str, version: str = PLUGWORK_VERSION) -> str:
    """"ok", "invalid-range" or "unsatisfied", as adapter-kit's checkEngine answers."""
    target = parse_version(version)
    if target is None:
        raise ValueError(f"{version!r} is not a semver version")
    sets = parse_range(range_text)
    if sets is None:
        return INVALID_RANGE
    for comparators in sets:
        if all(_holds(target, op, bound) for op, bound in comparators):
            return OK
    return UNSATISFIED


def parse_version(text: str) -> Optional[Version]:
    global _version_pattern
    if _version_pattern is None:
        _version_pattern = re.compile(rf"^v?({_NUMERIC})\.({_NUMERIC})\.({_NUMERIC}){_PRERELEASE}?{_BUILD}?$")
    match = _version_pattern.match(text.strip())
    if match is None:
        return None
    major, minor, patch, pre = match.groups()
    return (int(major), int(minor), int(patch), _pre(pre))


def parse_range(text: str) -> Optional[List[List[Comparator]]]:
    """The range as sets of comparators (any set may hold); None when it is not a range."""
    if not isinstance(text, str):
        return None
    sets: List[List[Comparator]] = []
    for part in text.split("||"):
        comparators = _parse_set(part)
        if comparators is None:
            return None
        sets.append(comparators)
    return sets


def _parse_set(text: str) -> Optional[List[Comparator]]:
    comparator, hyphen_range, operator_space = _compiled()
    hyphen = hyphen_range.match(text)
    if hyphen is not None:
        groups = hyphen.groups()
        return _hyphen(groups[1:5], groups[6:10])
    text = operator_space.sub(r"\1", text.strip())
    comparators: List[Comparator] = []
    for token in text.split():
        match = comparator.match(token)
        if match is None:
            return None
        op, major, minor, patch, pre = match.groups()
        if not _ordered(major, minor, patch):
            return None
        expanded = _expand(op, major, minor, patch, pre)
        if expanded is None:
            return None
        comparators.extend(expanded)
    return comparators


def _is_x(part: Optional[str]) -> bool:
    return part is None or part in ("x", "X", "*")


def _ordered(major, minor, patch) -> bool:
    # `1.x.3` is not a range: once a part is a wildcard, the parts after it must be too.
    return not ((_is_x(major) and not _is_x(minor)) or (_is_x(minor) and patch is not None and not _is_x(patch)))


def _v(major: int, minor: int, patch: int, pre: Optional[str] = None) -> Version:
    return (major, minor, patch, _pre(pre))


def _lowest(major: int, minor: int, patch: int) -> Version:
    """`M.m.p-0`: the lowest version at or above M.m.p, pre-releases included."""
    return (major, minor, patch, (0,))


def _expand(op: str, major, minor, patch, pre) -> Optional[List[Comparator]]:
    if op in ("~", "~>"):
        return _tilde(major, minor, patch, pre)
    if op == "^":
        return _caret(major, minor, patch, pre)
    return _xrange(op, major, minor, patch, pre)


def _whole_major(major, minor) -> Optional[List[Comparator]]:
    """`~` and `^` alike: `*` is anything, `M` (or `M.x`) is all of M; None for `M.m…`."""
    if _is_x(major):
        return []
    if _is_x(minor):
        M = int(major)
        return [(">=", _lowest(M, 0, 0)), ("<", _lowest(M + 1, 0, 0))]
    return None


def _tilde(major, minor, patch, pre) -> List[Comparator]:
    whole = _whole_major(major, minor)
    if whole is not None:
        return whole
    M, m = int(major), int(minor)
    if _is_x(patch):
        return [(">=", _lowest(M, m, 0)), ("<", _lowest(M, m + 1, 0))]
    return [(">=", _v(M, m, int(patch), pre)), ("<", _lowest(M, m + 1, 0))]


def _caret(major, minor, patch, pre) -> List[Comparator]:
    whole = _whole_major(major, minor)
    if whole is not None:
        return whole
    M, m = int(major), int(minor)
    if _is_x(patch):
        upper = _lowest(M, m + 1, 0) if M == 0 else _lowest(M + 1, 0, 0)
        return [(">=", _lowest(M, m, 0)), ("<", upper)]
    p = int(patch)
    if M == 0:
        upper = _lowest(0, 0, p + 1) if m == 0 else _lowest(0, m + 1, 0)
    else:
        upper = _lowest(M + 1, 0, 0)
    return [(">=", _v(M, m, p, pre)), ("<", upper)]


def _xrange(op: str, major, minor, patch, pre) -> Optional[List[Comparator]]:
    x_major = _is_x(major)
    x_minor = x_major or _is_x(minor)
    x_patch = x_minor or _is_x(patch)
    if op == "=" and x_patch:
        op = ""
    if x_major:
        # `>*` and `<*` allow nothing; `*`, `>=*`, `<=*` anything.
        return [("<", _lowest(0, 0, 0))] if op in (">", "<") else []
    M = int(major)
    if op and x_patch:
        m = 0 if x_minor else int(minor)
        if op == ">":
            op = ">="
            M, m = (M + 1, 0) if x_minor else (M, m + 1)
        elif op == "<=":
            op = "<"
            M, m = (M + 1, m) if x_minor else (M, m + 1)
        return [(op, _lowest(M, m, 0))]
    if x_minor:
        return [(">=", _lowest(M, 0, 0)), ("<", _lowest(M + 1, 0, 0))]
    m = int(minor)
    if x_patch:
        return [(">=", _lowest(M, m, 0)), ("<", _lowest(M, m + 1, 0))]
    return [(op or "=", _v(M, m, int(patch), pre))]


def _hyphen(start, end) -> Optional[List[Comparator]]:
    comparators: List[Comparator] = []
    for parts in (start, end):
        if not _ordered(*parts[:3]):
            return None
    fM, fm, fp, fpre = start
    if not _is_x(fM):
        if _is_x(fm):
            comparators.append((">=", _lowest(int(fM), 0, 0)))
        elif _is_x(fp):
            comparators.append((">=", _lowest(int(fM), int(fm), 0)))
        elif fpre:
            comparators.append((">=", _v(int(fM), int(fm), int(fp), fpre)))
        else:
            comparators.append((">=", _lowest(int(fM), int(fm), int(fp))))
    tM, tm, tp, tpre = end
    if not _is_x(tM):
        if _is_x(tm):
            comparators.append(("<", _lowest(int(tM) + 1, 0, 0)))
        elif _is_x(tp):
            comparators.append(("<", _lowest(int(tM), int(tm) + 1, 0)))
        elif tpre:
            comparators.append(("<=", _v(int(tM), int(tm), int(tp), tpre)))
        else:
            comparators.append(("<", _lowest(int(tM), int(tm), int(tp) + 1)))
    return comparators


def _pre(text: Optional[str]) -> Tuple[object, ...]:
    if not text:
        return ()
    return tuple(int(part) if part.isdigit() else part for part in text.split("."))


def _compare(a: Version, b: Version) -> int:
    if a[:3] != b[:3]:
        return -1 if a[:3] < b[:3] else 1
    pa, pb = a[3], b[3]
    if pa == pb:
        return 0
    # A release is above its pre-releases.
    if not pa:
        return 1
    if not pb:
        return -1
    for x, y in zip(pa, pb):
        if x == y:
            continue
        x_num, y_num = isinstance(x, int), isinstance(y, int)
        if x_num and y_num:
            return -1 if x < y else 1
        if x_num != y_num:
            return -1 if x_num else 1  # numeric identifiers sort below alphanumeric ones
        return -1 if x < y else 1  # type: ignore[operator]
    return -1 if len(pa) < len(pb) else 1


def _holds(version: Version, op: str, bound: Version) -> bool:
    order = _compare(version, bound)
    if op == ">":
        return order > 0
    if op == ">=":
        return order >= 0
    if op == "<":
        return order < 0
    if op == "<=":
        return order <= 0
    return order == 0
