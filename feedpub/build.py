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
import os
import time
from contextlib import ExitStack
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from . import writer
from .cache import Cache
from .model import Options, Summary
from .problems import FeedpubError, Problem, StrictFailure
from .scan import Selection, no_posts, scan, scanned, top_folders
from .settings import Settings
from .workers import Progress, Workers

if TYPE_CHECKING:  # the collector (and YAML) is imported only when a post must be read
    from . import collector


def selection(settings: Settings) -> Selection:
    return Selection(settings.include, settings.exclude)


def collect(
    posts: Path, out: Path, settings: Settings, jobs: int = 0, progress: Progress | None = None
) -> tuple[list[collector.RawPost], list[Problem], dict[str, int]]:
    """Read every post without a cache (for `check` and `normalize`); also how many
    post files each top folder holds."""
    from . import collector

    found = scan(posts, (out,), selection(settings))
    todo = [(path, stat[0], "") for path, stat in found.items()]
    with Workers(jobs) as workers:
        mapper = partial(workers.map, progress=progress, stage="read")
        reads = [
            r
            for r in collector.read_files(
                posts, todo, collector.Limits(settings.max_bytes, settings.max_tags), mapper
            )
            if r
        ]
    problems = [p for r in reads for p in r.problems]
    if not found:
        problems.append(no_posts(posts))
    posts_read = [r.post for r in reads if r.post is not None]
    return posts_read, problems, top_folders(found)


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
    """Build the feeds of `options.posts` into `options.out`, one build at a time per
    output folder and per cache (a second one waits for the first)."""
    start = time.perf_counter()
    writer.check_folders(options.posts, options.out)
    if not options.posts.is_dir():
        raise FeedpubError(f"posts folder {options.posts} does not exist")
    out, cache = options.out, options.cache
    made = not out.exists()
    try:
        with ExitStack() as held:
            held.enter_context(writer.exclusive(out, "output folder"))
            if cache is not None:
                held.enter_context(writer.exclusive(cache, "cache"))
            summary = _locked(options, progress)
    finally:
        if made and out.is_dir() and not any(out.iterdir()):  # nothing written: no folder
            out.rmdir()
    return replace(summary, seconds=time.perf_counter() - start)


def _locked(options: Options, progress: Progress | None) -> Summary:
    store = Cache(options.cache, options.settings.fingerprint())
    gc.disable()  # see Workers: a build makes no reference cycles worth the collector's walks
    try:
        summary = _build(options, store, progress)
    finally:
        gc.enable()
        store.close()
    if options.cache:
        writer.write_file(options.cache / "last-build.json", summary.written_json())
    return summary


def _build(options: Options, store: Cache, progress: Progress | None) -> Summary:
    posts, out = options.posts, options.out
    skip = (out,) + ((options.cache,) if options.cache else ())
    found = scanned(posts, skip, selection(options.settings))
    outputs = store.outputs()
    last: Summary | None = None
    if store.get("snapshot") == found.snapshot and _intact(out, outputs):
        last = store.get("summary")
    if last is not None:
        if options.strict and (n := sum(p.severity != "info" for p in last.problems)):
            raise StrictFailure(
                f"--strict: {n} problem(s) above (errors or warnings); nothing was written",
                tuple(last.problems),
            )
        return replace(last, written=(), unchanged=tuple(sorted(last.written + last.unchanged)))
    from . import render  # lxml and the rest of the pipeline: only when there is work

    with Workers(options.jobs) as workers:
        return render.rebuild(options, store, workers, found, outputs, progress)
