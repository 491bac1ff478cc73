"""The only module that writes to disk: atomically, only what changed, only inside `out`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .problems import FeedpubError


class UnsafeOutput(FeedpubError):
    """The output folder or a file in it would overwrite or escape where it must not."""


def check_folders(posts: Path, out: Path) -> None:
    """Refuse an output folder that is the posts folder or holds it."""
    p, o = posts.resolve(), out.resolve()
    if p == o or o in p.parents:
        raise UnsafeOutput(f"output folder {out} must not be, or contain, the posts folder {posts}")


def target(out: Path, rel: str) -> Path:
    """`out / rel`, refusing any path that could leave `out`."""
    parts = PurePosixPath(rel).parts
    if not parts or rel.startswith("/") or any(p in ("", ".", "..") or "\\" in p for p in parts):
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")
    return out.joinpath(*parts)


@dataclass(frozen=True)
class Written:
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]


def write_file(path: Path, data: bytes) -> bool:
    """Write `data` unless the file already holds it; True if written.

    The bytes go to a temporary file in the same folder that is then renamed
    over the old one, so a reader (or a build killed at any point) sees the
    old file or the new one, never a truncated one.
    """
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def write_all(out: Path, files: Mapping[str, bytes]) -> Written:
    changed: list[str] = []
    unchanged: list[str] = []
    for rel in sorted(files):
        (changed if write_file(target(out, rel), files[rel]) else unchanged).append(rel)
    return Written(tuple(changed), tuple(unchanged))
