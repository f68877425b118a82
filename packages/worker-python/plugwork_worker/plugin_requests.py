"""The requests that touch plugins: `init` (adapter, catalog, configured plugins), `reload`,
`unload`, loading on first use, and the catalog's changes in watch mode.

Part of the worker loop (loop.py), as a mixin of WorkerLoop; the scheduler runs these on the
loop thread, one at a time, with no job running.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Dict, List, Optional

from .adapter import AdapterLoadError, call_adapter as _call, describe_diagnostics, describe_plugin, load_adapter
from .errors import CodedError, Messages, ResultErrorCode, WorkerMessageErrorCode, describe, describe_plugin_error

#: What `ready` reports as the runtime.
RUNTIME = "python"


class PluginRequests:
    def _init(self, message: Dict[str, Any]) -> None:
        request_id = message.get("request_id")
        correlation = {} if request_id is None else {"request_id": request_id}
        if self._state != "new":
            reason = Messages.stopping if self._state == "stopping" else Messages.already_initialised
            self._answer({"type": "error", "error": reason, "code": WorkerMessageErrorCode.NOT_READY, **correlation})
            return
        self._state = "initialising"

        def fail(reason: str) -> None:
            if self._state == "initialising":
                self._state = "new"
            self._adapter = None
            self._answer({"type": "error", "error": reason, "code": WorkerMessageErrorCode.INIT_FAILED, **correlation})

        spec = message.get("adapter")
        if spec is None:
            fail(Messages.no_adapter)
            return
        self._max_loaded = message.get("max_loaded_plugins", 1)
        self._max_concurrency = message.get("max_concurrency")
        self._stream_window = message.get("stream_window")
        limits = message.get("limits") or {}
        self._result_bytes = limits.get("result_bytes")
        self._chunk_bytes = limits.get("chunk_bytes")
        try:
            adapter = load_adapter(spec)
        except AdapterLoadError as error:
            fail(str(error))
            return
        except Exception as error:  # noqa: BLE001
            fail(describe_plugin_error(error))
            return
        self._adapter = adapter
        try:
            self._set_catalog(_call(adapter.discover_plugins))
        except Exception as error:  # noqa: BLE001
            fail(Messages.discovery_failed(describe_plugin_error(error)))
            return
        for name, config in (message.get("plugin_configs") or {}).items():
            self._configs[name] = config
        load_failures: List[Dict[str, Any]] = []
        for name in list(self._configs):
            if len(self._loaded) >= self._max_loaded:
                break
            descriptor = self._descriptors.get(name)
            if descriptor is None:
                load_failures.append(
                    {
                        "location": name,
                        "plugin_name": name,
                        "code": ResultErrorCode.UNKNOWN_PLUGIN,
                        "message": Messages.unknown_plugin_in_configs(name),
                    }
                )
                continue
            try:
                self._ensure_loaded(name)
            except CodedError as error:
                load_failures.append(
                    {
                        "location": descriptor.get("location", name),
                        "plugin_name": name,
                        "code": "LOAD_FAILED",
                        "message": str(error),
                    }
                )
        # An adapter that reports its own load failures already named these plugins.
        reported = self._adapter_diagnostics()
        named = {diagnostic.get("plugin_name") for diagnostic in reported}
        self._diagnostics = (
            self._catalog_problems
            + reported
            + [failure for failure in load_failures if failure["plugin_name"] not in named]
        )
        if self._state != "initialising":
            return
        self._state = "ready"
        watch = getattr(adapter, "watch", None)
        if callable(watch):
            try:
                self._unwatch = watch(self._catalog_changed)
            except Exception as error:  # noqa: BLE001
                self._log(f"watching for plugin changes failed: {describe(error)}")
        ready: Dict[str, Any] = {"type": "ready", **correlation}
        ready.update(
            pid=self._pid,
            runtime=RUNTIME,
            plugins=self._plugin_list(),
            loaded_plugins=list(self._loaded),
            diagnostics=self._diagnostics,
        )
        self._answer(ready)

    def _set_catalog(self, items: Any) -> None:
        descriptors: Dict[str, Dict[str, Any]] = {}
        plugin_data: Dict[str, Any] = {}
        problems: List[Dict[str, Any]] = []
        for item in items or ():
            try:
                name, descriptor = describe_plugin(item, self._adapter)
            except ValueError as error:
                problems.append({"location": "", "code": "INVALID_DESCRIPTOR", "message": str(error)})
                continue
            if name in descriptors:
                continue
            descriptors[name] = descriptor
            plugin_data[name] = item
        self._descriptors = descriptors
        self._plugin_data = plugin_data
        self._catalog_problems = problems

    def _plugin_list(self) -> List[Dict[str, Any]]:
        """The descriptors, with the concurrency loaded plugins declare in code."""
        plugins = []
        for name, descriptor in self._descriptors.items():
            code = self._code_concurrency.get(name)
            if code is not None and "concurrency" not in descriptor:
                descriptor = {**descriptor, "concurrency": code}
            plugins.append(descriptor)
        return plugins

    def _learn_concurrency(self, name: str) -> None:
        """After a load: the concurrency the plugin's code declares (`get_concurrency`)."""
        get = getattr(self._adapter, "get_concurrency", None)
        if not callable(get):
            return
        try:
            value = get(name)
        except Exception:  # noqa: BLE001 - the manifest's (or 1) stays in force
            value = None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            self._code_concurrency[name] = value
        else:
            self._code_concurrency.pop(name, None)

    def _adapter_diagnostics(self) -> List[Dict[str, Any]]:
        get = getattr(self._adapter, "get_diagnostics", None)
        if not callable(get):
            return []
        try:
            return describe_diagnostics(_call(get))
        except Exception as error:  # noqa: BLE001
            self._log(f"get_diagnostics() raised: {describe_plugin_error(error)}")
            return []

    def _catalog_changed(self, change: Any = None) -> None:
        """Watch mode: rediscover and tell the host; changes during a rediscovery run it again.

        `change` may name plugins whose code changed (`{"changed_plugins": [...]}`, as the
        folder adapter says it, or a list of names): the host then replaces the workers that
        imported them, so the next job runs the new code."""
        names = change.get("changed_plugins") if isinstance(change, dict) else change
        if isinstance(names, (list, tuple, set, frozenset)):
            with self._rediscover_lock:
                self._changed_plugins.update(name for name in names if isinstance(name, str) and name)
        with self._rediscover_lock:
            if self._rediscovering:
                self._rediscover_again = True
                return
            self._rediscovering = True
        while True:
            self._rediscover_again = False
            try:
                self._set_catalog(_call(self._adapter.discover_plugins))
                diagnostics = self._catalog_problems + self._adapter_diagnostics()
                message: Dict[str, Any] = {
                    "type": "plugins_changed",
                    "plugins": self._plugin_list(),
                    "diagnostics": diagnostics,
                }
                with self._rediscover_lock:
                    if self._changed_plugins:
                        message["changed_plugins"] = sorted(self._changed_plugins)
                        self._changed_plugins.clear()
                self._send(message)
            except Exception as error:  # noqa: BLE001
                self._log(Messages.discovery_failed(describe_plugin_error(error)))
            with self._rediscover_lock:
                if not self._rediscover_again or self._state != "ready":
                    self._rediscovering = False
                    return

    def _ensure_loaded(self, name: str) -> None:
        """Loads `name` if needed, first unloading the least recently used plugins."""
        loaded = self._loaded
        if loaded and loaded[-1] == name:
            return
        with self._loaded_lock:  # jobs of a concurrent plugin get here from several threads
            if name in loaded:
                loaded.remove(name)
                loaded.append(name)
                return
        if name not in self._descriptors:
            raise CodedError(
                ResultErrorCode.UNKNOWN_PLUGIN,
                Messages.unknown_plugin(name, list(self._descriptors)),
            )
        self._make_room(self._max_loaded - 1)
        try:
            _call(self._adapter.load_plugin, self._plugin_data[name], self._configs.get(name, {}))
        except SystemExit:
            raise
        except BaseException as error:  # noqa: BLE001
            raise CodedError(
                ResultErrorCode.PLUGIN_LOAD_FAILED, describe_plugin_error(error)
            ) from error
        self._learn_concurrency(name)
        loaded.append(name)

    def _make_room(self, keep: int) -> None:
        while len(self._loaded) > keep:
            victim = self._loaded.pop(0)
            try:
                _call(self._adapter.unload_plugin, victim)
            except Exception as error:  # noqa: BLE001
                self._log(f'unloading plugin "{victim}" to make room failed: {describe(error)}')

    def _respond(
        self,
        request_type: str,
        request_id: Optional[str],
        plugin_name: Optional[str],
        error: Any,
    ) -> None:
        message: Dict[str, Any] = {
            "type": "response",
            "request_type": request_type,
            "status": "success" if error is None else "error",
            "data": {
                "loaded_plugins": list(self._loaded),
                "concurrency": {name: self.concurrency_of(name) for name in self._loaded},
            },
        }
        if request_id is not None:
            message["request_id"] = request_id
        if plugin_name is not None:
            message["plugin_name"] = plugin_name
        if error is not None:
            message["error"] = error if isinstance(error, str) else describe_plugin_error(error)
        self._answer(message)

    def _reload(self, message: Dict[str, Any]) -> None:
        name = message["plugin_name"]
        request_id = message.get("request_id")
        if self._adapter is None or self._state != "ready":
            self._respond("reload", request_id, name, Messages.not_initialised("reload"))
            return
        if "config" in message and message["config"] is None:
            self._unload_plugin(name, "reload", request_id)
            return
        if message.get("config") is not None:
            self._configs[name] = message["config"]
        try:
            if name in self._loaded:
                try:
                    # The seed's reload_plugin reads None as "unload": always pass the config.
                    _call(self._adapter.reload_plugin, name, self._configs.get(name, {}))
                except BaseException:
                    self._resync_loaded(name)
                    raise
                self._learn_concurrency(name)
                self._loaded.remove(name)
                self._loaded.append(name)
            else:
                # Switching plugins: the least recently used ones go first.
                self._ensure_loaded(name)
            self._respond("reload", request_id, name, None)
        except SystemExit:
            raise
        except BaseException as error:  # noqa: BLE001
            self._respond("reload", request_id, name, error)

    def _unload(self, message: Dict[str, Any]) -> None:
        if self._adapter is None or self._state != "ready":
            self._respond(
                "unload",
                message.get("request_id"),
                message["plugin_name"],
                Messages.not_initialised("unload"),
            )
            return
        self._unload_plugin(message["plugin_name"], "unload", message.get("request_id"))

    def _unload_plugin(self, name: str, request_type: str, request_id: Optional[str]) -> None:
        if name not in self._loaded:
            self._respond(request_type, request_id, name, None)
            return
        self._loaded.remove(name)
        try:
            _call(self._adapter.unload_plugin, name)
            self._respond(request_type, request_id, name, None)
        except Exception as error:  # noqa: BLE001
            self._respond(request_type, request_id, name, error)

    def _resync_loaded(self, name: str) -> None:
        """After a failed reload the adapter knows best what is still loaded; without it, not."""
        still_loaded = False
        get = getattr(self._adapter, "get_loaded_plugins", None)
        if callable(get):
            try:
                still_loaded = name in (_call(get) or ())
            except Exception:  # noqa: BLE001
                still_loaded = False
        if not still_loaded and name in self._loaded:
            self._loaded.remove(name)
