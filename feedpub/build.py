"""`build()`: gather and normalize every post, then render and write what changed.

Phase one reads every post (in a process pool, or from the cache when a file's
size, mtime or content hash says it is unchanged) and normalizes them. Phase
two plans the feeds and their RFC 5005 archive documents, gives each output a
key made of everything it is rendered from, and renders only the outputs whose
key changed. With nothing changed at all, a snapshot of the posts' stats lets
the build stop after one walk of the folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat as stat_module
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

from . import collector, generator, html, normalizer, pages, writer
from .cache import Cache, Stat
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


# --- phase one: read ------------------------------------------------------------


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


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
        pool = None
    else:
        pool = ProcessPoolExecutor(jobs)
        mapped = pool.map(func, chunks)
    try:
        for part in mapped:
            results.extend(part)
            if progress:
                progress(stage, len(results), len(items))
    finally:
        if pool is not None:
            pool.shutdown()
    return results


def _read_one(
    root: Path, max_bytes: int, path: str, size: int, known: collector.Read | None
) -> collector.Read:
    """The cached reading of `path` if its content hash is unchanged, else a fresh one."""
    if known is not None and known.post is not None and 0 <= size <= max_bytes:
        try:
            data = (root / path).read_bytes()
        except OSError:
            data = b""
        if hashlib.blake2b(data, digest_size=16).hexdigest() == known.post.digest:
            return known
    return collector.read_file(root, path, max_bytes)


def _read_chunk(
    root: Path, max_bytes: int, items: Sequence[tuple[str, int, collector.Read | None]]
) -> list[collector.Read]:
    return [_read_one(root, max_bytes, path, size, known) for path, size, known in items]


def scan(posts: Path, skip: tuple[Path, ...]) -> dict[str, Stat]:
    """Every post file with its (size, mtime_ns), in sorted order."""
    stats = {}
    for path in collector.walk(posts, skip):
        try:
            st = os.stat(os.path.join(posts, path))
        except OSError:
            st = None
        regular = st is not None and stat_module.S_ISREG(st.st_mode)
        stats[path] = (st.st_size, st.st_mtime_ns) if st and regular else (-1, -1)
    return stats


Index = dict[str, tuple[Stat, collector.Read]]


def read_all(
    posts: Path,
    stats: dict[str, Stat],
    index: Index,
    settings: Settings,
    jobs: int = 0,
    progress: Progress | None = None,
) -> Index:
    """Read every post, reusing the cached reading of files whose stat is unchanged."""
    fresh: dict[str, tuple[Stat, collector.Read]] = {}
    todo = []
    for path, stat in stats.items():
        old = index.get(path)
        if old is not None and old[0] == stat and stat[0] >= 0:
            fresh[path] = old
        else:
            todo.append((path, stat[0], old[1] if old else None))
    reads = parallel_map(
        partial(_read_chunk, posts, settings.max_bytes), todo, jobs, progress, "read"
    )
    for (path, _, _), read in zip(todo, reads, strict=True):
        fresh[path] = (stats[path], read)
    return {path: fresh[path] for path in stats}


def collect(
    posts: Path, out: Path, settings: Settings, jobs: int = 0, progress: Progress | None = None
) -> tuple[list[collector.RawPost], list[Problem]]:
    """Read every post without a cache (for `check` and `normalize`)."""
    index = read_all(posts, scan(posts, (out,)), {}, settings, jobs, progress)
    reads = [read for _, read in index.values()]
    problems = [p for r in reads for p in r.problems]
    return [r.post for r in reads if r.post is not None], problems


# --- phase two: render ------------------------------------------------------------


def rules(settings: Settings, source: str) -> html.ContentRules:
    return html.ContentRules(
        remove=html.DEFAULT_REMOVE + settings.source(source).remove,
        iframes=settings.iframes,
        data_images=settings.data_images,
        summary_chars=settings.summary_chars,
    )


def content_of(root: Path, settings: Settings, post: Post) -> html.Content:
    try:
        body = collector.read_body(root, post.path, post.body_start)
    except OSError:
        body = ""  # deleted since it was read: the next build will drop it
    if post.markdown:
        body = html.render_markdown(body)
    source = post.sources[0] if post.sources else ""
    return html.clean(body, post.url, rules(settings, source))


def _fragment_chunk(
    root: Path, settings: Settings, posts: Sequence[Post]
) -> list[generator.Fragments]:
    return [generator.fragments(p, content_of(root, settings, p)) for p in posts]


def _key(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class Job:
    """Some output files and the key of everything they are rendered from."""

    files: tuple[str, ...]
    key: str
    feed: generator.Feed
    page: generator.Page | None = None
    newest: str | None = None  # a feed's newest archive document, for its prev-archive link
    prev: generator.Page | None = None
    next: generator.Page | None = None


def plan_jobs(
    feeds: Sequence[generator.Feed], fps: dict[str, str], settings: Settings
) -> list[Job]:
    jobs = []
    sizes: dict[str, int] = {}

    def bound(post: Post) -> int:  # each post's archive size once, not once per feed
        if post.id not in sizes:
            sizes[post.id] = generator.archive_bound(post)
        return sizes[post.id]

    for feed in feeds:
        pages = generator.archive_pages(feed, settings, bound) if feed.archived else []
        newest = pages[-1].file if pages else None
        files = tuple(feed.file(fmt) for fmt in generator.FILES)
        key = _key(files, feed.title, newest, [fps[p.id] for p in feed.posts])
        jobs.append(Job(files, key, feed, newest=newest))
        for i, page in enumerate(pages):
            prev = pages[i - 1] if i else None
            nxt = pages[i + 1] if i + 1 < len(pages) else None
            parts = (page.file, page.label, feed.title, feed.file("atom"))
            links = (prev and prev.file, nxt and nxt.file)
            key = _key(parts, links, [fps[p.id] for p in page.posts])
            jobs.append(Job((page.file,), key, feed, page, prev=prev, next=nxt))
    return jobs


def _stat(path: Path) -> Stat | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


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


def _current(job: Job, outputs: dict[str, tuple[str, int, int]], out: Path) -> bool:
    """True if every file of `job` was made from the same inputs and is still there."""
    for f in job.files:
        record = outputs.get(f)
        if record is None or record[0] != job.key or _stat(out / f) != record[1:]:
            return False
    return True


def _snapshot(stats: dict[str, Stat]) -> str:
    return hashlib.blake2b(repr(sorted(stats.items())).encode(), digest_size=16).hexdigest()


def build(options: Options, progress: Progress | None = None) -> Summary:
    start = time.perf_counter()
    writer.check_folders(options.posts, options.out)
    if not options.posts.is_dir():
        raise FeedpubError(f"posts folder {options.posts} does not exist")
    store = Cache(options.cache, options.settings.fingerprint())
    try:
        summary = _build(options, store, progress)
    finally:
        store.close()
    summary = replace(summary, seconds=time.perf_counter() - start)
    for path in (options.report, options.cache and options.cache / "last-build.json"):
        if path:
            writer.write_file(path, summary.as_json())
    return summary


def _build(options: Options, store: Cache, progress: Progress | None) -> Summary:
    settings, posts, out = options.settings, options.posts, options.out
    skip = (out,) + ((options.cache,) if options.cache else ())
    stats = scan(posts, skip)
    snapshot, outputs = _snapshot(stats), store.outputs()
    last: Summary | None = store.get("summary")
    if last and store.get("snapshot") == snapshot and _intact(out, outputs):
        if options.strict and any(p.severity != "info" for p in last.problems):
            raise StrictFailure("problems found and --strict is set; no feed was written")
        return replace(last, written=(), unchanged=tuple(sorted(last.written + last.unchanged)))
    writer.remove_stale_temps_under(out)  # left by a killed build
    cached = store.reads()
    index = read_all(posts, stats, cached, settings, options.jobs, progress)
    reads = [read for _, read in index.values()]
    problems = [p for r in reads for p in r.problems]
    result = normalizer.normalize((r.post for r in reads if r.post is not None), settings)
    feeds, found = generator.plan(result.posts, settings)
    problems = sorted(problems + list(result.problems) + found)
    if options.strict and any(p.severity != "info" for p in problems):
        raise StrictFailure("problems found and --strict is set; no feed was written")
    fps = {p.id: _key(p) for p in result.posts}
    jobs = plan_jobs(feeds, fps, settings)
    todo = [j for j in jobs if not _current(j, outputs, out)]
    written, new_outputs = _write(todo, jobs, outputs, fps, store, options, progress)
    site_pages = {
        **pages.STATIC,
        pages.OPML_FILE: pages.opml(feeds, settings),
        pages.INDEX_FILE: pages.index_html(feeds, settings),
    }
    for rel, data in site_pages.items():
        path = writer.target(out, rel)
        if writer.write_file(path, data):
            written.append(rel)
        new_outputs[rel] = ("page", *(_stat(path) or (0, 0)))
    for stale in sorted(set(outputs) - set(new_outputs)):
        writer.remove_file(out, stale)
    store.save_outputs(new_outputs)
    store.save_reads(
        {p: v for p, v in index.items() if cached.get(p, (None,))[0] != v[0]},
        [p for p in cached if p not in index],
    )
    store.put("snapshot", snapshot)
    if todo:
        store.prune_fragments(fps[p.id] for f in feeds for p in f.posts)
    summary = Summary(
        posts_read=len([r for r in reads if r.post is not None]),
        entries=len(result.posts),
        feeds=len(feeds),
        written=tuple(sorted(written)),
        unchanged=tuple(sorted(set(new_outputs) - set(written))),
        problems=tuple(problems),
        seconds=0.0,
    )
    store.put("summary", summary)
    return summary


def _fragments(
    todo: Sequence[Job],
    fps: dict[str, str],
    store: Cache,
    options: Options,
    progress: Progress | None,
) -> dict[str, generator.Fragments]:
    """Fragments of every entry the outputs to render show in full, by post id."""
    shown = {p.id: p for job in todo if job.page is None for p in job.feed.posts}
    cached = store.fragments(fps[i] for i in shown)
    missing = sorted((p for i, p in shown.items() if fps[i] not in cached), key=lambda p: p.path)
    made = parallel_map(
        partial(_fragment_chunk, options.posts, options.settings),
        missing,
        options.jobs,
        progress,
        "render",
    )
    store.save_fragments({fps[p.id]: f for p, f in zip(missing, made, strict=True)})
    by_id = {i: cached[fps[i]] for i in shown if fps[i] in cached}
    by_id.update((p.id, f) for p, f in zip(missing, made, strict=True))
    return by_id


BATCH = 64  # feeds whose entries are held in memory at once


def _write(
    todo: Sequence[Job],
    jobs: Sequence[Job],
    outputs: dict[str, tuple[str, int, int]],
    fps: dict[str, str],
    store: Cache,
    options: Options,
    progress: Progress | None,
) -> tuple[list[str], dict[str, tuple[str, int, int]]]:
    """Render and write the outputs to redo; return what was written and every output's record.

    Feeds go in batches, so only one batch's entries (with their full bodies)
    are in memory at a time; archive entries are dropped once their last
    archive document is written.
    """
    settings, out = options.settings, options.out
    written: list[str] = []
    records = {f: outputs[f] for job in jobs for f in job.files if f in outputs}

    def put(job: Job, files: dict[str, bytes]) -> None:
        for rel, data in files.items():
            path = writer.target(out, rel)
            if writer.write_file(path, data):
                written.append(rel)
            records[rel] = (job.key, *(_stat(path) or (0, 0)))

    feeds = [j for j in todo if j.page is None]
    for batch in _chunks(feeds, BATCH):
        frags = _fragments(batch, fps, store, options, progress)
        for job in batch:
            put(job, generator.render(job.feed, settings, frags, job.newest))
    archives = [j for j in todo if j.page is not None]
    uses = Counter(p.id for j in archives if j.page for p in j.page.posts)
    entries: dict[str, bytes] = {}
    for job in archives:
        assert job.page is not None
        for p in job.page.posts:
            if p.id not in entries:
                entries[p.id] = generator.archive_entry(p)
        data = generator.render_archive(job.feed, job.page, job.prev, job.next, settings, entries)
        put(job, {job.page.file: data})
        for p in job.page.posts:
            uses[p.id] -= 1
            if not uses[p.id]:
                del entries[p.id]
    return written, records
