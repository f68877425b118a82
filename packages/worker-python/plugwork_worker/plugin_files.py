"""What a plugin folder's files look like at one moment: the Python twin of adapter-kit's
plugin-files.ts. Watch mode compares a loaded plugin's fingerprint with the one taken when it
loaded; a difference means its code (any file of the folder, not just the entry) changed, and
the worker tells the host, which replaces the workers that imported it.
"""

from __future__ import annotations

import hashlib
import os

#: Folders that hold no code of the plugin's own (or too many files to look at).
_SKIPPED = frozenset(("node_modules", ".git", "__pycache__"))

#: Files looked at before giving up: a plugin folder holding a data set is not walked whole.
_MAX_FILES = 20_000


def plugin_files_fingerprint(folder: str) -> str:
    """Every file's path, size and modification time, hashed, without reading contents."""
    digest = hashlib.sha1()
    files = 0
    stack = [(folder, "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            digest.update(f"!{prefix}\n".encode("utf-8", "surrogateescape"))
            continue
        for entry in entries:
            relative = prefix + entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in _SKIPPED:
                        stack.append((entry.path, relative + "/"))
                    continue
                files += 1
                if files > _MAX_FILES:
                    return digest.hexdigest()
                status = entry.stat()
                line = f"{relative}\0{status.st_size}\0{status.st_mtime_ns}\n"
            except OSError:
                line = f"{relative}\0gone\n"
            digest.update(line.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
