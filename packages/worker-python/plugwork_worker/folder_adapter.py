"""The folder adapter: Python plugins are folders in one or more directories.

The Python twin of @plugwork/adapter-fs, reading the same plugin format. Each immediate
subfolder of a directory (not starting with ".") is a candidate; every bad one becomes a
diagnostic while the good ones load; on a name clash the first directory wins. JavaScript
plugins in the same directories are reported as OTHER_RUNTIME and left to Node or Deno workers.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import itertools
import os
import sys
import threading
import types
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from .engine import PLUGWORK_VERSION, parse_version
from .errors import AdapterError, AdapterErrorCode as Code, describe_plugin_error
from .job import JobContext, current_job
from .manifest import Candidate, read_plugin_folder
from .plugin_files import plugin_files_fingerprint
from .sdk import Plugin, PluginContext, is_plugin

SOURCE = "fs"

_package_ids = itertools.count(1)


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
        candidates: Dict[str, Candidate] = {}
        problems: List[Dict[str, Any]] = []
        for directory in self.directories:
            try:
                entries = sorted(os.listdir(directory))
            except (FileNotFoundError, NotADirectoryError):
                problems.append(
                    {
                        "location": directory,
                        "code": Code.DIRECTORY_NOT_FOUND,
                        "message": f"The plugins directory {directory} does not exist or is not a directory. "
                        'Create it, or fix the path in the adapter\'s "directories" option.',
                    }
                )
                continue
            except OSError as error:
                problems.append(
                    {
                        "location": directory,
                        "code": Code.DIRECTORY_UNREADABLE,
                        "message": f"The plugins directory {directory} cannot be listed: "
                        f"{error.strerror or error}. Give the worker process permission to read it.",
                    }
                )
                continue
            for entry in entries:
                folder = os.path.join(directory, entry)
                # As adapter-fs: a plugins directory may be an npm project with its node_modules.
                if entry.startswith(".") or entry == "node_modules" or not os.path.isdir(folder):
                    continue
                try:
                    candidate = read_plugin_folder(folder, self._plugwork_version)
                except AdapterError as error:
                    problems.append(error.to_diagnostic(folder))
                    continue
                winner = candidates.get(candidate.name)
                if winner is not None:
                    problems.append(
                        AdapterError(
                            Code.DUPLICATE_NAME,
                            f'Plugin "{candidate.name}" in {folder} is ignored: {winner.folder} already provides '
                            'a plugin with that name and comes first. Rename one of them ("plugwork.name") or '
                            "remove the copy.",
                            plugin_name=candidate.name,
                            location=folder,
                        ).to_diagnostic()
                    )
                    continue
                candidates[candidate.name] = candidate
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
            package, module = _import_entry(candidate)
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
            _forget_package(package)
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
            _forget_package(package)
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
                _forget_package(package)
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
            _forget_package(loaded.package)

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
        """What a change would alter: each folder's package.json and entry, by mtime and size."""
        marks = []
        for directory in self.directories:
            try:
                entries = sorted(os.listdir(directory))
            except OSError:
                marks.append((directory, None))
                continue
            for entry in entries:
                folder = os.path.join(directory, entry)
                for file in ("package.json", "main.py"):
                    path = os.path.join(folder, file)
                    try:
                        status = os.stat(path)
                        marks.append((path, status.st_mtime_ns, status.st_size))
                    except OSError:
                        marks.append((path, None))
        candidates = self._candidates
        for candidate in candidates.values():
            try:
                status = os.stat(candidate.entry_path)
                marks.append((candidate.entry_path, status.st_mtime_ns, status.st_size))
            except OSError:
                marks.append((candidate.entry_path, None))
        return tuple(marks)


def _job() -> JobContext:
    job = current_job()
    # Outside the worker (a test calling the adapter directly) there is no job: a fresh one.
    return job if job is not None else JobContext("local", lambda *_: None)


def _settle(value: Any) -> Any:
    if hasattr(value, "__await__"):
        from .async_support import run_awaitable

        return run_awaitable(value)
    return value


_PACKAGE_PREFIX = "_plugwork_plugin_"


class _FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles a plugin's files from source on every load, never from __pycache__: bytecode is
    validated by the source's mtime (whole seconds) and size, so a file edited within a second
    of its last load, to the same size, would run its stale code after a reload."""

    def get_code(self, fullname: str):
        return self.source_to_code(self.get_data(self.path), self.path)


class _PluginModuleFinder:
    """Finds the modules of loaded plugins (names under a `_plugwork_plugin_<n>` package) with
    the fresh loader, at any depth of the plugin's folder."""

    _loaders = [
        (_FreshSourceLoader, importlib.machinery.SOURCE_SUFFIXES),
        (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
    ]

    @classmethod
    def find_spec(cls, fullname: str, path: Any = None, target: Any = None):
        if path is None or not fullname.startswith(_PACKAGE_PREFIX):
            return None
        for entry in path:
            spec = importlib.machinery.FileFinder(entry, *cls._loaders).find_spec(fullname)
            if spec is not None:
                return spec
        return None


def _install_finder() -> None:
    if _PluginModuleFinder not in sys.meta_path:
        sys.meta_path.insert(0, _PluginModuleFinder)


def _import_entry(candidate: Candidate):
    """Imports the entry as a module of a fresh package whose path is the plugin's folder, so
    `from . import helper` works and every load evaluates the plugin's files anew."""
    _install_finder()
    package = f"{_PACKAGE_PREFIX}{next(_package_ids)}"
    holder = types.ModuleType(package)
    holder.__path__ = [candidate.real_folder]  # type: ignore[attr-defined]
    holder.__package__ = package
    sys.modules[package] = holder
    stem = os.path.splitext(os.path.relpath(candidate.entry_path, candidate.real_folder))[0]
    name = package + "." + stem.replace(os.sep, ".")
    spec = importlib.util.spec_from_file_location(
        name, candidate.entry_path, loader=_FreshSourceLoader(name, candidate.entry_path)
    )
    if spec is None or spec.loader is None:
        _forget_package(package)
        raise ImportError(f"{candidate.entry_path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        _forget_package(package)
        raise
    return package, module


def _forget_package(package: str) -> None:
    """Drops a plugin's modules from sys.modules, so an unloaded plugin's code can be freed."""
    prefix = package + "."
    for name in [name for name in sys.modules if name == package or name.startswith(prefix)]:
        sys.modules.pop(name, None)
