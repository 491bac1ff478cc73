"""The cache's one door: what a build asks of it, with a cache or without (`NoCache`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cached_property
from operator import attrgetter
from pathlib import Path

from .. import formats, normalizer, planner, writer
from ..model import FILES, Feed, Listing, Load, Manifest, Member, Post, Reading, Record, Summary
from ..planner import Plans
from ..problems import Problem
from ..scan import Scanned
from ..settings import Settings
from . import snapshot
from .delta import Delta, full_groups
from .index import FeedRow, Index, feed_key
from .outputs import NoOutputs, Outputs
from .readings import Groups, Readings
from .store import Store, memory_file

SMALL = 0.05  # the share of the posts that may change for a build to patch the index
SMALL_MIN = 200  # ... or this many, whichever is more
SAVE_STEP = 500  # stories saved in the index per step of `Derived.saving`
Lookup = Callable[[Sequence[str]], Mapping[str, bytes]]  # story ids -> their archive entries
Todo = list[tuple[str, int, str]]  # (path, size, known content hash) of the files to read
Reader = Callable[[Todo], list[Reading | None]]


@dataclass
class Changes:
    """What a build read: every file (a full build) or only those that changed."""

    files: dict[str, Reading]  # path -> reading
    deleted: list[str] = field(default_factory=list)
    full: bool = True  # `files` holds every file, in scan order


@dataclass(frozen=True)
class Pending:
    """What a build is to read, found before the scan is dropped (its parts, 7.5 MB at
    50,000 posts, are not held through the reading)."""

    todo: Todo
    deleted: list[str]
    order: list[str] | None  # every post file, in scan order; None: a small change for sure
    full: bool = False  # every file is read: a build without a cache, or its first
    whole: bool = False  # every post planned again, however few changed (see `Cache.pending`)


@dataclass(frozen=True)
class Derived:
    """The feeds of the posts, as a build is to write them."""

    problems: list[Problem]
    posts_read: int
    entries: int
    feeds: list[Feed]  # the feeds to plan and write: all of them, or those a change touched
    listings: list[Listing]  # every feed
    load: Load  # the members of the periods a feed does not hold
    lookup: Lookup  # the archive entries of stories
    redo: frozenset[str] | None = None  # output folders to write again; None: all of them
    gone: tuple[str, ...] = ()  # fingerprints of entries no feed shows any more
    ids: Mapping[str, str] = field(default_factory=dict)  # see `Manifest.ids`
    # Steps that save a full build's plan in the index: `render.write` runs them while
    # the workers clean the first entries, all of them before `lookup` is first asked.
    saving: Iterator[None] | None = None


def _small(files: int) -> float:
    """At most how many of `files` post files may change for a build to patch the index."""
    return max(SMALL_MIN, SMALL * files)


def _memory(manifest: object) -> object:
    """What a manifest remembers for the planning (not the files it lists)."""
    if not isinstance(manifest, Manifest):
        return None
    return manifest.slugs, manifest.ids, manifest.aliases


def owner(rel: str) -> str:
    """The folder of the feed an output belongs to ("" for the site and the pages)."""
    head, _, rest = rel.partition("/")
    kind = planner.kind_of(rel)
    if rest and kind is not None and kind.folder:
        return f"{head}/{rest.partition('/')[0]}"
    return ""


def published_in(files: Iterable[str]) -> set[str]:
    """The folders of the feeds whose Atom file is among `files`."""
    atom = FILES["atom"]
    found = set()
    for rel in files:
        if rel.endswith(atom) and owner(rel) == (folder := rel[: -len(atom)].rstrip("/")):
            found.add(folder)
    return found


def _plan_all(
    index: Index | None,
    readings: Readings | None,
    files: dict[str, Reading],
    settings: Settings,
    manifest: Manifest,
) -> Derived:
    """Normalize and plan every post (and, with an index, save what they came to).

    The readings are saved and dropped as soon as they are normalized: planning
    reuses their memory.
    """
    problems = [p for reading in files.values() for p in reading.problems]
    raws = [reading.post for reading in files.values() if reading.post is not None]
    posts_read = len(raws)
    result = normalizer.normalize(raws, settings, manifest.ids)
    del raws
    problems += result.problems
    ids = {t.raw.path: t.ident for t in result.resolved if t.own}
    posts = result.posts
    if index is not None and readings is not None:
        index.clear()
        _save_problems(index, problems)
        for source, runs in result.runs.items():
            index.put_runs(source, runs)
        for source, leads in result.leads.items():
            index.put_leads(source, leads)
        times = {t.raw.path: t for t in result.resolved}
        del result  # its `resolved` holds every reading: `times` alone does now
        readings.replace_all(_saved_rows(files, times))
        del times
    else:
        del result  # its `resolved` holds every reading
    files.clear()
    feeds, slug_problems = planner.plan(posts, settings, manifest.slugs)
    problems += slug_problems
    lookup: Lookup
    saving = None
    if index is not None:
        _save_problems(index, slug_problems)
        saving = _save_planned(index, list(posts), feeds)
        lookup = index.archived
    else:
        by_id = {p.id: p for p in posts}
        lookup = lambda ids: {i: formats.archive_entry(by_id[i]) for i in ids}  # noqa: E731
    return Derived(
        problems=sorted(problems),
        posts_read=posts_read,
        entries=len(posts),
        feeds=feeds,
        listings=[f.listing for f in feeds],
        load=_held,
        lookup=lookup,
        ids=ids,
        saving=saving,
    )


def _saved_rows(
    files: dict[str, Reading], times: dict[str, normalizer.Timed]
) -> Iterator[tuple[str, Reading, Groups]]:
    """The rows of `Readings.replace_all`, in scan order, each file's reading and time
    dropped once its row is made: the normalizer's peak is not topped by the saving."""
    for path in list(files):
        reading, t = files.pop(path), times.pop(path, None)
        yield path, reading, _NO_GROUPS if t is None else full_groups(t)


