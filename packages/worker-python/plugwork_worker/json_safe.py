"""JSON-safety of what a plugin returns: checked before anything is sent.

`json.dumps` would write NaN (not JSON at all), turn int keys into strings without a word, and
raise deep inside the channel for bytes or a set. The walk below finds such a value first and
names its place (`result.items[2]`), so it becomes that job's clear error and the worker goes on.
"""

from __future__ import annotations

import math
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Dict, List, Union

from .errors import JsonSafetyPhrases

#: Integers beyond this lose precision in the host's JSON (IEEE doubles).
MAX_SAFE_INTEGER = 2**53 - 1


class NotJsonSafeError(ValueError):
    """Raised by check_json_safe; its message names the offending place, for a person."""


def check_json_safe(value: Any, root: str) -> None:
    """Raises NotJsonSafeError unless `value` survives a JSON round trip unchanged.

    Allowed: dict with str keys, list, tuple (becomes a list), str, bool, finite float,
    int within +-(2**53 - 1), None. Subclasses count as their base (an IntEnum is an int).
    """
    if value is None or isinstance(value, (str, bool)):
        return
    path: List[Union[str, int]] = []
    try:
        _walk(value, root, path, set())
    except RecursionError:
        raise NotJsonSafeError(JsonSafetyPhrases.too_deep(format_path(root, path))) from None


def _walk(value: Any, root: str, path: List[Union[str, int]], ancestors: set) -> None:
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return
        raise NotJsonSafeError(JsonSafetyPhrases.big_int(format_path(root, path)))
    if isinstance(value, float):
        if math.isfinite(value):
            return
        raise NotJsonSafeError(JsonSafetyPhrases.not_finite(format_path(root, path), value))
    if isinstance(value, dict):
        identity = id(value)
        if identity in ancestors:
            raise NotJsonSafeError(JsonSafetyPhrases.cycle(format_path(root, path)))
        ancestors.add(identity)
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotJsonSafeError(JsonSafetyPhrases.key(format_path(root, path), key))
            if item is None or type(item) is str:
                continue
            path.append(key)
            _walk(item, root, path, ancestors)
            path.pop()
        ancestors.discard(identity)
        return
    if isinstance(value, (list, tuple)):
        identity = id(value)
        if identity in ancestors:
            raise NotJsonSafeError(JsonSafetyPhrases.cycle(format_path(root, path)))
        ancestors.add(identity)
        for index, item in enumerate(value):
            if item is None or type(item) is str:
                continue
            path.append(index)
            _walk(item, root, path, ancestors)
            path.pop()
        ancestors.discard(identity)
        return
    where = format_path(root, path)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise NotJsonSafeError(JsonSafetyPhrases.bytes_value(where, type(value).__name__))
    if isinstance(value, (set, frozenset)):
        raise NotJsonSafeError(JsonSafetyPhrases.set_value(where, type(value).__name__))
    kind = type(value)
    module = kind.__module__
    name = kind.__qualname__ if module in ("builtins", "__main__") else f"{module}.{kind.__qualname__}"
    raise NotJsonSafeError(JsonSafetyPhrases.other(where, name))


def to_result_data(value: Any) -> Dict[str, Any]:
    """A plugin's return value as the `data` of a result message (the seed's rule).

    A dict goes as it is; a str, number, bool or None becomes `{"text": ..., "metadata": {}}`;
    a list or tuple becomes `{"text": <its JSON>, "metadata": {}}`. Raises NotJsonSafeError
    for anything JSON cannot carry, anywhere in the value.
    """
    if type(value) is dict:
        for key, item in value.items():
            # Flat dicts of text are most results: no walk needed for them.
            if type(key) is not str or (type(item) is not str and item is not None):
                check_json_safe(value, "result")
                break
        return value
    if isinstance(value, dict):
        check_json_safe(value, "result")
        return value
    check_json_safe(value, "result")
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, float) and value.is_integer():
        # As JavaScript prints it (String(2.0) is "2"), so a result reads the same from any worker.
        text = str(int(value))
    elif isinstance(value, (int, float)):
        text = str(value)
    else:
        import json

        text = json.dumps(value, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    return {"text": text, "metadata": {}}


def format_path(root: str, path: List[Union[str, int]]) -> str:
    text = root
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif segment.isidentifier():
            text += f".{segment}"
        else:
            text += f"[{segment!r}]"
    return text


def js_length(text: str) -> int:
    """Length of `text` in UTF-16 code units, as JavaScript counts it (the host acks in those)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2
