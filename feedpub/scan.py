"""Finding the posts: one pass over the folder that lists and stats every post file.

Kept apart from the collector so that a build with nothing to do (the common
case in CI) needs neither YAML nor the parser to find that out.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

EXTENSIONS = (".md", ".markdown", ".html")
Stat = tuple[int, int]  # (size, mtime_ns); (-1, -1) for what is not a regular file


@dataclass(frozen=True)
class Scanned:
    """The posts' stats, and the same split by folder with a hash of each folder's:
    a build compares (and the cache keeps) only the folders whose hash changed."""

    stats: dict[str, Stat]  # path -> stat, in scan order
    folders: dict[str, dict[str, Stat]]  # folder ("" for the top) -> its part of `stats`
    digests: dict[str, bytes]  # folder -> hash of its part of `stats`
    snapshot: str  # a hash of them all: equal snapshots, nothing to do


def scanned(root: Path, skip: tuple[Path, ...] = ()) -> Scanned:
    """`scan`, split by folder and hashed (marshal version 2 has no back-references,
    so its bytes depend on the values alone)."""
    stats, folders = _scan(root, skip)
    digests = {f: _hash(marshal.dumps(part, 2)) for f, part in folders.items()}
    return Scanned(stats, folders, digests, _hash(marshal.dumps(digests, 2)).hex())


def _hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def unsure(folders: Mapping[str, Mapping[str, Stat]]) -> set[str]:
    """Folders holding an entry that could not be stat'ed: read again by every build."""
    return {f for f, part in folders.items() if any(st[0] < 0 for st in part.values())}


def scan(root: Path, skip: tuple[Path, ...] = ()) -> dict[str, Stat]:
    """Post files under `root` (relative paths, sorted, hidden entries skipped) and their stats.

    A folder that cannot be listed is included too (after the files, with no
    stat), so that `read_file` reports it instead of its posts vanishing
    without a word. Symbolic links to folders are not followed.
    """
    return _scan(root, skip)[0]


def _scan(root: Path, skip: tuple[Path, ...]) -> tuple[dict[str, Stat], dict[str, dict[str, Stat]]]:
    skipped = {os.path.realpath(p) for p in skip}
    names = {os.path.basename(p) for p in skipped}  # realpath() only for dirs so named
    found: dict[str, Stat] = {}
    folders: dict[str, dict[str, Stat]] = {}
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
            part: dict[str, Stat] = {}
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
                    rel = prefix + name
                    try:
                        st = entry.stat()
                    except OSError:
                        part[rel] = (-1, -1)
                        continue
                    regular = stat.S_ISREG(st.st_mode)
                    part[rel] = (st.st_size, st.st_mtime_ns) if regular else (-1, -1)
            if part:
                found.update(part)
                folders[prefix[:-1]] = part
            for path, name in dirs:
                visit(path, f"{prefix}{name}/", name, fd)
        finally:
            os.close(fd)

    visit(os.fspath(root), "", os.fspath(root), None)
    for error in errors:
        found.setdefault(error, (-1, -1))
        folders.setdefault(error.rpartition("/")[0], {}).setdefault(error, (-1, -1))
    return found, folders
