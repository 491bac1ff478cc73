"""Phase two of a build: normalize, plan the feeds, render and write what changed.

Each output gets a key made of everything it is rendered from; only outputs
whose key changed (or whose file is gone or was touched) are rendered again.
Imported only when a build has work to do: a build with nothing changed stops
in `build` before this module (and lxml) is loaded.
"""

from __future__ import annotations

import hashlib
import marshal
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import collector, generator, html, normalizer, pages, writer
from .build import Options, Progress, StrictFailure, Summary, Workers, read_all
from .cache import Cache
from .config import Settings
from .normalizer import Post
from .scan import Stat


def rebuild(
    options: Options,
    store: Cache,
    workers: Workers,
    stats: dict[str, Stat],
    snapshot: str,
    outputs: dict[str, tuple[str, int, int]],
    progress: Progress | None,
) -> Summary:
    """Read what changed, normalize and plan everything, write the outputs whose key changed."""
    settings, posts, out = options.settings, options.posts, options.out
    writer.remove_stale_temps_under(out)  # left by a killed build
    cached = store.reads()
    index = read_all(posts, stats, cached, settings, workers, progress)
    changed = [p for p, v in index.items() if cached.get(p, (None,))[0] != v[0]]
    store.save_reads(index, changed + [p for p in cached if p not in index])
    problems = [p for _, read in index.values() for p in read.problems]
    raws = [read.post for _, read in index.values() if read.post is not None]
    del cached, index  # stored: free them for the rendering
    result = normalizer.normalize(raws, settings)
    posts_read, entries = len(raws), result.posts
    problems += result.problems
    del raws, result  # its `resolved` holds every reading: free them for the rendering
    feeds, found = generator.plan(entries, settings)
    problems = sorted(problems + found)
    if options.strict and any(p.severity != "info" for p in problems):
        raise StrictFailure("problems found and --strict is set; no feed was written")
    fps = {p.id: fingerprint(p) for p in entries}
    jobs, plans = plan_jobs(feeds, fps, settings, store.get("plans"))
    todo = [j for j in jobs if not _current(j, outputs, out)]
    written, new_outputs = _write(todo, jobs, outputs, fps, store, workers, options, progress)
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
    store.put("snapshot", snapshot)
    store.put("plans", plans)
    if todo:
        store.prune_fragments(fps[p.id] for f in feeds for p in f.posts)
    summary = Summary(
        posts_read=posts_read,
        entries=len(entries),
        feeds=len(feeds),
        written=tuple(sorted(written)),
        unchanged=tuple(sorted(set(new_outputs) - set(written))),
        problems=tuple(problems),
        seconds=0.0,
    )
    store.put("summary", summary)
    return summary


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


def fingerprint(post: Post) -> str:
    """A hash of every field of `post` (marshal of its fields: ten times quicker than repr)."""
    values = dict(
        vars(post), published=post.published.isoformat(), updated=post.updated.isoformat()
    )
    return hashlib.blake2b(marshal.dumps(values, 2), digest_size=12).hexdigest()


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


# What planning a feed came to, enough to make its jobs again: its key, its newest
# archive document, each archive document as (file, label, entries, key), oldest
# first (a feed's archive documents hold consecutive runs of its history), and how
# each of its archive periods was split into parts, by a hash of the period's entries.
FeedPlan = tuple[str, str | None, tuple[tuple[str, str, int, str], ...], dict[str, tuple[int, ...]]]
Plans = dict[str, tuple[str, FeedPlan]]  # feed folder -> (hash of all the feed is made of, plan)


def plan_jobs(
    feeds: Sequence[generator.Feed],
    fps: dict[str, str],
    settings: Settings,
    plans: Plans | None = None,
) -> tuple[list[Job], Plans]:
    """Every output's job, and the plan of every feed.

    `plans` from the last build spare a feed whose entries did not change the
    work of splitting its history into archive documents and keying them, and
    a feed that changed the splitting of its periods that did not.
    """
    jobs = []
    made: Plans = {}
    known: dict[str, generator.ArchiveFacts] = {}

    def facts(post: Post) -> generator.ArchiveFacts:  # once per post, not once per feed
        found = known.get(post.id)
        if found is None:
            found = known[post.id] = generator.archive_facts(post)
        return found

    for feed in feeds:
        digest = _key(feed.kind, feed.folder, feed.title, _hash_of(feed.history, fps))
        old = (plans or {}).get(feed.folder)
        if old is not None and old[0] == digest:
            plan = old[1]
        else:
            plan = _plan_feed(feed, fps, settings, facts, old[1][3] if old else {})
        made[feed.folder] = (digest, plan)
        jobs += _jobs(feed, plan)
    return jobs, made


def _hash_of(posts: Sequence[Post], fps: dict[str, str]) -> bytes:
    return hashlib.blake2b("\n".join(fps[p.id] for p in posts).encode()).digest()


