"""Checks every request that arrives from the host, as the TypeScript schemas do.

A request that does not follow the protocol is never acted on: `parse_request` raises a
ProtocolError whose message names the message type and the offending field, and the loop
answers with an `error` message instead of crashing.
"""

from __future__ import annotations

TYPE_CHECKING = False

from .wire import REQUEST_TYPES

if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple

    Check = Callable[[Any], Optional[str]]


class ProtocolError(ValueError):
    """A message that does not follow the wire protocol."""


def _non_empty_str(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"expected a string, received {_kind(value)}"
    return None if value else "must be a non-empty string"


def _bool(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"expected a boolean, received {_kind(value)}"


def _positive_int(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"expected an integer, received {_kind(value)}"
    return None if value > 0 else "must be a positive integer"


def _object(value: Any) -> str | None:
    return None if isinstance(value, dict) else f"expected an object, received {_kind(value)}"


def _object_or_null(value: Any) -> str | None:
    return None if value is None else _object(value)


def _configs(value: Any) -> str | None:
    problem = _object(value)
    if problem is not None:
        return problem
    for name, config in value.items():
        if not isinstance(config, dict):
            return f'entry "{name}": expected an object, received {_kind(config)}'
    return None


def _limits(value: Any) -> str | None:
    problem = _object(value)
    if problem is not None:
        return problem
    for key in ("result_bytes", "chunk_bytes"):
        if key in value:
            problem = _positive_int(value[key])
            if problem is not None:
                return f'field "{key}" {problem}'
    return None


def _adapter(value: Any) -> str | None:
    problem = _object(value)
    if problem is not None:
        return problem
    if "module" not in value:
        return 'field "module" is required'
    for key, check in (("module", _non_empty_str), ("export", _non_empty_str), ("options", _object)):
        if key in value:
            problem = check(value[key])
            if problem is not None:
                return f'field "{key}" {problem}'
    return None


# Per type: (required fields, optional fields). Unknown keys are ignored (additive extensions).
_FIELDS: Dict[str, Tuple[Dict[str, Check], Dict[str, Check]]] = {
    "init": (
        {},
        {
            "request_id": _non_empty_str,
            "adapter": _adapter,
            "plugin_configs": _configs,
            "max_loaded_plugins": _positive_int,
            "stream_window": _positive_int,
            "token": _non_empty_str,
            "max_concurrency": _positive_int,
            "limits": _limits,
        },
    ),
    "execute": (
        {"job_id": _non_empty_str, "plugin_name": _non_empty_str},
        {"stream": _bool, "request_id": _non_empty_str},
    ),
    "reload": (
        {"plugin_name": _non_empty_str},
        {"config": _object_or_null, "request_id": _non_empty_str},
    ),
    "unload": ({"plugin_name": _non_empty_str}, {"request_id": _non_empty_str}),
    "get_state": ({}, {"request_id": _non_empty_str}),
    "stop": ({}, {"request_id": _non_empty_str}),
    "cancel": ({"job_id": _non_empty_str}, {"request_id": _non_empty_str, "withdraw": _bool}),
    "stream_ack": ({"job_id": _non_empty_str, "consumed": _positive_int}, {}),
}

_REQUEST_TYPES = REQUEST_TYPES


def parse_request(message: Any) -> Dict[str, Any]:
    """Returns `message` when it is a valid request; raises ProtocolError otherwise."""
    if not isinstance(message, dict):
        raise ProtocolError(f"Invalid request: expected a JSON object, received {_kind(message)}")
    kind = message.get("type")
    if kind == "execute":
        # The hot path: the same checks as below, without the generic loop.
        job_id = message.get("job_id")
        plugin = message.get("plugin_name")
        if (
            type(job_id) is str
            and job_id
            and type(plugin) is str
            and plugin
            and ("stream" not in message or type(message["stream"]) is bool)
            and ("request_id" not in message or (type(message["request_id"]) is str and message["request_id"]))
        ):
            return message
    if kind is None:
        raise ProtocolError('Invalid request: field "type" is missing')
    if not isinstance(kind, str) or kind not in _REQUEST_TYPES:
        raise ProtocolError(
            f'Invalid request: field "type" is {_quote(kind)}, which is not a request type of '
            "the plugwork protocol"
        )
    required, optional = _FIELDS[kind]
    for key, check in required.items():
        if key not in message:
            raise ProtocolError(f'Invalid "{kind}" request: field "{key}" is required')
        problem = check(message[key])
        if problem is not None:
            raise ProtocolError(f'Invalid "{kind}" request: field "{key}" {problem}')
    for key, check in optional.items():
        if key in message:
            problem = check(message[key])
            if problem is not None:
                raise ProtocolError(f'Invalid "{kind}" request: field "{key}" {problem}')
    return message


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _quote(value: Any) -> str:
    import json

    try:
        return json.dumps(value if isinstance(value, str) else str(value))
    except (TypeError, ValueError):
        return repr(value)
