"""The write phase: clean the shown bodies in the pool, render the jobs, hand the
bytes to the writer, then the site's pages and the manifest.

Each output has a key of everything it is rendered from; only the jobs whose
key changed, or whose files are gone or were touched, are rendered again.
Entries are cleaned once, in the worker processes, in the order the feeds
need them, while the feeds before them are written; what the cache keeps of
them (`FragmentStore`) spares the next build the cleaning.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Protocol

from . import (
    commonmark,
    echoes,
    formats,
    html,
    includes,
    jekyllfeed,
    liquid,
    pages,
    postfiles,
    summaries,
    urls,
    writer,
)
from .model import FILES, Job, Load, Manifest, Post, Record, feed_file, page_file
from .planner import FOLDERS, Published
from .problems import Problem
from .settings import Settings
from .workers import Progress, Workers

_WRITES_AHEAD = 4  # archive documents handed to the workers and not yet written
Lookup = Callable[[Sequence[str]], Mapping[str, bytes]]  # story ids -> their archive entries


class FragmentStore(Protocol):
    """Where rendered entries are kept between builds (the cache), or not."""

    persistent: bool

    def known(self, keys: Iterable[str]) -> set[str]: ...

    def fragments(self, keys: Iterable[str]) -> dict[str, formats.Fragments]: ...

    def save_fragments(self, items: Mapping[str, formats.Fragments]) -> None: ...


@dataclass(frozen=True)
class Target:
    """Where a build writes, from what, and what was there before."""

    root: Path  # the posts, whose bodies are read again
    out: Path
    settings: Settings
    manifest: Manifest  # what the last build left in `out`
    records: Mapping[str, Record]  # of every output the last build wrote (with a cache)
    short: Mapping[str, formats.Cut] = field(default_factory=dict)  # its `Written.short`


@dataclass
class Written:
    """What `write` did: the files written, the record of every output it kept or
    made, and the files it did not write because the output reached its limit."""

    files: list[str]
    records: dict[str, Record]
    skipped: list[str]
    manifest: Manifest = field(default_factory=Manifest)  # the one `publish` wrote
    short: dict[str, formats.Cut] = field(default_factory=dict)  # `formats.Rendered.short`
    removed: list[str] = field(default_factory=list)  # files of the last build's, gone


def rules(settings: Settings, source: str) -> html.ContentRules:
    own = settings.source(source)
    return html.ContentRules(
        remove=html.DEFAULT_REMOVE + own.remove,
        iframes=settings.iframes,
        data_images=settings.data_images,
        summary_chars=settings.summary_chars,
        summary_skip=own.summary_skip,
        referrer_policy=own.referrer_policy,
    )


def content_of(root: Path, settings: Settings, post: Post) -> html.Content:
    """The entry of `post`, with the summary and picture its front matter gives
    (`Post.lead`): the author's summary, or the text of the excerpt, the body before
    its separator (split before rendering, as Jekyll splits it, with the definitions
    of reference links found after it), either up to `summaries.LONGEST`. None if it
    only repeats the title (`echoes.repeats`)."""
    try:
        body = postfiles.read_body(root, post.path, post.body_start, settings.max_bytes)
    except postfiles.Refused:
        body = ""  # changed or gone since it was read: the next build will see it
    shared = summaries.shared_of(body, post.skip, post.title)
    content = _cleaned(body, settings, post, root, shared, promotion=True)
    lead, summary, image = post.lead, content.summary, content.image
    if lead is not None:
        if lead.summary:  # (one of no text, an image alone: the body's)
            summary = summaries.whole(lead.summary) or summary
        elif lead.separator and (cut := body.find(lead.separator)) >= 0:
            head = body[:cut] + (commonmark.references(body, cut) if post.markdown else "")
            summary = _cleaned(head, settings, post, root, shared, whole=True).summary or summary
        image = lead.image or image
    if echoes.repeats(summary, post.title):  # (a video's description: its title)
        summary = ""
    elif summaries.all_shared(post.skip) and not (lead and lead.summary):
        summary = ""  # (what its source's every story says: a channel's description)
    return html.Content(content.html, summary, image and urls.escaped(image))


def _cleaned(
    body: str,
    settings: Settings,
    post: Post,
    root: Path,
    shared: tuple[str, ...] = (),
    whole: bool = False,
    promotion: bool = False,
) -> html.Content:
    """`body` rendered and cleaned, its summary without the parts it `shared` with its
    source's posts (`Post.skip`); `whole`: its summary all of its text (up to LONGEST);
    `promotion`: the body may be its source's promotion (`html.clean` is told if its
    source's stories hold all of it)."""
    if post.liquid:  # Jekyll renders Liquid first, then Markdown
        site = includes.site_of(settings, root)
        body, _ = liquid.render(body, site, post.title, dict(post.links))
    if post.markdown:
        body = commonmark.render_markdown(body)
    source = post.sources[0] if post.sources else ""
    used = rules(settings, source)
    if whole:
        used = replace(used, summary_chars=summaries.LONGEST)
    everywhere = promotion and summaries.all_shared(post.skip)
    return html.clean(body, post.url, used, post.title, shared, everywhere)


