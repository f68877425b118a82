"""The folder adapter: Python plugins are folders in one or more directories.

The Python twin of @plugwork/adapter-fs, reading the same plugin format. Each immediate
subfolder of a directory (not starting with ".") is a candidate; every bad one becomes a
diagnostic while the good ones load; on a name clash the first directory wins. JavaScript
plugins in the same directories are reported as OTHER_RUNTIME and left to Node or Deno workers.

Reading the directories and manifests is folder_scan.py and manifest.py; importing an entry
afresh, plugin_import.py. This file is the adapter: loading, jobs, watch mode.
"""

from __future__ import annotations

import os
import threading
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from .engine import PLUGWORK_VERSION, parse_version
from .errors import AdapterError, AdapterErrorCode as Code, describe_plugin_error
from .folder_scan import folders_fingerprint, scan_directories
from .job import JobContext, current_job
from .manifest import Candidate, read_plugin_folder
from .plugin_files import plugin_files_fingerprint
from .plugin_import import forget_package, import_entry
from .sdk import Plugin, PluginContext, is_plugin

SOURCE = "fs"

class _Loaded:
    """A loaded plugin: its candidate, its instance, config and state, and the package its
    modules were imported under."""

    __slots__ = ("candidate", "plugin", "config", "state", "package")

    def __init__(self, candidate, plugin, config, state, package) -> None:
        self.candidate = candidate
        self.plugin = plugin
        self.config = config
        self.state = state
        self.package = package


