"""`build()`: gather and normalize every post, then render and write what changed.

Phase one reads every post (in a process pool, or from the cache when a file's
size, mtime or content hash says it is unchanged). Phase two (`render`)
normalizes them, plans the feeds and their RFC 5005 archive documents and
writes the outputs whose inputs changed. With nothing changed at all, a
snapshot of the posts' stats lets the build stop after one walk of the folder,
before phase two is even imported.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from . import writer
from .cache import Cache
from .config import Settings
from .problems import FeedpubError, Problem
from .scan import scan, scanned
from .text import content_hash

if TYPE_CHECKING:  # the collector (and YAML) is imported only when a post must be read
    from concurrent.futures import Future, ProcessPoolExecutor

    from . import collector

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[str, int, int], None]  # (stage, done, total)
PARALLEL_MIN = 400  # below this many items, starting a process pool costs more than it saves


class StrictFailure(FeedpubError):
    """`--strict` and the input had problems: nothing was written."""


@dataclass(frozen=True)
class Options:
    posts: Path
    out: Path
    settings: Settings
    strict: bool = False
    jobs: int = 0  # worker processes; 0 = one per core
    cache: Path | None = None  # folder of the incremental cache; None = no cache
    report: Path | None = None  # where to write the JSON report, if anywhere


@dataclass(frozen=True)
class Summary:
    posts_read: int
    entries: int
    feeds: int
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    problems: tuple[Problem, ...]
    seconds: float

    def as_json(self) -> bytes:
        """The report of `--report`: no times, no clock."""
        data = {
            "posts_read": self.posts_read,
            "entries": self.entries,
            "feeds": self.feeds,
            "written": list(self.written),
            "unchanged": list(self.unchanged),
            "problems": [p.as_dict() for p in self.problems],
        }
        return _json(data)

    def written_json(self) -> bytes:
        """`<cache>/last-build.json`, for `feedpub ping`: the files written. Not the whole
        report: encoding thousands of problems took ~15 ms of every warm build."""
        return _json({"written": list(self.written)})


def _json(data: object) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


# --- phase one: read ------------------------------------------------------------


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Workers:
    """The worker processes of one build: started on first use, shared by its stages.

    Builds run with the cycle collector off, here and in the workers: they make
    tens of thousands of small objects and no cycles worth collecting, and the
    collector's full walks over them cost a fifth of a warm build.
    """

    def __init__(self, jobs: int = 0) -> None:
        self.jobs = jobs or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_: object) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _pool_for(self, count: int) -> ProcessPoolExecutor | None:
        """The pool, started if need be, or None when `count` items are not worth it."""
        if self.jobs == 1 or count < (2 * self.jobs if self._pool else PARALLEL_MIN):
            return None
        if self._pool is None:
            from concurrent.futures import ProcessPoolExecutor  # 16 ms: not for quick builds

            self._pool = ProcessPoolExecutor(self.jobs, initializer=gc.disable)
        return self._pool

    def map(
        self,
        func: Callable[[Sequence[T]], list[R]],
        items: Sequence[T],
        progress: Progress | None = None,
        stage: str = "",
    ) -> list[R]:
        """`func` over `items` in chunks, in worker processes when it pays, in order."""
        size = max(50, min(500, len(items) // (self.jobs * 8) + 1))
        parts = list(chunks(items, size))
        pool = self._pool_for(len(items))
        mapped = pool.map(func, parts) if pool else map(func, parts)
        results: list[R] = []
        for part in mapped:
            results.extend(part)
            if progress:
                progress(stage, len(results), len(items))
        return results

    def stream(self, func: Callable[[Sequence[T]], list[R]], items: Sequence[T]) -> Iterator[R]:
        """`func` over `items`, in order, as the results come: the caller works on the
        first ones while the workers make the next (a few chunks ahead, to bound memory)."""
        parts = chunks(items, max(10, min(25, len(items) // (self.jobs * 8) + 1)))
        pool = self._pool_for(len(items))
        if pool is None:
            for part in parts:
                yield from func(part)
            return
        pending: deque[Future[list[R]]] = deque()
        for part in parts:
            pending.append(pool.submit(func, part))
            if len(pending) > 2 * self.jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _read_one(
    root: Path, max_bytes: int, path: str, size: int, known: str
) -> collector.Read | None:
    """None if the file's content hash is still `known`, else a fresh reading."""
    if known and 0 <= size <= max_bytes:
        try:
            with open(os.path.join(root, path), "rb") as f:
                data = f.read()
        except OSError:
            data = b""
        if content_hash(data) == known:
            return None
    from . import collector

    return collector.read_file(root, path, max_bytes)


