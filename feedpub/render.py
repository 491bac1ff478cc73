"""Phase two of a build: normalize, plan the feeds, render and write what changed.

Each output gets a key made of everything it is rendered from; only outputs
whose key changed (or whose file is gone or was touched) are rendered again.

A full build normalizes and plans every post and saves the result as the
cache's index. When the index is there and few files changed, the index is
patched instead (see `index`) and only the feeds it names are planned again:
the work follows the change, not the size of the archive.

Imported only when a build has work to do: a build with nothing changed stops
in `build` before this module (and lxml) is loaded.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import collector, config, formats, html, normalizer, pages, planner, writer
from .cache import Cache
from .collector import Read
from .index import Index
from .model import Feed, Job, Listing, Load, Manifest, Member, Options, Post, Summary
from .problems import BuildFailure, Problem, StrictFailure
from .scan import Scanned, Stat, no_posts, unsure
from .settings import Settings
from .workers import Progress, Workers

Outputs = dict[str, tuple[str, int, int]]  # output path -> (key of its inputs, size, mtime_ns)
Lookup = Callable[[Sequence[str]], Mapping[str, bytes]]  # story ids -> their archive entries
SMALL = 0.05  # the share of the posts that may change for a build to patch the index
SMALL_MIN = 200  # ... or this many, whichever is more


@dataclass(frozen=True)
class Context:
    """What every part of phase two works with."""

    options: Options
    store: Cache
    workers: Workers
    outputs: Outputs
    snapshot: str
    progress: Progress | None
    files: int  # post files found
    manifest: Manifest  # what the last build wrote to the output folder


def rebuild(
    options: Options,
    store: Cache,
    workers: Workers,
    found: Scanned,
    outputs: Outputs,
    progress: Progress | None,
) -> Summary:
    """Read what changed; patch the index if the change is small, else build in full."""
    manifest = writer.read_manifest(options.out)
    ctx = Context(
        options, store, workers, outputs, found.snapshot, progress, len(found.stats), manifest
    )
    stats = found.stats
    sure = store.get("snapshot") is not None  # this cache saw a build finish
    with writer.writing(options.out, sure), store.transaction():
        index = Index(store.db, options.settings, manifest.slugs) if store.db is not None else None
        ready = index is not None and index.ready()
        dirty, current, known = set(found.folders), stats, {}
        if index is not None and ready:  # compare only the folders whose stats changed
            dirty = index.dirty(found.digests) | unsure(found.folders)
            current = {
                p: st for f in found.folders if f in dirty for p, st in found.folders[f].items()
            }
            known = index.stats(dirty)
        changed = [p for p, stat in current.items() if known.get(p) != stat or stat[0] < 0]
        digests = index.digests(p for p in changed if p in known) if index is not None else {}
        todo = [(p, stats[p][0], digests.get(p, "")) for p in changed]
        deleted = [path for path in known if path not in current]
        mapper = partial(workers.map, progress=progress, stage="read")
        limits = collector.Limits(options.settings.max_bytes, options.settings.max_tags)
        reads = collector.read_files(options.posts, todo, limits, mapper)
        fresh: dict[str, tuple[Stat, Read]] = {}
        same: dict[str, Stat] = {}
        for (path, _, _), read in zip(todo, reads, strict=True):
            if read is None:
                same[path] = stats[path]
            else:
                fresh[path] = (stats[path], read)
        del reads, todo
        if index is not None:
            index.save_stats(found, dirty)
        if index is not None and ready:
            index.touch(same)
            if len(fresh) + len(deleted) <= max(SMALL_MIN, SMALL * len(stats)):
                summary = _patch(ctx, index, fresh, deleted)
                if summary is not None:
                    return summary
        everything = index.reads() if index is not None and ready else {}
        everything.update((path, (stat, everything[path][1])) for path, stat in same.items())
        everything.update(fresh)
        ordered = {path: everything[path] for path in stats}
        del fresh, everything  # `_full` frees the readings once they are saved
        return _full(ctx, index, ordered)


def _full(ctx: Context, index: Index | None, reads: dict[str, tuple[Stat, Read]]) -> Summary:
    """Normalize and plan every post, save the index, write the outputs whose key changed."""
    settings = ctx.options.settings
    problems = [p for _, read in reads.values() for p in read.problems]
    raws = [read.post for _, read in reads.values() if read.post is not None]
    result = normalizer.normalize(raws, settings)
    if index is not None:
        index.save_files(reads, result)
    posts, problems, posts_read = result.posts, problems + list(result.problems), len(raws)
    reads.clear()  # planning reuses the memory of the readings
    del raws, result  # its `resolved` holds every reading
    feeds, found = planner.plan(posts, settings, ctx.manifest.slugs)
    if index is not None:
        index.save_feeds(posts, feeds, found)
    sources = [f.name for f in feeds if f.kind is planner.KIND["source"]]
    dropped, too_many = planner.over_limit([f.listing for f in feeds], settings.max_feeds)
    feeds = [f for f in feeds if f.folder not in dropped]
    problems = sorted(problems + found + too_many + _setting_problems(ctx, sources))
    counts = (posts_read, len(posts), len(feeds))
    lookup = index.archived if index is not None else _archived(posts)
    del posts
    _check_publishable(ctx, problems, counts)

    def load(feed: Feed, period: str) -> tuple[Member, ...]:
        return feed.members[period]  # a full build has them all

    jobs, plans = planner.jobs(feeds, settings, load, ctx.store.get("plans"))
    done = _write(ctx, jobs, lookup, load, 0)
    if ctx.store.persistent and done.files:
        ctx.store.prune_fragments(m.fp for f in feeds for m in f.head)
    problems = sorted(problems + _over_limit(settings, done.skipped))
    listings = [f.listing for f in feeds]
    return _finish(ctx, done.files, done.records, listings, plans, problems, counts)


def _archived(posts: Sequence[Post]) -> Lookup:
    """Archive entries rendered from the posts (a build without a cache)."""
    by_id = {p.id: p for p in posts}
    return lambda ids: {i: formats.archive_entry(by_id[i]) for i in ids}


def _patch(
    ctx: Context, index: Index, fresh: dict[str, tuple[Stat, Read]], deleted: list[str]
) -> Summary | None:
    """Patch the index with the files that changed; plan and write the feeds it names
    and those whose files were removed or touched since the last build. None when
    the archive has more feeds than `max_feeds`: which are published is then the
    whole archive's question, for a full build."""
    before = index.slugs()
    patch = index.update(fresh, deleted)
    after = index.slugs()
    counts = index.counts()
    if counts[2] > ctx.options.settings.max_feeds:
        return None
    problems = sorted(index.problems() + _setting_problems(ctx, index.names("source")))
    _check_publishable(ctx, problems, counts)
    owners = {folder: key for key, folder in after.items()}
    broken = {_owner(rel) for rel in _broken(ctx.options.out, ctx.outputs)}
    redo = patch.feeds | {owners[f] for f in broken if f in owners}
    folders = {k[f] for k in (before, after) for f in redo if f in k}
    folders |= {f for f in broken if f is not None and f not in owners}  # no feed's any more
    feeds = index.feeds(redo, patch.periods)
    old_plans = ctx.store.get("plans") or {}
    jobs, plans = planner.jobs(feeds, ctx.options.settings, index.members, old_plans)
    plans = {f: p for f, p in old_plans.items() if f not in folders} | plans
    kept = {rel: r for rel, r in ctx.outputs.items() if _owner(rel) not in folders}
    used = sum(r[1] for rel, r in kept.items() if _owner(rel) is not None)
    done = _write(ctx, jobs, index.archived, index.members, used)
    ctx.store.drop_fragments(patch.gone)
    problems = sorted(problems + _over_limit(ctx.options.settings, done.skipped))
    records = kept | done.records
    return _finish(ctx, done.files, records, index.listings(), plans, problems, counts)


