"""Finding the posts: one pass over the folder that lists and stats every post file.

Kept apart from the collector so that a build with nothing to do (the common
case in CI) needs neither YAML nor the parser to find that out.
"""

from __future__ import annotations

import os
import stat
from operator import attrgetter
from pathlib import Path

EXTENSIONS = (".md", ".markdown", ".html")
Stat = tuple[int, int]  # (size, mtime_ns); (-1, -1) for what is not a regular file


def scan(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, Stat]:
    """Post files under `root` (relative paths, sorted, hidden entries skipped) and their stats.

    A folder that cannot be listed is included too (after the files, with no
    stat), so that `read_file` reports it instead of its posts vanishing
    without a word. Symbolic links to folders are not followed.
    """
    skipped = {os.path.realpath(p) for p in skip}
    names = {os.path.basename(p) for p in skipped}  # realpath() only for dirs so named
    found: dict[str, Stat] = {}
    errors: list[str] = []

    def visit(folder: str, prefix: str) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=attrgetter("name"))
        except OSError:
            errors.append(prefix[:-1] or ".")
            return
        dirs = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir():
                if entry.is_symlink():
                    continue
                if name not in names or os.path.realpath(entry.path) not in skipped:
                    dirs.append(entry)
            elif name.endswith(EXTENSIONS):
                try:
                    st = entry.stat()
                except OSError:
                    found[prefix + name] = (-1, -1)
                    continue
                regular = stat.S_ISREG(st.st_mode)
                found[prefix + name] = (st.st_size, st.st_mtime_ns) if regular else (-1, -1)
        for entry in dirs:
            visit(entry.path, f"{prefix}{entry.name}/")

    visit(os.fspath(root), "")
    for error in errors:
        found.setdefault(error, (-1, -1))
    return found