def _read_chunk(
    root: Path, max_bytes: int, items: Sequence[tuple[bytes, int, str]]
) -> list[collector.Read | None]:
    # Interned: read in this process, the path is then the scan's string again.
    return [
        _read_one(root, max_bytes, sys.intern(os.fsdecode(path)), size, known)
        for path, size, known in items
    ]


def read_files(
    posts: Path,
    todo: Sequence[tuple[str, int, str]],
    settings: Settings,
    workers: Workers,
    progress: Progress | None = None,
) -> list[collector.Read | None]:
    """Read each (path, size, known content hash) of `todo`: None where the file still
    has the known hash (only the hash goes to the workers, not the cached reading).

    Paths go to the workers as bytes: pickling a string that is not ASCII leaves
    a UTF-8 copy of it cached in the string, for as long as the build holds it.
    They are interned, so that the readings hold the caller's strings, not copies
    (see `collector._unpickled`): `sys.intern` makes the string it is given the one.
    """
    items = [(os.fsencode(sys.intern(path)), size, known) for path, size, known in todo]
    read = partial(_read_chunk, posts, settings.max_bytes)
    return workers.map(read, items, progress, "read")


def collect(
    posts: Path, out: Path, settings: Settings, jobs: int = 0, progress: Progress | None = None
) -> tuple[list[collector.RawPost], list[Problem]]:
    """Read every post without a cache (for `check` and `normalize`)."""
    todo = [(path, stat[0], "") for path, stat in scan(posts, (out,)).items()]
    with Workers(jobs) as workers:
        reads = [r for r in read_files(posts, todo, settings, workers, progress) if r]
    problems = [p for r in reads for p in r.problems]
    return [r.post for r in reads if r.post is not None], problems


# --- phase two: render ------------------------------------------------------------


def _intact(out: Path, outputs: dict[str, tuple[str, int, int]]) -> bool:
    """True if every output is still there as the last build left it."""
    base = os.fspath(out)
    for rel, (_, size, mtime) in outputs.items():
        try:
            st = os.stat(os.path.join(base, rel))
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime:
            return False
    return True


def build(options: Options, progress: Progress | None = None) -> Summary:
    start = time.perf_counter()
    writer.check_folders(options.posts, options.out)
    if not options.posts.is_dir():
        raise FeedpubError(f"posts folder {options.posts} does not exist")
    store = Cache(options.cache, options.settings.fingerprint())
    gc.disable()  # see Workers: a build makes no reference cycles worth the collector's walks
    try:
        summary = _build(options, store, progress)
    finally:
        gc.enable()
        store.close()
    summary = replace(summary, seconds=time.perf_counter() - start)
    if options.report:
        writer.write_file(options.report, summary.as_json())
    if options.cache:
        writer.write_file(options.cache / "last-build.json", summary.written_json())
    return summary


def _build(options: Options, store: Cache, progress: Progress | None) -> Summary:
    posts, out = options.posts, options.out
    skip = (out,) + ((options.cache,) if options.cache else ())
    found = scanned(posts, skip)
    outputs = store.outputs()
    last: Summary | None = None
    if store.get("snapshot") == found.snapshot and _intact(out, outputs):
        last = store.get("summary")
    if last is not None:
        if options.strict and any(p.severity != "info" for p in last.problems):
            raise StrictFailure("problems found and --strict is set; no feed was written")
        return replace(last, written=(), unchanged=tuple(sorted(last.written + last.unchanged)))
    from . import render  # lxml and the rest of the pipeline: only when there is work

    with Workers(options.jobs) as workers:
        return render.rebuild(options, store, workers, found, outputs, progress)
