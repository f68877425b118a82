"""Reading one plugin folder: its package.json, the `plugwork` manifest, the entry.

The same format as every plugwork plugin (see @plugwork/protocol's README): a folder that is
also an npm package, whose package.json has a `plugwork` field. A Python plugin says
`"runtime": "python"` and names a `.py` entry (default `main.py`). Reads files only: no plugin
code runs here.
"""

from __future__ import annotations

import json
import os
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Dict, List, Optional

from .engine import INVALID_RANGE, PLUGWORK_VERSION, UNSATISFIED, check_engine
from .errors import AdapterError, AdapterErrorCode as Code, Messages

#: Runtimes a manifest may name; absent means JavaScript (served by Node or Deno workers).
RUNTIMES = ("javascript", "python")
DEFAULT_ENTRY = "main.py"

_TEXT = (str,)


class Candidate:
    """A plugin folder that looks loadable. Nothing of its code has run yet.

    `folder` is the folder as discovery found it (absolute; may be a symlink), shown to people;
    `real_folder` has symlinks resolved, and `entry_path` lies inside it.
    """

    __slots__ = ("name", "folder", "real_folder", "entry_path", "package", "manifest")

    def __init__(self, name, folder, real_folder, entry_path, package, manifest) -> None:
        self.name = name
        self.folder = folder
        self.real_folder = real_folder
        self.entry_path = entry_path
        self.package = package
        self.manifest = manifest

    def descriptor(self, source: str, streaming: Optional[bool] = None) -> Dict[str, Any]:
        manifest = self.manifest
        descriptor: Dict[str, Any] = {
            "name": self.name,
            "streaming": streaming if streaming is not None else bool(manifest.get("streaming", False)),
            "source": source,
            "location": self.folder,
        }
        version = self.package.get("version")
        description = manifest.get("description", self.package.get("description"))
        if isinstance(version, str):
            descriptor["version"] = version
        if isinstance(description, str):
            descriptor["description"] = description
        if isinstance(manifest.get("category"), str):
            descriptor["category"] = manifest["category"]
        if isinstance(manifest.get("config"), dict):
            descriptor["config_schema"] = manifest["config"]
        if isinstance(manifest.get("params"), dict):
            descriptor["params_schema"] = manifest["params"]
        if _is_concurrency(manifest.get("concurrency")):
            descriptor["concurrency"] = manifest["concurrency"]
        return descriptor


def read_plugin_folder(folder: str, plugwork_version: str = PLUGWORK_VERSION) -> Candidate:
    """Reads `folder`; raises AdapterError with a code saying what is wrong, for a person.

    `plugwork_version` is the host's, which the manifest's `engine` range must include."""
    file = os.path.join(folder, "package.json")
    try:
        with open(file, "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        raise AdapterError(
            Code.MISSING_PACKAGE_JSON,
            f'{folder} has no package.json, so it is not a plugin. Add a package.json with a "plugwork" '
            'field, or move the folder out of the plugins directory (folders whose names start with "." are ignored).',
            location=folder,
        ) from None
    except OSError as error:
        raise AdapterError(
            Code.UNREADABLE_PACKAGE_JSON,
            f"Could not read {folder}/package.json: {error.strerror or error}. Check that it is a file the "
            "worker process is allowed to read.",
            location=folder,
        ) from None
    try:
        package = json.loads(raw.decode("utf-8-sig"))
    except ValueError as error:
        raise AdapterError(
            Code.INVALID_JSON,
            f"{folder}/package.json is not valid JSON ({error}). Fix the syntax; a folder still being copied "
            "is offered once the copy completes.",
            location=folder,
        ) from None
    if not isinstance(package, dict) or not isinstance(package.get("name"), str) or not package["name"]:
        raise AdapterError(
            Code.INVALID_PACKAGE_JSON,
            f'{folder}/package.json is not a valid package: name: expected a non-empty string. A plugin\'s '
            'package.json needs at least a "name" and a "plugwork" object.',
            location=folder,
        )
    if "plugwork" not in package:
        raise AdapterError(
            Code.MISSING_MANIFEST,
            f'{folder}/package.json has no "plugwork" field. Package "{package["name"]}" is not declared as a '
            'plugin: add "plugwork": { "name": "…", "runtime": "python", "entry": "main.py" }.',
            location=folder,
        )
    manifest = package["plugwork"]
    problems = _manifest_problems(manifest)
    plugin_name = _plugin_name(manifest, package)
    if problems:
        raise AdapterError(
            Code.INVALID_MANIFEST,
            f'{folder}/package.json has an invalid "plugwork" manifest: {"; ".join(problems)}. Fix these fields.',
            plugin_name=plugin_name,
            location=folder,
        )
    runtime = manifest.get("runtime", "javascript")
    if runtime != "python":
        raise AdapterError(
            Code.OTHER_RUNTIME,
            f'Plugin "{plugin_name}" ({folder}) is a JavaScript plugin ("plugwork.runtime" is '
            f'{"absent" if "runtime" not in manifest else json.dumps(runtime)}), and this worker runs Python. '
            "It is offered by JobManagers with runtime 'node' or 'deno'; a Python plugin says "
            '"runtime": "python".',
            plugin_name=plugin_name,
            location=folder,
        )
    if "engine" in manifest:
        _check_engine(folder, plugin_name, manifest["engine"], plugwork_version)
    real_folder = os.path.realpath(folder)
    entry = manifest.get("entry", DEFAULT_ENTRY)
    source = "plugwork.entry" if "entry" in manifest else "the default entry"
    if os.path.isabs(entry) or "://" in entry:
        raise _outside(folder, plugin_name, entry, source, "is absolute")
    entry_path = os.path.realpath(os.path.join(real_folder, entry))
    if os.path.commonpath([real_folder, entry_path]) != real_folder:
        raise _outside(folder, plugin_name, entry, source, "leads out of the folder")
    if not entry_path.endswith(".py"):
        raise AdapterError(
            Code.INVALID_MANIFEST,
            f'{folder}/package.json has an invalid "plugwork" manifest: entry: "{entry}" is not a .py file. '
            "A Python plugin's entry is its module file, such as \"main.py\".",
            plugin_name=plugin_name,
            location=folder,
        )
    if not os.path.isfile(entry_path):
        raise AdapterError(
            Code.ENTRY_NOT_FOUND,
            f'Plugin "{plugin_name}" ({folder}): its entry "{entry}" (from {source}) does not exist. Fix the '
            "path; a folder that is still being copied is offered as soon as its entry is there.",
            plugin_name=plugin_name,
            location=folder,
        )
    return Candidate(
        name=plugin_name,
        folder=folder,
        real_folder=real_folder,
        entry_path=entry_path,
        package=package,
        manifest=manifest,
    )


