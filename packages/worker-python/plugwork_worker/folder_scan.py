"""Reading the plugins directories: which folders are plugins, which are diagnostics, and a
fingerprint of what watch mode looks at. Files only: no plugin code runs here.
"""

from __future__ import annotations

import os
TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: typing is not imported at run time
    from typing import Any, Dict, List, Sequence, Tuple

from .errors import AdapterError, AdapterErrorCode as Code
from .manifest import Candidate, read_plugin_folder


def scan_directories(
    directories: Sequence[str], plugwork_version: str
) -> Tuple[Dict[str, Candidate], List[Dict[str, Any]]]:
    """Each immediate subfolder of each directory, read: the candidates by name (on a clash the
    first directory wins) and a diagnostic for every folder that cannot be offered."""
    candidates: Dict[str, Candidate] = {}
    problems: List[Dict[str, Any]] = []
    for directory in directories:
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
                candidate = read_plugin_folder(folder, plugwork_version)
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
    return candidates, problems


def folders_fingerprint(directories: Sequence[str], candidates: Dict[str, Candidate]) -> tuple:
    """What a change would alter: each folder's package.json and entry, by mtime and size."""
    marks = []
    for directory in directories:
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
    for candidate in candidates.values():
        try:
            status = os.stat(candidate.entry_path)
            marks.append((candidate.entry_path, status.st_mtime_ns, status.st_size))
        except OSError:
            marks.append((candidate.entry_path, None))
    return tuple(marks)