def _fragment_chunk(
    root: Path, settings: Settings, posts: Sequence[Post]
) -> list[formats.Fragments]:
    return [formats.fragments(p, content_of(root, settings, p)) for p in posts]


def _clean_ahead(
    feeds: Sequence[Job],
    target: Target,
    workers: Workers,
    store: FragmentStore,
    idle: Iterator[None],
) -> None:
    """Clean the first entries of `feeds` in the workers while the steps of `idle`
    run here (saving the index of a full build: the workers would wait), their
    fragments straight to `store`, where `_with_fragments` finds them."""
    fps = {m.id: m.fp for job in feeds for m in job.feed.head}
    known = store.known(fps.values())
    todo = {p.id: p for job in feeds for p in job.feed.posts if fps[p.id] not in known}
    clean = partial(_fragment_chunk, target.root, target.settings)
    fresh: dict[str, formats.Fragments] = {}
    made = workers.ahead(clean, list(todo.values()), idle)
    for i, fragments in zip(todo, made, strict=False):  # the first of `todo` only
        fresh[fps[i]] = fragments
        if len(fresh) >= 100:
            store.save_fragments(fresh)
            fresh = {}
    store.save_fragments(fresh)


def _with_fragments(
    feeds: Sequence[Job], target: Target, workers: Workers, store: FragmentStore
) -> Iterator[tuple[Job, dict[str, formats.Fragments]]]:
    """Each feed with the fragments of its entries, in order.

    The workers clean the entries no cache holds, in the order the feeds need
    them, while the caller writes the feeds before. Fragments go to the cache
    as they come and are dropped once their feed is written (read back from
    the cache if a later feed shows them too; without one, held to the last feed
    that shows them), so memory holds a few feeds' entries, not every entry of the build.
    """
    fps = {m.id: m.fp for job in feeds for m in job.feed.head}
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for n, job in enumerate(feeds):
        for p in job.feed.posts:
            first.setdefault(p.id, n)
            last[p.id] = n
    ending: dict[int, list[str]] = {}  # after which feed each entry is shown no more
    for i, n in last.items():
        ending.setdefault(n, []).append(i)
    known = store.known(fps[i] for i in first)
    todo = {p.id: p for job in feeds for p in job.feed.posts if fps[p.id] not in known}
    clean = partial(_fragment_chunk, target.root, target.settings)
    made = zip(todo, workers.stream(clean, list(todo.values())), strict=True)
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
        if store.persistent:  # those of this feed: a later feed reads them back
            frags = {}
        else:  # held to the last feed that shows them (no longer compared one by one)
            for i in ending.pop(n, ()):
                del frags[i]