def _check_engine(folder: str, name: str, engine: str, version: str) -> None:
    """As adapter-kit: a range that is not semver is an invalid manifest; one that leaves out
    this plugwork is UNSUPPORTED_ENGINE, so the plugin is never imported."""
    outcome = check_engine(engine, version)
    if outcome == INVALID_RANGE:
        raise AdapterError(
            Code.INVALID_MANIFEST,
            f'{folder}/package.json has an invalid "plugwork" manifest: engine: "{engine}" is not a valid semver '
            "range. Fix these fields.",
            plugin_name=name,
            location=folder,
        )
    if outcome == UNSATISFIED:
        raise AdapterError(
            Code.UNSUPPORTED_ENGINE,
            Messages.unsupported_engine(folder, name, engine, version),
            plugin_name=name,
            location=folder,
        )


def _outside(folder: str, name: str, entry: str, source: str, why: str) -> AdapterError:
    return AdapterError(
        Code.ENTRY_OUTSIDE_FOLDER,
        f'Plugin "{name}" ({folder}): its entry "{entry}" (from {source}) {why}. A plugin\'s entry must be '
        'a path inside its own folder, such as "main.py".',
        plugin_name=name,
        location=folder,
    )


def _plugin_name(manifest: Any, package: Dict[str, Any]) -> str:
    if isinstance(manifest, dict) and isinstance(manifest.get("name"), str) and manifest["name"]:
        return manifest["name"]
    return package["name"]


def _is_concurrency(value: Any) -> bool:
    """@plugwork/protocol's manifest rule: a positive integer up to 10 000."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10_000


def _manifest_problems(manifest: Any) -> List[str]:
    if not isinstance(manifest, dict):
        return ["(root): expected an object"]
    problems: List[str] = []
    for key in ("name", "entry", "engine"):
        if key in manifest and (not isinstance(manifest[key], str) or not manifest[key]):
            problems.append(f"{key}: expected a non-empty string")
    for key in ("description", "category"):
        if key in manifest and not isinstance(manifest[key], str):
            problems.append(f"{key}: expected a string")
    if "streaming" in manifest and not isinstance(manifest["streaming"], bool):
        problems.append("streaming: expected a boolean")
    if "concurrency" in manifest and not _is_concurrency(manifest["concurrency"]):
        problems.append("concurrency: expected a whole number from 1 to 10000")
    for key in ("config", "params"):
        if key in manifest and not isinstance(manifest[key], dict):
            problems.append(f"{key}: expected an object")
    if "runtime" in manifest and manifest["runtime"] not in RUNTIMES:
        problems.append(
            f"runtime: expected one of {' | '.join(json.dumps(r) for r in RUNTIMES)}, got {json.dumps(manifest['runtime'])}"
        )
    return problems