def _plan_feed(
    feed: generator.Feed,
    fps: dict[str, str],
    settings: Settings,
    facts: Callable[[Post], generator.ArchiveFacts],
    old_splits: dict[str, tuple[int, ...]],
) -> FeedPlan:
    splits: dict[str, tuple[int, ...]] = {}

    def split(posts: Sequence[Post], room: int) -> tuple[int, ...]:
        key = _key(room, _hash_of(posts, fps))
        found = old_splits.get(key) or generator.split_period(posts, room)
        splits[key] = found
        return found

    pages = generator.archive_pages(feed, settings, facts, split) if feed.archived else []
    newest = pages[-1].file if pages else None
    files = tuple(feed.file(fmt) for fmt in generator.FILES)
    key = _key(files, feed.title, newest, [fps[p.id] for p in feed.posts])
    planned = []
    for i, page in enumerate(pages):
        prev = pages[i - 1].file if i else None
        nxt = pages[i + 1].file if i + 1 < len(pages) else None
        parts = (page.file, page.label, feed.title, feed.file("atom"))
        page_key = _key(parts, (prev, nxt), [fps[p.id] for p in page.posts])
        planned.append((page.file, page.label, len(page.posts), page_key))
    return key, newest, tuple(planned), splits


def _jobs(feed: generator.Feed, plan: FeedPlan) -> list[Job]:
    key, newest, planned, _ = plan
    files = tuple(feed.file(fmt) for fmt in generator.FILES)
    jobs = [Job(files, key, feed, newest=newest)]
    pages, end = [], len(feed.history)
    for file, label, count, _ in planned:  # oldest first: from the end of the history
        pages.append(generator.Page(file, label, feed.history[end - count : end]))
        end -= count
    for i, (page, (_, _, _, page_key)) in enumerate(zip(pages, planned, strict=True)):
        prev = pages[i - 1] if i else None
        nxt = pages[i + 1] if i + 1 < len(pages) else None
        jobs.append(Job((page.file,), page_key, feed, page, prev=prev, next=nxt))
    return jobs


def _stat(path: Path) -> Stat | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _current(job: Job, outputs: dict[str, tuple[str, int, int]], out: Path) -> bool:
    """True if every file of `job` was made from the same inputs and is still there."""
    for f in job.files:
        record = outputs.get(f)
        if record is None or record[0] != job.key or _stat(out / f) != record[1:]:
            return False
    return True


def _year(job: Job) -> str:
    return job.page.label[:4] if job.page else ""


def _with_fragments(
    feeds: Sequence[Job], fps: dict[str, str], store: Cache, workers: Workers, options: Options
) -> Iterator[tuple[Job, dict[str, generator.Fragments]]]:
    """Each feed with the fragments of its entries, in order.

    The workers clean the entries no cache holds, in the order the feeds need
    them, while the caller writes the feeds before. Fragments go to the cache
    as they come and are dropped once their feed is written (read back from
    the cache if a later feed shows them too), so memory holds a few feeds'
    entries, not every entry of the build.
    """
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for n, job in enumerate(feeds):
        for p in job.feed.posts:
            first.setdefault(p.id, n)
            last[p.id] = n
    known = store.known_fragments(fps[i] for i in first)
    todo = {p.id: p for job in feeds for p in job.feed.posts if fps[p.id] not in known}
    clean = partial(_fragment_chunk, options.posts, options.settings)
    made = zip(todo, workers.stream(clean, list(todo.values())), strict=True)
    frags: dict[str, generator.Fragments] = {}
    for n, job in enumerate(feeds):
        ids = [p.id for p in job.feed.posts if p.id not in frags]
        found = store.fragments(fps[i] for i in ids if fps[i] in known)
        frags.update((i, found[fps[i]]) for i in ids if fps[i] in found)
        fresh = {}
        while any(i not in frags for i in ids):
            i, fragments = next(made)
            frags[i] = fresh[fps[i]] = fragments
        store.save_fragments(fresh)
        known.update(fresh)
        yield job, frags
        keep = store.persistent
        frags = {i: f for i, f in frags.items() if first[i] > n or (not keep and last[i] > n)}


def _write(
    todo: Sequence[Job],
    jobs: Sequence[Job],
    outputs: dict[str, tuple[str, int, int]],
    fps: dict[str, str],
    store: Cache,
    workers: Workers,
    options: Options,
    progress: Progress | None,
) -> tuple[list[str], dict[str, tuple[str, int, int]]]:
    """Render and write the outputs to redo; return what was written and every output's record.

    Feeds are written as soon as the workers have cleaned their entries (see
    `_with_fragments`); archive entries are dropped once the last archive
    document of their year is written.
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
    for n, (job, frags) in enumerate(_with_fragments(feeds, fps, store, workers, options)):
        put(job, generator.render(job.feed, settings, frags, job.newest))
        if progress:
            progress("render", n + 1, len(feeds))
    # Year by year: an entry is dropped once the last document of its year holds it.
    archives = sorted((j for j in todo if j.page is not None), key=_year)
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