_NO_GROUPS = Groups(None, None)


def _save_planned(index: Index, posts: list[Post], feeds: Sequence[Feed]) -> Iterator[None]:
    """Save the stories (with their archive entries), feeds and periods of a full
    build in the index, a step of a few milliseconds at a time (`Derived.saving`):
    1.4 s at 50,000 posts, in which the workers, idle else, clean entries. Stories
    are dropped once saved (the feeds hold those they show): the cleaning reuses
    their memory."""
    site = feeds[0]
    fps = {m.id: m.fp for members in site.members.values() for m in members}
    posts.sort(key=attrgetter("id"))  # in key order: random inserts spill SQLite's cache
    while posts:
        step = posts[:SAVE_STEP]
        del posts[:SAVE_STEP]
        index.put_entries((p, fps[p.id]) for p in step)
        del step
        yield
    for feed in feeds:
        slug = feed.folder.rpartition("/")[2]
        index.put_feed(FeedRow(feed.kind, feed.name, slug, feed.head, feed.periods))
        for name, members in feed.members.items():
            index.put_period(feed_key(feed.kind, feed.name), name, members)
        yield


def _held(feed: Feed, period: str) -> tuple[Member, ...]:
    return feed.members[period]  # a full build has them all


def _save_problems(index: Index, problems: Sequence[Problem]) -> None:
    owners: dict[str, list[Problem]] = {}
    for p in problems:
        owners.setdefault(p.owned_by, []).append(p)
    for owner_, found in owners.items():
        index.put_problems(owner_, found)


class NoCache:
    """A build without a cache: everything read, normalized and planned from scratch."""

    sure = False  # whether the output folder is as a build through this cache left it
    outputs = NoOutputs()

    def manifest(self, found: Manifest) -> Manifest:
        return found

    def pending(self, found: Scanned, manifest: Manifest) -> Pending:
        todo = [(path, stat[0], "") for path, stat in found.stats().items()]
        return Pending(todo, [], [path for path, _, _ in todo], full=True)

    def read(self, pending: Pending, read: Reader) -> Changes:
        files = {}
        for (path, _, _), reading in zip(pending.todo, read(pending.todo), strict=True):
            assert reading is not None  # no known hash: every file is read
            files[path] = reading
        return Changes(files)

    def derive(
        self,
        changes: Changes,
        settings: Settings,
        manifest: Manifest,
        records: Mapping[str, Record],
        out: Path,
    ) -> Derived:
        files, changes.files = changes.files, {}  # planning reuses the readings' memory
        return _plan_all(None, None, files, settings, manifest)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield

    def commit(
        self, snap: str, summary: Summary, derived: Derived, plans: Plans, manifest: Manifest
    ) -> None:
        pass

    def close(self) -> None:
        pass


