"""What the last build made of the posts: the shifts found, each story's entry,
each feed's members by period, and every problem by its owner. Typed rows in,
typed rows out; `delta` patches them, a full build replaces them."""

from __future__ import annotations

import marshal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import NamedTuple

from .. import formats
from ..model import MIX, Feed, FeedKind, Listing, Member, Period, Post, from_micros
from ..planner import KIND, feed_lang, order
from ..problems import Problem
from ..settings import Settings
from ..shifts import Shift
from ..summaries import Leads
from .store import Store, b, dump, loads, s

TABLES = """
CREATE TABLE IF NOT EXISTS shifts (key TEXT PRIMARY KEY, found BLOB);
CREATE TABLE IF NOT EXISTS leads (key BLOB PRIMARY KEY, found BLOB);
CREATE TABLE IF NOT EXISTS entries (id TEXT PRIMARY KEY, fp TEXT, post BLOB, archived BLOB);
CREATE TABLE IF NOT EXISTS feeds (key TEXT PRIMARY KEY, kind TEXT, name TEXT, slug TEXT,
    total INT, updated INT, head BLOB, periods BLOB, lang TEXT, mix TEXT);
CREATE TABLE IF NOT EXISTS members (feed BLOB, period TEXT, members BLOB,
    PRIMARY KEY (feed, period)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS problems (owner TEXT PRIMARY KEY, problems BLOB);
"""
NAMES = ("shifts", "leads", "entries", "feeds", "members", "problems")
_post_values = attrgetter(*(f.name for f in fields(Post)))


def feed_key(kind: FeedKind, name: str) -> bytes:
    return b(f"{kind.name}\0{name}")


def _dump_post(post: Post) -> bytes:
    return dump(_post_values(post))


def _load_post(blob: bytes) -> Post:
    return Post(*loads(blob))


def _members(blob: bytes) -> tuple[Member, ...]:
    return tuple(map(Member._make, marshal.loads(blob)))


class Entry(NamedTuple):
    """A story's entry as the index holds it."""

    fp: str
    post: Post


class FeedRow(NamedTuple):
    """A feed as the index holds it: enough to list it and to plan it."""

    kind: FeedKind
    name: str
    slug: str
    head: tuple[Member, ...]  # its newest members, newest first
    periods: tuple[Period, ...]  # oldest first

    @property
    def key(self) -> bytes:
        return feed_key(self.kind, self.name)

    @property
    def folder(self) -> str:
        return self.kind.path(self.slug)