def _setting_problems(ctx: Context, sources: Sequence[str]) -> list[Problem]:
    found = config.setting_problems(ctx.options.settings, ctx.options.posts, sources)
    return found + ([] if ctx.files else [no_posts(ctx.options.posts)])


def _check_publishable(
    ctx: Context, problems: Sequence[Problem], counts: tuple[int, int, int]
) -> None:
    """Refuse to publish nothing from something, and anything under --strict with problems."""
    posts_read, entries, _ = counts
    problems = tuple(problems)
    if ctx.files and not posts_read:
        raise BuildFailure(
            f"none of the {ctx.files} post files could be read; nothing was written", problems
        )
    if ctx.files and not entries:
        raise BuildFailure(
            f"no post of the {posts_read} read has a usable time; nothing was written", problems
        )
    if ctx.options.strict and any(p.severity != "info" for p in problems):
        n = sum(p.severity != "info" for p in problems)
        raise StrictFailure(
            f"--strict: {n} problem(s) above (errors or warnings); nothing was written", problems
        )


def _owner(rel: str) -> str | None:
    """The folder of the feed an output belongs to ("" for the site), None for a page."""
    if rel in pages.STATIC or rel in (pages.OPML_FILE, pages.INDEX_FILE, writer.MANIFEST):
        return None
    head, _, rest = rel.partition("/")
    kind = planner.kind_of(rel)
    if rest and kind is not None and kind.folder:
        return f"{head}/{rest.partition('/')[0]}"
    return ""