class Cache:
    """The incremental cache in `folder` (see the module doc)."""

    def __init__(self, folder: Path, settings: Settings) -> None:
        self.settings = settings
        self.folder = folder
        self.store = Store(folder, settings.fingerprint())
        self.readings = Readings(self.store)
        self.index = Index(self.store, settings)
        self.outputs = Outputs(self.store)
        self.sure = self.store.get("snapshot") is not None  # it saw a build finish
        self._dirty: set[str] = set()

    @cached_property
    def _last_manifest(self) -> object:
        """The copy of the last build's manifest (`commit`), read once a build. A file
        beside the database, which a new feedpub or new settings empty: the ids a site
        that moved (FP403) or an older version published are kept all the same."""
        found = writer.read_manifest(self.folder, memory_file())
        if found.slugs or found.ids or found.aliases:
            return found
        return self.store.older_memory  # the copy earlier versions kept in the database

    def manifest(self, found: Manifest) -> Manifest:
        """The output folder's manifest; if it has none (made afresh, as a CI runner's
        is), what the last build's said: the paths names were given and the ids kept
        for readers are remembered all the same (but not the files it holds)."""
        last = self._last_manifest
        return found if found.files or not isinstance(last, Manifest) else last

    def pending(self, found: Scanned, manifest: Manifest) -> Pending:
        """The files whose stats changed; their stats are saved for the next build.

        Every post is planned again if `manifest` remembers other paths or ids than
        the last build's (edited to drop a kept id, or another build's): the index
        holds what the last build made of them."""
        if not self.readings.ready():  # a cold cache: every file
            todo = [(path, stat[0], "") for path, stat in found.stats().items()]
            self.readings.save_stats(found, found.parts)
            return Pending(todo, [], [path for path, _, _ in todo], full=True)
        dirty = self.readings.dirty(found.digests) | found.unsure  # only those folders
        known = self.readings.stats(dirty)
        current = found.stats(dirty)
        changed = [p for p, stat in current.items() if known.get(p) != stat or stat[0] < 0]
        digests = self.readings.digests(p for p in changed if p in known)
        todo = [(p, current[p][0], digests.get(p, "")) for p in changed]
        deleted = [path for path in known if path not in current]
        self.readings.save_stats(found, dirty)
        whole = _memory(manifest) != _memory(self._last_manifest)
        small = len(todo) + len(deleted) <= _small(found.files) and not whole
        return Pending(todo, deleted, None if small else list(found.stats()), whole=whole)

    def read(self, pending: Pending, read: Reader) -> Changes:
        """Read the pending files (those whose content hash changed too): only they
        change after a small change, else every file with the others' last readings."""
        fresh = {  # None: a new stat, the known content (a fresh clone, a `touch`)
            path: reading
            for (path, _, _), reading in zip(pending.todo, read(pending.todo), strict=True)
            if reading is not None
        }
        order, deleted = pending.order, pending.deleted
        small = len(fresh) + len(deleted) <= _small(len(order or ()))
        if order is None or (not pending.full and not pending.whole and small):
            return Changes(fresh, deleted, full=False)
        everything = {} if pending.full else self.readings.all()
        everything.update(fresh)
        return Changes({path: everything[path] for path in order})

    def derive(
        self,
        changes: Changes,
        settings: Settings,
        manifest: Manifest,
        records: Mapping[str, Record],
        out: Path,
    ) -> Derived:
        """The feeds to write: all of them, or after a small change those it touched
        and those whose files were removed or touched since the last build."""
        if changes.full:
            files, changes.files = changes.files, {}  # planning reuses the readings' memory
            return _plan_all(self.index, self.readings, files, settings, manifest)
        before = self.index.folders()
        delta = Delta(self.readings, self.index, settings, manifest.slugs, manifest.ids)
        patch = delta.apply(changes.files, changes.deleted)
        if self.index.count() > settings.max_feeds:  # which are published: a full question
            return self.derive(Changes(self.readings.all()), settings, manifest, records, out)
        after = self.index.folders()
        owners = {folder: key for key, folder in after.items()}
        broke = {owner(rel) for rel in snapshot.broken(out, records)}
        listings = self.index.listings()
        # feeds published now and not then, or then and not now, though no post of
        # theirs changed: another feed came to hold the same posts, or stopped to
        was = published_in(manifest.files)
        hidden = planner.published(listings, settings, was).hidden
        now = {f.folder for f in listings if f.folder not in hidden}
        broke |= now ^ was
        redo = patch.feeds | {owners[f] for f in broke if f in owners}
        folders = {k[f] for k in (before, after) for f in redo if f in k}
        folders |= {f for f in broke if f not in owners}  # no feed's any more
        return Derived(
            problems=self.index.problems(),
            posts_read=self.readings.posts_read(),
            entries=next(f.total for f in listings if f.kind is planner.SITE),  # holds every post
            feeds=self.index.feeds(redo, patch.periods),
            listings=listings,
            load=self.index.members,
            lookup=self.index.archived,
            redo=frozenset(folders),
            gone=patch.gone,
            ids=self.readings.own_ids(),
        )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.store.transaction():
            yield

    def commit(
        self, snap: str, summary: Summary, derived: Derived, plans: Plans, manifest: Manifest
    ) -> None:
        """Remember this build: its snapshot, summary, plans, manifest; fragments no feed
        shows go."""
        if derived.redo is None:
            if summary.written:
                self.outputs.prune_fragments(m.fp for f in derived.feeds for m in f.head)
        else:
            self.outputs.drop_fragments(derived.gone)
        self.outputs.save_plans(plans)
        memory = writer.manifest_bytes(replace(manifest, files=frozenset()))  # see `manifest`
        writer.write_file(self.folder / memory_file(), memory)
        snapshot.save(self.store, snap, summary, self.settings)

    def close(self) -> None:
        self.store.close()
