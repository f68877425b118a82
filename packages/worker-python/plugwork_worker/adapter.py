"""Building the adapter a worker serves, from the serialisable spec in `init`.

`{"module": ..., "export": ..., "options": {...}}`: `module` is a Python module name importable
from the worker's working directory or sys.path (`myproject.plugins`), or the path of a `.py`
file; `export` names a class or factory in it, called with `options` as keyword arguments. So
an existing seed-style PluginManagerAdapter class runs unchanged: name its module and class.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Callable, Dict, List, Optional, Tuple

from .errors import Messages, describe, describe_plugin_error
from .json_safe import NotJsonSafeError, check_json_safe
from .wire import ADAPTER_METHODS

if TYPE_CHECKING:
    from .protocol import PluginManagerAdapter

#: The default `export`. The JavaScript default `createAdapter` is accepted as its alias, so a
#: JobManager that never set adapter.export still finds a Python factory.
DEFAULT_EXPORT = "create_adapter"


class AdapterLoadError(Exception):
    """The adapter could not be built; the message says why, for a person."""


def load_adapter(spec: Dict[str, Any]) -> PluginManagerAdapter:
    module_name = spec["module"]
    export = spec.get("export") or DEFAULT_EXPORT
    options = spec.get("options") or {}
    try:
        module = _import(module_name)
    except Exception as error:  # noqa: BLE001 - any import failure is the user's to read
        raise AdapterLoadError(
            Messages.adapter_import(module_name, describe_plugin_error(error))
        ) from error
    factory = getattr(module, export, None)
    if factory is None and export == "createAdapter":
        export = DEFAULT_EXPORT
        factory = getattr(module, export, None)
    if factory is None:
        found = sorted(
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and callable(value) and getattr(value, "__module__", None) == module.__name__
        )
        raise AdapterLoadError(Messages.adapter_export(module_name, export, found))
    if callable(factory):
        try:
            adapter = factory(**options)
        except Exception as error:  # noqa: BLE001
            raise AdapterLoadError(
                Messages.adapter_factory(module_name, export, describe_plugin_error(error))
            ) from error
    else:
        # A module-level adapter instance.
        adapter = factory
    missing = [name for name in ADAPTER_METHODS if not callable(getattr(adapter, name, None))]
    if missing:
        raise AdapterLoadError(Messages.adapter_shape(module_name, export, missing))
    return adapter


def _import(module_name: str) -> Any:
    if module_name.startswith("file://"):
        from urllib.parse import unquote, urlparse

        module_name = unquote(urlparse(module_name).path)
    if module_name.endswith(".py") or os.sep in module_name:
        return _import_file(os.path.abspath(module_name))
    return importlib.import_module(module_name)


def _import_file(path: str) -> Any:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such file: {path}")
    folder = os.path.dirname(path)
    # Its sibling modules import as they would if the file were run from its folder.
    if folder not in sys.path:
        sys.path.insert(0, folder)
    stem = os.path.splitext(os.path.basename(path))[0]
    name = stem if stem.isidentifier() and stem not in sys.modules else f"_plugwork_adapter_{id(path)}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


_TEXT_FIELDS = ("version", "description", "category", "location")


def describe_plugin(data: Any, adapter: Any) -> Tuple[str, Dict[str, Any]]:
    """The wire descriptor of one item of `discover_plugins()`, whatever its shape.

    Seed adapters return their own metadata objects: dicts, dataclasses, objects with a `name`
    attribute, or plain names. The worker keeps the original to hand back to `load_plugin` and
    reports `{name, streaming, source, ...}` to the host. Raises ValueError when no name is found.
    """
    name = _field(data, "name") if not isinstance(data, str) else data
    if not isinstance(name, str) or not name:
        raise ValueError(
            f"discover_plugins() returned an item without a name ({_short(data)}); each item "
            "needs a non-empty `name` (key or attribute), or is the name itself"
        )
    streaming = _field(data, "streaming")
    if not isinstance(streaming, bool):
        streaming = _field(data, "supports_streaming")
    if not isinstance(streaming, bool):
        try:
            streaming = bool(adapter.check_streaming_support(name))
        except Exception:  # noqa: BLE001 - some adapters can only tell once loaded
            streaming = False
    source = _field(data, "source")
    descriptor: Dict[str, Any] = {
        "name": name,
        "streaming": streaming,
        "source": source if isinstance(source, str) and source else "python",
    }
    for key in _TEXT_FIELDS:
        value = _field(data, key)
        if key == "location" and value is None:
            value = _field(data, "path")
        if value is not None and not isinstance(value, str):
            value = str(value) if isinstance(value, os.PathLike) else None
        if value:
            descriptor[key] = value
    concurrency = _field(data, "concurrency")
    if isinstance(concurrency, int) and not isinstance(concurrency, bool) and concurrency >= 1:
        descriptor["concurrency"] = concurrency
    for key in ("config_schema", "params_schema"):
        schema = _field(data, key)
        if isinstance(schema, dict):
            try:
                check_json_safe(schema, key)
                descriptor[key] = schema
            except NotJsonSafeError:
                pass
    return name, descriptor


def describe_diagnostics(items: Any) -> List[Dict[str, Any]]:
    """An adapter's `get_diagnostics()` as wire diagnostics; malformed entries are reported."""
    diagnostics: List[Dict[str, Any]] = []
    for item in items or ():
        location = _field(item, "location")
        code = _field(item, "code")
        message = _field(item, "message")
        if not isinstance(message, str):
            message = describe(item)
        diagnostic: Dict[str, Any] = {
            "location": location if isinstance(location, str) else "",
            "code": code if isinstance(code, str) and code else "DIAGNOSTIC",
            "message": message,
        }
        plugin_name = _field(item, "plugin_name")
        if isinstance(plugin_name, str):
            diagnostic["plugin_name"] = plugin_name
        diagnostics.append(diagnostic)
    return diagnostics


def _field(data: Any, key: str) -> Optional[Any]:
    if isinstance(data, dict):
        return data.get(key)
    return getattr(data, key, None)


def _short(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 80 else text[:77] + "..."


def call_adapter(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls an adapter method; an `async def` one is run to completion on this thread."""
    value = function(*args, **kwargs)
    if hasattr(value, "__await__"):
        from .async_support import run_awaitable

        value = run_awaitable(value)
    return value
