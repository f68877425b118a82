"""Importing a plugin folder's entry afresh on every load, under a package of its own.

Each load imports the entry as a module of a new `_plugwork_plugin_<n>` package whose path is
the plugin's folder: `from . import helper` works, two plugins' modules of the same name never
meet, and a reload evaluates the files again (from source, never from stale bytecode).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import itertools
import os
import sys
import types
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any

    from .manifest import Candidate

_package_ids = itertools.count(1)

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


def import_entry(candidate: Candidate):
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
        forget_package(package)
        raise ImportError(f"{candidate.entry_path} is not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        forget_package(package)
        raise
    return package, module


def forget_package(package: str) -> None:
    """Drops a plugin's modules from sys.modules, so an unloaded plugin's code can be freed."""
    prefix = package + "."
    for name in [name for name in sys.modules if name == package or name.startswith(prefix)]:
        sys.modules.pop(name, None)