class FolderAdapter:
    """A PluginManagerAdapter over plugin folders.

    `directories`: one path or several. `watch`: poll the directories every `poll_seconds` and
    tell the worker when plugins come, go or change (the worker then sends `plugins_changed`).
    `plugwork_version`: the host's plugwork version, which a manifest's `engine` range must
    include (the host passes its own; by default this package's).
    """

    def __init__(
        self,
        directories: Union[str, Sequence[str]],
        watch: bool = False,
        poll_seconds: float = 1.0,
        plugwork_version: str = PLUGWORK_VERSION,
    ) -> None:
        if isinstance(directories, (str, os.PathLike)):
            directories = [directories]
        if not isinstance(directories, (list, tuple)) or not directories:
            raise AdapterError(
                Code.INVALID_OPTIONS,
                "FolderAdapter: `directories` must be a path or a non-empty list of paths",
            )
        resolved: List[str] = []
        for directory in directories:
            if not isinstance(directory, (str, os.PathLike)) or not str(directory):
                raise AdapterError(
                    Code.INVALID_OPTIONS,
                    f"FolderAdapter: every directory must be a non-empty path, got {directory!r}",
                )
            path = os.path.abspath(os.fspath(directory))
            if path not in resolved:
                resolved.append(path)
        if not isinstance(plugwork_version, str) or parse_version(plugwork_version) is None:
            raise AdapterError(
                Code.INVALID_OPTIONS,
                f"FolderAdapter: `plugwork_version` must be a semver version such as \"0.1.0\", got {plugwork_version!r}",
            )
        self.directories = resolved
        self._plugwork_version = plugwork_version
        self._watch = bool(watch)
        self._poll_seconds = float(poll_seconds)
        self._lock = threading.RLock()
        self._candidates: Dict[str, Candidate] = {}
        self._discovery_problems: List[Dict[str, Any]] = []
        self._load_problems: Dict[str, Dict[str, Any]] = {}
        self._loaded: Dict[str, _Loaded] = {}
        #: Loaded plugins' folders and their fingerprints when they loaded (watch mode).
        self._loaded_files: Dict[str, tuple] = {}

    # ------------------------------------------------------------ discovery

    def discover_plugins(self) -> List[Dict[str, Any]]:
        """Descriptors of every usable plugin; reads manifests only."""
        candidates, problems = scan_directories(self.directories, self._plugwork_version)
        with self._lock:
            self._candidates = candidates
            self._discovery_problems = problems
            # A loaded plugin whose folder is gone, or now holds another plugin, is unloaded.
            for name in list(self._loaded):
                found = candidates.get(name)
                if found is None or found.real_folder != self._loaded[name].candidate.real_folder:
                    self._dispose(self._loaded.pop(name))
            return [self._descriptor(candidate) for candidate in candidates.values()]

    def _descriptor(self, candidate: Candidate) -> Dict[str, Any]:
        loaded = self._loaded.get(candidate.name)
        streaming = None if loaded is None else loaded.plugin.stream is not None
        return candidate.descriptor(SOURCE, streaming)

    def get_diagnostics(self) -> List[Dict[str, Any]]:
        with self._lock:
            return list(self._discovery_problems) + list(self._load_problems.values())

    def get_loaded_plugins(self) -> List[str]:
        return list(self._loaded)

    # ------------------------------------------------------------ lifecycle

    def load_plugin(self, plugin_data: Any, config: Dict[str, Any]) -> None:
        """Imports the entry afresh, checks it defines `plugin`, runs setup(config)."""
        name = plugin_data["name"] if isinstance(plugin_data, dict) else str(plugin_data)
        if name in self._loaded:
            self.reload_plugin(name, config)
            return
        fingerprint = self._fingerprint_before_import(name)
        loaded = self._prepare(name, config or {})
        self._loaded[name] = loaded
        self._note_files(name, loaded.candidate.real_folder, fingerprint)

    def reload_plugin(self, plugin_name: str, config: Optional[Dict[str, Any]] = None) -> None:
        """Fresh code and config; None unloads (the seed's contract). A failure before the old
        instance is disposed leaves it running."""
        if config is None:
            self.unload_plugin(plugin_name)
            return
        fingerprint = self._fingerprint_before_import(plugin_name)
        old = self._loaded.get(plugin_name)
        if old is None:
            self._loaded[plugin_name] = loaded = self._prepare(plugin_name, config)
            self._note_files(plugin_name, loaded.candidate.real_folder, fingerprint)
            return
        candidate, plugin, package = self._import(plugin_name)
        self._loaded.pop(plugin_name)
        self._dispose(old, raise_errors=False)
        self._loaded[plugin_name] = self._setup(candidate, plugin, package, config)
        self._note_files(plugin_name, candidate.real_folder, fingerprint)

    def unload_plugin(self, plugin_name: str) -> None:
        loaded = self._loaded.pop(plugin_name, None)
        if loaded is not None:
            self._dispose(loaded)

    def dispose(self) -> None:
        for name in list(self._loaded):
            self._dispose(self._loaded.pop(name), raise_errors=False)

    def _prepare(self, name: str, config: Dict[str, Any]) -> _Loaded:
        candidate, plugin, package = self._import(name)
        return self._setup(candidate, plugin, package, config)

    def _note_files(self, name: str, folder: str, fingerprint: Optional[str]) -> None:
        """Watch mode: the files a plugin was loaded from, to tell when they change."""
        if fingerprint is None:
            return
        with self._lock:
            self._loaded_files[name] = (folder, fingerprint)

    def _fingerprint_before_import(self, name: str) -> Optional[str]:
        # Taken before the import: an edit made while it runs still counts as a change.
        candidate = self._candidates.get(name)
        if not self._watch or candidate is None:
            return None
        return plugin_files_fingerprint(candidate.real_folder)

    def _import(self, name: str):
        candidate = self._fresh_candidate(name)
        try:
            package, module = import_entry(candidate)
        except Exception as error:  # noqa: BLE001 - a plugin's import may raise anything
            raise self._load_failed(
                name,
                AdapterError(
                    Code.IMPORT_FAILED,
                    f'Could not import plugin "{name}" from {candidate.entry_path}: {describe_plugin_error(error)}. '
                    + (
                        "A module it imports is missing: install the plugin's dependencies into the worker's Python "
                        "environment (worker.pythonPath), or import the plugin's own modules relatively (from . import x)."
                        if isinstance(error, ImportError)
                        else "Fix the error in the plugin's code; plugwork catches it so other plugins keep working."
                    ),
                    plugin_name=name,
                    location=candidate.folder,
                ),
            ) from error
        plugin = getattr(module, "plugin", None)
        if not is_plugin(plugin):
            forget_package(package)
            found = "missing" if plugin is None else f"a {type(plugin).__name__}"
            raise self._load_failed(
                name,
                AdapterError(
                    Code.NOT_A_PLUGIN,
                    f'{candidate.entry_path} (plugin "{name}") has no module-level `plugin` made by define_plugin '
                    f"(it is {found}). Write `plugin = define_plugin(name=..., execute=...)` with define_plugin "
                    "from plugwork_worker.",
                    plugin_name=name,
                    location=candidate.folder,
                ),
            )
        if "name" in candidate.manifest and plugin.name != candidate.name:
            forget_package(package)
            raise self._load_failed(
                name,
                AdapterError(
                    Code.NAME_MISMATCH,
                    f'Plugin "{name}" ({candidate.folder}) calls itself "{plugin.name}" in define_plugin. Make '
                    '"plugwork.name" in package.json and the name passed to define_plugin the same.',
                    plugin_name=name,
                    location=candidate.folder,
                ),
            )
        return candidate, plugin, package

    def _setup(self, candidate: Candidate, plugin: Plugin, package: str, config: Dict[str, Any]) -> _Loaded:
        name = candidate.name
        state = None
        if plugin.setup is not None:
            try:
                state = _settle(plugin.setup(config))
            except Exception as error:  # noqa: BLE001
                forget_package(package)
                raise self._load_failed(
                    name,
                    AdapterError(
                        Code.SETUP_FAILED,
                        f'The setup of plugin "{name}" ({candidate.folder}) failed: {describe_plugin_error(error)}. '
                        "The plugin is not loaded; fix the cause and load it again.",
                        plugin_name=name,
                        location=candidate.folder,
                    ),
                ) from error
        with self._lock:
            self._load_problems.pop(name, None)
        return _Loaded(candidate=candidate, plugin=plugin, config=config, state=state, package=package)

    def _load_failed(self, name: str, error: AdapterError) -> AdapterError:
        with self._lock:
            self._load_problems[name] = error.to_diagnostic()
        return error

    def _fresh_candidate(self, name: str) -> Candidate:
        """The candidate re-read from disk, so files changed since discovery count."""
        with self._lock:
            candidate = self._candidates.get(name)
        if candidate is None:
            self.discover_plugins()
            with self._lock:
                candidate = self._candidates.get(name)
        if candidate is None:
            known = ", ".join(self._candidates) or "(none)"
            raise AdapterError(
                "UNKNOWN_PLUGIN", f'No plugin named "{name}". Known plugins: {known}.', plugin_name=name
            )
        fresh = read_plugin_folder(candidate.folder, self._plugwork_version)
        with self._lock:
            self._candidates[name] = fresh
        return fresh

    def _dispose(self, loaded: _Loaded, raise_errors: bool = True) -> None:
        try:
            if loaded.plugin.dispose is not None:
                _settle(loaded.plugin.dispose(loaded.state, loaded.config))
        except Exception as error:  # noqa: BLE001
            if raise_errors:
                raise AdapterError(
                    Code.DISPOSE_FAILED,
                    f'The dispose of plugin "{loaded.candidate.name}" failed: {describe_plugin_error(error)}. '
                    "The plugin is unloaded regardless.",
                    plugin_name=loaded.candidate.name,
                    location=loaded.candidate.folder,
                ) from error
        finally:
            forget_package(loaded.package)

    # ------------------------------------------------------------ jobs

    def execute_plugin(self, plugin_name: str, **params: Any) -> Any:
        loaded = self._require(plugin_name)
        return loaded.plugin.execute(params, PluginContext(_job(), loaded.config, loaded.state))

    def execute_plugin_stream(self, plugin_name: str, **params: Any) -> Any:
        loaded = self._require(plugin_name)
        if loaded.plugin.stream is None:
            raise AdapterError(
                Code.STREAMING_NOT_SUPPORTED,
                f'Plugin "{plugin_name}" does not stream (its define_plugin has no `stream`).',
                plugin_name=plugin_name,
            )
        return loaded.plugin.stream(params, PluginContext(_job(), loaded.config, loaded.state))

    def get_concurrency(self, plugin_name: str) -> Optional[int]:
        """What a loaded plugin's define_plugin says (the worker asks after each load)."""
        loaded = self._loaded.get(plugin_name)
        return None if loaded is None else loaded.plugin.concurrency

    def check_streaming_support(self, plugin_name: str) -> bool:
        loaded = self._loaded.get(plugin_name)
        if loaded is not None:
            return loaded.plugin.stream is not None
        candidate = self._candidates.get(plugin_name)
        return bool(candidate is not None and candidate.manifest.get("streaming", False))

    def _require(self, name: str) -> _Loaded:
        loaded = self._loaded.get(name)
        if loaded is None:
            raise AdapterError(
                Code.PLUGIN_NOT_LOADED,
                f'Plugin "{name}" is not loaded. Load it (load_plugin / the worker\'s plugin configs) before '
                "running jobs on it.",
                plugin_name=name,
            )
        return loaded

    # ------------------------------------------------------------ watch mode

    def watch(self, on_change: Callable[..., None]) -> Optional[Callable[[], None]]:
        """Polls the directories when the adapter was made with watch=True; None otherwise.

        `on_change(change)` hears of folders that came, went or changed; `change` is None, or
        `{"changed_plugins": [...]}` when files of loaded plugins changed (any file of their
        folders): their code in this process is stale, and the host replaces the worker.
        """
        if not self._watch:
            return None
        stop = threading.Event()
        # Taken now, not when the thread gets going: a change in between still counts.
        first = self._fingerprint()

        def poll() -> None:
            last = first
            while not stop.wait(self._poll_seconds):
                now = self._fingerprint()
                changed = self._changed_plugins()
                if now != last or changed:
                    last = now
                    on_change({"changed_plugins": changed} if changed else None)

        threading.Thread(target=poll, name="plugwork-folder-watch", daemon=True).start()
        return stop.set

    def _changed_plugins(self) -> List[str]:
        """Loaded plugins whose files changed since they loaded; each reported once per change."""
        with self._lock:
            watched = list(self._loaded_files.items())
        changed = []
        for name, (folder, before) in watched:
            now = plugin_files_fingerprint(folder)
            if now != before:
                changed.append(name)
                with self._lock:
                    if name in self._loaded_files:
                        self._loaded_files[name] = (folder, now)
        return sorted(changed)

    def _fingerprint(self) -> tuple:
        return folders_fingerprint(self.directories, self._candidates)


def _job() -> JobContext:
    job = current_job()
    # Outside the worker (a test calling the adapter directly) there is no job: a fresh one.
    return job if job is not None else JobContext("local", lambda *_: None)


def _settle(value: Any) -> Any:
    if hasattr(value, "__await__"):
        from .async_support import run_awaitable

        return run_awaitable(value)
    return value
