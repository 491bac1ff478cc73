"""The values that cross stages: what a build is asked to do and what it did."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings
from .problems import Problem


@dataclass(frozen=True)
class Options:
    posts: Path
    out: Path
    settings: Settings
    strict: bool = False
    jobs: int = 0  # worker processes; 0 = one per core
    cache: Path | None = None  # folder of the incremental cache; None = no cache


@dataclass(frozen=True)
class Manifest:
    """What the last build wrote into the output folder (`writer.MANIFEST` there):
    the files that are feedpub's to replace or remove, and the folder each feed's
    name was given, which it keeps while the feed exists."""

    files: frozenset[str] = frozenset()
    slugs: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> name -> slug


@dataclass(frozen=True)
class Summary:
    posts_read: int
    entries: int
    feeds: int
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    problems: tuple[Problem, ...]
    seconds: float

    def written_json(self) -> bytes:
        """`<cache>/last-build.json`, for `feedpub ping`: the files written. Not the whole
        report: encoding thousands of problems took ~15 ms of every warm build."""
        return _json({"written": list(self.written)})


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
