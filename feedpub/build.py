"""`build()`: gather and normalize every post, then render and write the feeds."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from . import collector, generator, html, normalizer, writer
from .config import Settings
from .normalizer import Post
from .problems import FeedpubError, Problem

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[str, int, int], None]  # (stage, done, total)
PARALLEL_MIN = 400  # below this many items a process pool costs more than it saves


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
        """The report of `--report` and of `<cache>/last-build.json`: no times, no clock."""
        data = {
            "posts_read": self.posts_read,
            "entries": self.entries,
            "feeds": self.feeds,
            "written": list(self.written),
            "unchanged": list(self.unchanged),
            "problems": [p.as_dict() for p in self.problems],
        }
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode()


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _read_chunk(root: Path, max_bytes: int, paths: Sequence[str]) -> list[collector.Read]:
    return [collector.read_file(root, p, max_bytes) for p in paths]


def parallel_map(
    func: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    jobs: int,
    progress: Progress | None = None,
    stage: str = "",
) -> list[R]:
    """`func` over `items` in chunks, in worker processes when it pays, in order."""
    jobs = jobs or os.cpu_count() or 1
    size = max(50, min(500, len(items) // (jobs * 8) + 1))
    chunks = list(_chunks(items, size))
    results: list[R] = []
    if jobs == 1 or len(items) < PARALLEL_MIN:
        mapped: Iterable[list[R]] = map(func, chunks)
        for part in mapped:
            results.extend(part)
            if progress:
                progress(stage, len(results), len(items))
        return results
    with ProcessPoolExecutor(jobs) as pool:
        for part in pool.map(func, chunks):
            results.extend(part)
            if progress:
                progress(stage, len(results), len(items))
    return results


def collect(
    posts: Path, out: Path, settings: Settings, jobs: int = 0, progress: Progress | None = None
) -> tuple[list[collector.RawPost], list[Problem]]:
    paths = list(collector.walk(posts, skip=(out,)))
    reads = parallel_map(
        partial(_read_chunk, posts, settings.max_bytes), paths, jobs, progress, "read"
    )
    problems = [p for r in reads for p in r.problems]
    return [r.post for r in reads if r.post is not None], problems


def rules(settings: Settings, source: str) -> html.ContentRules:
    return html.ContentRules(
        remove=html.DEFAULT_REMOVE + settings.source(source).remove,
        iframes=settings.iframes,
        data_images=settings.data_images,
        summary_chars=settings.summary_chars,
    )


def content_of(root: Path, settings: Settings, post: Post) -> html.Content:
    body = collector.read_body(root, post.path, post.body_start)
    if post.markdown:
        body = html.render_markdown(body)
    source = post.sources[0] if post.sources else ""
    return html.clean(body, post.url, rules(settings, source))


def _fragment_chunk(
    root: Path, settings: Settings, posts: Sequence[Post]
) -> list[generator.Fragments]:
    return [generator.fragments(p, content_of(root, settings, p)) for p in posts]


def build(options: Options, progress: Progress | None = None) -> Summary:
    start = time.perf_counter()
    settings = options.settings
    writer.check_folders(options.posts, options.out)
    if not options.posts.is_dir():
        raise FeedpubError(f"posts folder {options.posts} does not exist")
    raws, problems = collect(options.posts, options.out, settings, options.jobs, progress)
    result = normalizer.normalize(raws, settings)
    problems += result.problems
    feeds, found = generator.plan(result.posts, settings)
    problems += found
    problems.sort()
    if options.strict and any(p.severity != "info" for p in problems):
        raise StrictFailure("problems found and --strict is set; no feed was written")
    shown = {p.id: p for feed in feeds for p in feed.posts}
    needed = sorted(shown.values(), key=lambda p: p.path)
    frags = parallel_map(
        partial(_fragment_chunk, options.posts, settings), needed, options.jobs, progress, "render"
    )
    by_id = {p.id: f for p, f in zip(needed, frags, strict=True)}
    files: dict[str, bytes] = {}
    for feed in feeds:
        files.update(generator.render(feed, settings, by_id))
    written = writer.write_all(options.out, files)
    summary = Summary(
        posts_read=len(raws),
        entries=len(result.posts),
        feeds=len(feeds),
        written=written.changed,
        unchanged=written.unchanged,
        problems=tuple(problems),
        seconds=time.perf_counter() - start,
    )
    for path in (options.report, options.cache and options.cache / "last-build.json"):
        if path:
            writer.write_file(path, summary.as_json())
    return summary