class Index:
    """The index tables of a cache's `store` (see the module doc)."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.db = store.db
        self.settings = settings
        store.create(TABLES)

    def clear(self) -> None:
        for table in NAMES:
            self.db.execute(f"DELETE FROM {table}")

    # --- shifts -----------------------------------------------------------------------

    def runs(self, source: str) -> tuple[Shift, ...]:
        """The runs of shifted posts found in `source` (none: none)."""
        row = self.db.execute("SELECT found FROM shifts WHERE key = ?", (b(source),)).fetchone()
        found = loads(row[0]) if row else ()
        return tuple(r for r in found if isinstance(r, Shift))

    def put_runs(self, source: str, runs: tuple[Shift, ...]) -> None:
        if runs:
            self.db.execute("INSERT OR REPLACE INTO shifts VALUES (?, ?)", (b(source), dump(runs)))
        else:
            self.db.execute("DELETE FROM shifts WHERE key = ?", (b(source),))

    def leads(self, source: str) -> Leads | None:
        """The leads of `source` (`summaries.leads`; None: not known)."""
        row = self.db.execute("SELECT found FROM leads WHERE key = ?", (b(source),)).fetchone()
        if row is None:
            return None
        margin, found = loads(row[0])
        return Leads(frozenset(found), margin)

    def put_leads(self, source: str, leads: Leads) -> None:
        row = (b(source), dump((leads.margin, sorted(leads.found))))
        self.db.execute("INSERT OR REPLACE INTO leads VALUES (?, ?)", row)

    # --- entries ----------------------------------------------------------------------

    def entry(self, ident: str) -> Entry | None:
        sql = "SELECT fp, post FROM entries WHERE id = ?"
        row = self.db.execute(sql, (b(ident),)).fetchone()
        return Entry(row[0], _load_post(row[1])) if row else None

    def put_entries(self, entries: Iterable[tuple[Post, str]]) -> None:
        """Every story of a full build, with its fingerprint and its archive entry (a
        later build's `archived` finds them all)."""
        self.db.executemany(
            "INSERT INTO entries VALUES (?, ?, ?, ?)",
            ((b(p.id), fp, _dump_post(p), formats.archive_entry(p)) for p, fp in entries),
        )

    def put_entry(self, post: Post, fp: str) -> None:
        """A story that changed: its archive entry is rendered when next needed."""
        self.db.execute(
            "INSERT OR REPLACE INTO entries (id, fp, post) VALUES (?, ?, ?)",
            (b(post.id), fp, _dump_post(post)),
        )

    def delete_entry(self, ident: str) -> None:
        self.db.execute("DELETE FROM entries WHERE id = ?", (b(ident),))

    def posts(self, ids: Sequence[str]) -> dict[str, Post]:
        found: dict[str, Post] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            sql = f"SELECT id, post FROM entries WHERE id IN ({','.join('?' * len(part))})"
            rows = self.db.execute(sql, [b(i) for i in part])
            found.update((s(k), _load_post(v)) for k, v in rows)
        return found

    def archived(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The archive entry of each story of `ids`: saved with the story by a full
        build, else rendered by the first build that needs it, and kept until the
        story changes (a story's archive document is rewritten whenever a story
        near it changes)."""
        found: dict[str, bytes] = {}
        for start in range(0, len(ids), 500):
            part = [b(i) for i in ids[start : start + 500]]
            sql = f"SELECT id, archived FROM entries WHERE id IN ({','.join('?' * len(part))})"
            found.update((s(k), v) for k, v in self.db.execute(sql, part) if v is not None)
        missing = [i for i in ids if i not in found]
        for i, post in self.posts(missing).items():
            found[i] = formats.archive_entry(post)
            sql = "UPDATE entries SET archived = ? WHERE id = ?"
            self.db.execute(sql, (found[i], b(i)))
        return found

    # --- feeds ------------------------------------------------------------------------

    def feed(self, key: bytes) -> FeedRow | None:
        sql = "SELECT kind, name, slug, head, periods FROM feeds WHERE key = ?"
        row = self.db.execute(sql, (key,)).fetchone()
        if row is None:
            return None
        kind, name, slug, head, periods = row
        return FeedRow(KIND[kind], s(name), slug, _members(head), _periods(periods))

    def put_feed(self, row: FeedRow) -> None:
        updated = max((m.updated for m in row.head), default=0)
        total = sum(p.size for p in row.periods)
        blobs = (
            marshal.dumps([tuple(m) for m in row.head]),
            marshal.dumps([tuple(p) for p in row.periods]),
        )
        lang = feed_lang(row.kind, row.name, row.head, self.settings)
        mix = f"{sum(p.mix for p in row.periods) % MIX:x}"  # past SQLite's 64-bit integers
        self.db.execute(
            "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row.key, row.kind.name, b(row.name), row.slug, total, updated, *blobs, lang, mix),
        )

    def delete_feed(self, key: bytes) -> None:
        self.db.execute("DELETE FROM feeds WHERE key = ?", (key,))

    def set_slug(self, key: bytes, slug: str) -> None:
        self.db.execute("UPDATE feeds SET slug = ? WHERE key = ?", (slug, key))

    def slugs(self, kind: FeedKind) -> dict[str, str]:
        """name -> slug of every feed of `kind`."""
        rows = self.db.execute("SELECT name, slug FROM feeds WHERE kind = ?", (kind.name,))
        return {s(name): slug for name, slug in rows}

    def folders(self) -> dict[bytes, str]:
        """feed key -> folder of every feed."""
        rows = self.db.execute("SELECT key, kind, slug FROM feeds")
        return {key: KIND[kind].path(slug) for key, kind, slug in rows}

    def names(self, kind: FeedKind) -> list[str]:
        rows = self.db.execute("SELECT name FROM feeds WHERE kind = ?", (kind.name,))
        return [s(name) for (name,) in rows]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM feeds").fetchone()[0])

    def listings(self) -> list[Listing]:
        sql = "SELECT kind, name, slug, total, updated, lang, mix FROM feeds"
        found = []
        for kind_name, raw, slug, total, updated, lang, mix in self.db.execute(sql):
            name, kind = s(raw), KIND[kind_name]
            title = kind.title(name, self.settings, lang)
            when = from_micros(updated)
            listing = Listing(kind, name, kind.path(slug), title, total, when, lang, int(mix, 16))
            found.append(listing)
        return found

    def feeds(
        self, keys: Iterable[bytes], loaded: Mapping[bytes, Mapping[str, tuple[Member, ...]]]
    ) -> list[Feed]:
        """The feeds of `keys` that exist, their current posts loaded, in plan order,
        with the members of their periods in `loaded` (`members` gives the others)."""
        found = []
        for key in sorted(set(keys)):
            row = self.feed(key)
            if row is None:
                continue
            posts = self.posts([m.id for m in row.head])
            lang = feed_lang(row.kind, row.name, row.head, self.settings)
            found.append(
                Feed(
                    row.kind,
                    row.name,
                    row.folder,
                    row.kind.title(row.name, self.settings, lang),
                    tuple(posts[m.id] for m in row.head),
                    row.head,
                    row.periods,
                    loaded.get(key, {}),
                    lang,
                )
            )
        return sorted(found, key=lambda f: (order(f.kind), f.folder))

    def members(self, feed: Feed, period: str) -> tuple[Member, ...]:
        """The members of one period of `feed`, newest first."""
        return self.period(feed_key(feed.kind, feed.name), period)

    def period(self, key: bytes, period: str) -> tuple[Member, ...]:
        sql = "SELECT members FROM members WHERE feed = ? AND period = ?"
        row = self.db.execute(sql, (key, period)).fetchone()
        return _members(row[0]) if row else ()

    def put_period(self, key: bytes, period: str, members: Sequence[Member]) -> None:
        if members:  # a marshal blob: shares interned months and years
            blob = marshal.dumps([tuple(m) for m in members])
            sql = "INSERT OR REPLACE INTO members VALUES (?, ?, ?)"
            self.db.execute(sql, (key, period, blob))
        else:
            self.db.execute("DELETE FROM members WHERE feed = ? AND period = ?", (key, period))

    def shown(self, key: bytes) -> set[str]:
        """The fingerprints of a feed's newest entries."""
        row = self.db.execute("SELECT head FROM feeds WHERE key = ?", (key,)).fetchone()
        return {m.fp for m in _members(row[0])} if row else set()

    # --- problems ---------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        rows = self.db.execute("SELECT problems FROM problems")
        return sorted(p for (blob,) in rows for p in loads(blob))

    def put_problems(self, owner: str, problems: Sequence[Problem]) -> None:
        """The problems of one owner (a file, a shift group, a story, a kind of feed),
        in place of those it had."""
        if problems:
            row = (b(owner), dump(tuple(problems)))
            self.db.execute("INSERT OR REPLACE INTO problems VALUES (?, ?)", row)
        else:
            self.db.execute("DELETE FROM problems WHERE owner = ?", (b(owner),))


def _periods(blob: bytes) -> tuple[Period, ...]:
    return tuple(map(Period._make, marshal.loads(blob)))