def write(
    jobs: Sequence[Job],
    target: Target,
    lookup: Lookup,
    load: Load,
    used: int,
    workers: Workers,
    store: FragmentStore,
    progress: Progress | None = None,
    idle: Iterator[None] | None = None,
) -> Written:
    """Render and write the outputs whose key changed or whose file is not as it was left.

    Feeds are written as soon as the workers have cleaned their entries (see
    `_with_fragments`), the first of them cleaned while the steps of `idle` run
    (`_clean_ahead`); archive entries are dropped once the last archive
    document of their year is written. The output of a build (`used` bytes of it
    outside `jobs`) stays within `max_output_bytes`: what would pass it is not
    written, and not published.
    """
    settings, out, old = target.settings, target.out, target.records
    todo = [j for j in jobs if not _current(j, old, out)]
    _claim(target, jobs)
    written: list[str] = []
    skipped: list[str] = []
    records = {f: old[f] for job in jobs for f in job.files if f in old}
    redone = {f for job in todo for f in job.files}
    short = {f: n for f, n in target.short.items() if f in records and f not in redone}
    used += sum(r.size for f, r in records.items() if f not in redone)

    pending: deque[tuple[str, list[str], Callable[[], list[writer.Made]]]] = deque()

    def made(key: str, rels: list[str], files: list[writer.Made]) -> None:
        for rel, (new, size, mtime) in zip(rels, files, strict=True):
            if new:
                written.append(rel)
            records[rel] = Record(key, size, mtime)

    def put(job: Job, files: dict[str, bytes], by: Workers | None = None) -> None:
        """Write `files` here, or in the workers `by` if their pool runs."""
        nonlocal used
        size = sum(map(len, files.values()))
        if skipped or used + size > settings.max_output_bytes:
            skipped.extend(files)
            for rel in files:
                records.pop(rel, None)
            return
        used += size
        items = [(writer.target(out, rel), data) for rel, data in files.items()]
        if by is None:
            made(job.key, list(files), writer.write_files(items))
            return
        pending.append((job.key, list(files), by.later(writer.write_files, items)))
        while len(pending) > _WRITES_AHEAD:
            key, rels, result = pending.popleft()
            made(key, rels, result())

    feeds = [j for j in todo if j.part is None]
    if idle is not None and store.persistent:
        _clean_ahead(feeds, target, workers, store, idle)
    for n, (job, frags) in enumerate(_with_fragments(feeds, target, workers, store)):
        rendered = formats.render(job.feed, settings, frags, job.newest)
        short.update(rendered.short)
        put(job, rendered.files)
        if progress:
            progress("render", n + 1, len(feeds))
    for _ in idle or ():  # all of it, before `lookup` is asked
        pass
    # Year by year: an entry is dropped once the last document of its year holds it.
    # The workers, done cleaning, write the documents (mostly the kernel's work:
    # creating files), while this process renders the next ones.
    archives = sorted((j for j in todo if j.part is not None), key=_year)
    docs = [j.part.page(j.feed, load) for j in archives if j.part]
    uses = Counter(m.id for doc in docs for m in doc.members)
    entries: dict[str, bytes] = {}
    for job, doc in zip(archives, docs, strict=True):
        missing = [m.id for m in doc.members if m.id not in entries]
        entries.update(lookup(missing))
        data = formats.archive(job.feed, doc, job.prev, job.next, settings, entries)
        put(job, {doc.file: data}, workers)
        for m in doc.members:
            uses[m.id] -= 1
            if not uses[m.id]:
                del entries[m.id]
    for key, rels, result in pending:
        made(key, rels, result())
    return Written(written, records, skipped, short={f: short[f] for f in records if f in short})


def publish(
    target: Target,
    done: Written,
    kept: Mapping[str, Record],
    shown: Published,
    ids: Mapping[str, str],
) -> Written:
    """Write the site's pages, remove what this build no longer makes (of the files a
    build wrote: nothing else in `out` is touched), then the manifest. Last, so that
    a build that fails before never has its pages point at a file it did not write."""
    settings, out = target.settings, target.out
    records = {**kept, **done.records}
    written = list(done.files)
    listings = [f for f in shown.listings if f.file("atom") in records]  # not past a limit
    site_pages = {
        **pages.STATIC,
        pages.OPML_FILE: pages.opml(listings, settings),
        pages.INDEX_FILE: pages.index_html(listings, settings),
    }
    for feed in listings:
        if feed.alias:
            site_pages[page_file(feed.alias)] = pages.redirect(feed, settings)
    if copies := jekyllfeed.copies(settings, listings):  # where its subscribers are
        taken = {*records, *site_pages}  # (most sites have none: not made for them)
        for also, atom in copies:
            if atom in records and _free(also, taken):
                site_pages[also] = _moved((out / atom).read_bytes(), atom, also)
                taken.add(also)
    for rel, data in site_pages.items():
        path = writer.target(out, rel)
        if writer.write_file(path, data):
            written.append(rel)
        records[rel] = _record("page", path)
    removed = sorted((set(target.records) | target.manifest.files) - {*records, writer.MANIFEST})
    for stale in removed:
        writer.remove_file(out, stale)
    slugs: dict[str, dict[str, str]] = {}
    for listing in listings:
        if listing.kind.folder:
            slug = (listing.alias or listing.folder).rpartition("/")[2]
            slugs.setdefault(listing.kind.name, {})[listing.name] = slug
    aliases = {f.alias: f.folder for f in listings if f.alias}
    manifest = Manifest(frozenset(records) - {writer.MANIFEST}, slugs, dict(ids), aliases)
    path = out / writer.MANIFEST
    writer.write_file(path, writer.manifest_bytes(manifest))  # not a file readers see
    records[writer.MANIFEST] = _record("manifest", path)
    short = {f: n for f, n in target.short.items() if f in kept} | done.short
    return Written(written, records, done.skipped, manifest, short, removed)