def _broken(out: Path, outputs: Outputs) -> list[str]:
    """The outputs that are gone or not as the last build left them."""
    base = os.fspath(out)
    found = []
    for rel, (_, size, mtime) in outputs.items():
        try:
            st = os.stat(os.path.join(base, rel))
        except OSError:
            found.append(rel)
            continue
        if st.st_size != size or st.st_mtime_ns != mtime:
            found.append(rel)
    return found


def _finish(
    ctx: Context,
    written: list[str],
    records: Outputs,
    listings: Sequence[Listing],
    plans: planner.Plans,
    problems: Sequence[Problem],
    counts: tuple[int, int, int],
) -> Summary:
    """Write the site pages, remove what no feed makes any more, remember it all."""
    settings, out, store = ctx.options.settings, ctx.options.out, ctx.store
    listings = [f for f in listings if f.file("atom") in records]  # not past a limit
    site_pages = {
        **pages.STATIC,
        pages.OPML_FILE: pages.opml(listings, settings),
        pages.INDEX_FILE: pages.index_html(listings, settings),
    }
    for rel, data in site_pages.items():
        path = writer.target(out, rel)
        if writer.write_file(path, data):
            written.append(rel)
        records[rel] = ("page", *(_stat(path) or (0, 0)))
    for stale in sorted((set(ctx.outputs) | ctx.manifest.files) - set(records)):
        writer.remove_file(out, stale)
    slugs: dict[str, dict[str, str]] = {}
    for listing in listings:
        if listing.kind.folder:
            slug = listing.folder.rpartition("/")[2]
            slugs.setdefault(listing.kind.name, {})[listing.name] = slug
    manifest = Manifest(frozenset(records) - {writer.MANIFEST}, slugs)
    path = out / writer.MANIFEST
    writer.write_file(path, writer.manifest_bytes(manifest))  # not a file readers see
    records[writer.MANIFEST] = ("manifest", *(_stat(path) or (0, 0)))
    store.save_outputs(records)
    store.put("snapshot", ctx.snapshot)
    store.put("plans", plans)
    summary = Summary(
        posts_read=counts[0],
        entries=counts[1],
        feeds=counts[2],
        written=tuple(sorted(written)),
        unchanged=tuple(sorted(set(records) - set(written) - {writer.MANIFEST})),
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
        body = collector.read_body(root, post.path, post.body_start, settings.max_bytes)
    except collector.Refused:
        body = ""  # changed or gone since it was read: the next build will see it
    if post.markdown:
        body = html.render_markdown(body)
    source = post.sources[0] if post.sources else ""
    return html.clean(body, post.url, rules(settings, source))


def _fragment_chunk(
    root: Path, settings: Settings, posts: Sequence[Post]
) -> list[formats.Fragments]:
    return [formats.fragments(p, content_of(root, settings, p)) for p in posts]


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
    return job.part.period[:4] if job.part else ""


def _with_fragments(
    feeds: Sequence[Job], ctx: Context
) -> Iterator[tuple[Job, dict[str, formats.Fragments]]]:
    """Each feed with the fragments of its entries, in order.

    The workers clean the entries no cache holds, in the order the feeds need
    them, while the caller writes the feeds before. Fragments go to the cache
    as they come and are dropped once their feed is written (read back from
    the cache if a later feed shows them too), so memory holds a few feeds'
    entries, not every entry of the build.
    """
    store = ctx.store
    fps = {m.id: m.fp for job in feeds for m in job.feed.head}
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for n, job in enumerate(feeds):
        for p in job.feed.posts:
            first.setdefault(p.id, n)
            last[p.id] = n
    known = store.known_fragments(fps[i] for i in first)
    todo = {p.id: p for job in feeds for p in job.feed.posts if fps[p.id] not in known}
    clean = partial(_fragment_chunk, ctx.options.posts, ctx.options.settings)
    made = zip(todo, ctx.workers.stream(clean, list(todo.values())), strict=True)
    frags: dict[str, formats.Fragments] = {}
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


@dataclass
class Written:
    """What `_write` did: the files written, the record of every output it kept or
    made, and the files it did not write because the output reached its limit."""

    files: list[str]
    records: Outputs
    skipped: list[str]


def _write(ctx: Context, jobs: Sequence[Job], lookup: Lookup, load: Load, used: int) -> Written:
    """Render and write the outputs whose key changed or whose file is not as it was left.

    Feeds are written as soon as the workers have cleaned their entries (see
    `_with_fragments`); archive entries are dropped once the last archive
    document of their year is written. The output of a build (`used` bytes of it
    outside `jobs`) stays within `max_output_bytes`: what would pass it is not
    written, and not published.
    """
    settings, out, outputs = ctx.options.settings, ctx.options.out, ctx.outputs
    todo = [j for j in jobs if not _current(j, outputs, out)]
    _claim(ctx, jobs)
    written: list[str] = []
    skipped: list[str] = []
    records = {f: outputs[f] for job in jobs for f in job.files if f in outputs}
    redone = {f for job in todo for f in job.files}
    used += sum(r[1] for f, r in records.items() if f not in redone)

    def put(job: Job, files: dict[str, bytes]) -> None:
        nonlocal used
        size = sum(map(len, files.values()))
        if skipped or used + size > settings.max_output_bytes:
            skipped.extend(files)
            for rel in files:
                records.pop(rel, None)
            return
        used += size
        for rel, data in files.items():
            path = writer.target(out, rel)
            if writer.write_file(path, data):
                written.append(rel)
            records[rel] = (job.key, *(_stat(path) or (0, 0)))

    feeds = [j for j in todo if j.part is None]
    for n, (job, frags) in enumerate(_with_fragments(feeds, ctx)):
        put(job, formats.render(job.feed, settings, frags, job.newest))
        if ctx.progress:
            ctx.progress("render", n + 1, len(feeds))
    # Year by year: an entry is dropped once the last document of its year holds it.
    archives = sorted((j for j in todo if j.part is not None), key=_year)
    pages = [j.part.page(j.feed, load) for j in archives if j.part]
    uses = Counter(m.id for page in pages for m in page.members)
    entries: dict[str, bytes] = {}
    for job, page in zip(archives, pages, strict=True):
        missing = [m.id for m in page.members if m.id not in entries]
        entries.update(lookup(missing))
        data = formats.archive(job.feed, page, job.prev, job.next, settings, entries)
        put(job, {page.file: data})
        for m in page.members:
            uses[m.id] -= 1
            if not uses[m.id]:
                del entries[m.id]
    return Written(written, records, skipped)


def _claim(ctx: Context, jobs: Sequence[Job]) -> None:
    """Add the files `jobs` may write to the manifest before writing any: a build
    killed half-way still leaves every file it made listed as feedpub's own."""
    files = ctx.manifest.files
    new = {f for job in jobs for f in job.files} - files
    new |= {*pages.STATIC, pages.OPML_FILE, pages.INDEX_FILE} - files
    if new:
        claimed = Manifest(files | new, ctx.manifest.slugs)
        writer.write_file(ctx.options.out / writer.MANIFEST, writer.manifest_bytes(claimed))


def _over_limit(settings: Settings, skipped: Sequence[str]) -> list[Problem]:
    """FP504: files not written because the output reached `max_output_bytes`."""
    if not skipped:
        return []
    msg = (
        f"the output reached the limit of {settings.max_output_bytes:,} bytes "
        f"(max_output_bytes): {len(skipped):,} files not written, from {skipped[0]} on"
    )
    return [Problem(skipped[0], 0, 0, "FP504", msg, "feed")]
