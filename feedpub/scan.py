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

    def visit(folder: str, prefix: str, opened_as: str, parent: int | None) -> None:
        # A folder is opened by its name in its parent and its files are stat'ed by
        # name in it: the kernel resolves one name each time, not the whole path.
        try:
            fd = os.open(opened_as, os.O_RDONLY | os.O_DIRECTORY, dir_fd=parent)
        except OSError:
            errors.append(prefix[:-1] or ".")
            return
        try:
            with os.scandir(fd) as it:
                entries = sorted(it, key=attrgetter("name"))
            dirs = []
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                if entry.is_dir():
                    if entry.is_symlink():
                        continue
                    path = f"{folder}/{name}"
                    if name not in names or os.path.realpath(path) not in skipped:
                        dirs.append((path, name))
                elif name.endswith(EXTENSIONS):
                    try:
                        st = entry.stat()
                    except OSError:
                        found[prefix + name] = (-1, -1)
                        continue
                    regular = stat.S_ISREG(st.st_mode)
                    found[prefix + name] = (st.st_size, st.st_mtime_ns) if regular else (-1, -1)
            for path, name in dirs:
                visit(path, f"{prefix}{name}/", name, fd)
        finally:
            os.close(fd)

    visit(os.fspath(root), "", os.fspath(root), None)
    for error in errors:
        found.setdefault(error, (-1, -1))
    return found