def _moved(data: bytes, rel: str, to: str) -> bytes:
    """The feed `rel`'s bytes as a copy at `to` has them: its stylesheet's path from there."""
    was, now = formats.common.prolog(rel).encode(), formats.common.prolog(to).encode()
    return now + data[len(was) :] if data.startswith(was) else data


def _free(rel: str, taken: set[str]) -> bool:
    """Whether a file may be written at `rel` beside the files `taken`: none of them,
    nor in a folder of theirs or holding one, nor in (or named as) a folder a later
    build's feeds may need (the site's feed must be one of them)."""
    if FILES["atom"] not in taken or rel.partition("/")[0] in FOLDERS:
        return False
    return not any(t == rel or t.startswith(f"{rel}/") or rel.startswith(f"{t}/") for t in taken)


ONCE = frozenset({"FP506", "FP507"})  # what this build did: not said again by the next


def output_notes(out: Path, trouble: str, replaced: Sequence[str]) -> list[Problem]:
    """FP507 if the output folder's manifest could not be read (what the last build
    wrote and this one does not is then left there), FP506 for each file that a
    build wrote over in a folder without one: not feedpub's, a person's."""
    if trouble:
        msg = (
            f"the output folder's manifest cannot be read ({trouble}), nor does the cache"
            " know what the last build wrote: the files an earlier build wrote there that"
            " this one does not are left in place"
        )
        return [Problem(os.path.join(out, writer.MANIFEST), 0, 0, "FP507", msg, "file")]
    msg = (
        "replaced a file that was here before, not known as feedpub's (the folder held no manifest)"
    )
    return [Problem(os.path.join(out, rel), 0, 0, "FP506", msg, "file") for rel in replaced]


def budget_notes(settings: Settings, short: Mapping[str, formats.Cut], out: Path) -> list[Problem]:
    """FP505: the feeds whose files show some of their entries as summaries only (or
    not at all) to stay within `feed_bytes`: one note a feed, of its Atom file if it
    is one of them, else of the first, by its path in `out` (as a person opens it)."""
    chosen: dict[str, str] = {}
    for rel in sorted(short):
        folder = rel.rpartition("/")[0]
        if folder not in chosen or rel == feed_file(folder, "atom"):
            chosen[folder] = rel
    notes = []
    for rel in sorted(chosen.values()):
        total, full, shown = short[rel]
        summaries, left = shown - full, total - shown
        of = f"of its {total:,} entries"
        carry = "carries" if summaries == 1 else "carry"
        if total == 1:
            what = "its one entry carries only a summary"
        elif summaries and left:
            what = f"{summaries:,} {of} {carry} only a summary and the {left:,} oldest are left out"
        elif summaries:
            what = f"{summaries:,} {of} (the oldest) {carry} only a summary"
        else:
            what = f"the {left:,} oldest {of} are left out"
        msg = f"to stay within feed_bytes ({settings.feed_bytes:,} bytes), {what}"
        notes.append(Problem(os.path.join(out, rel), 0, 0, "FP505", msg, "feed"))
    return notes


def _record(key: str, path: Path) -> Record:
    return Record(key, *writer.file_stat(path))


def _current(job: Job, records: Mapping[str, Record], out: Path) -> bool:
    """True if every file of `job` was made from the same inputs and is still there."""
    for f in job.files:
        record = records.get(f)
        if record is None or record.key != job.key or _record(job.key, out / f) != record:
            return False
    return True


def _year(job: Job) -> str:
    return job.part.period[:4] if job.part else ""


def _claim(target: Target, jobs: Sequence[Job]) -> None:
    """Add the files `jobs` may write to the manifest before writing any: a build
    killed half-way still leaves every file it made listed as feedpub's own."""
    files = target.manifest.files
    new = {f for job in jobs for f in job.files} - files
    new |= {*pages.STATIC, pages.OPML_FILE, pages.INDEX_FILE} - files
    if new:
        claimed = Manifest(files | new, target.manifest.slugs, target.manifest.ids)
        writer.write_file(target.out / writer.MANIFEST, writer.manifest_bytes(claimed))


def over_limit(settings: Settings, skipped: Sequence[str]) -> list[Problem]:
    """FP504: files not written because the output reached `max_output_bytes`."""
    if not skipped:
        return []
    msg = (
        f"the output reached the limit of {settings.max_output_bytes:,} bytes "
        f"(max_output_bytes): {len(skipped):,} files not written, from {skipped[0]} on"
    )
    return [Problem(skipped[0], 0, 0, "FP504", msg, "feed")]
