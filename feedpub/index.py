"""The index: what the last build made of every post, kept in the cache and
patched by the files that change, so that a build after a small change costs
in proportion to the change, not to the archive.

A full build (`save_files`, then `save_feeds`) stores every file's reading,
the shift found in each (source, month of the markers), every story's entry
and every feed's members.
A later build (`update`) redoes only what the changed files can reach: the
shift of their months (and, if that changed, the times of every file of the
month), the stories they hold or held (merging each story's copies again)
and the feeds those stories are or were in. Everything here runs the
normalizer's and the generator's own functions on those subsets, so a patched
index holds what a full build would have made; the tests compare the two.
"""

from __future__ import annotations

import marshal
import pickle
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from . import formats, normalizer, planner
from .collector import RawPost, Read
from .model import Feed, Listing, Member, Period, Post, from_micros
from .normalizer import ShiftFound, ShiftKey, Timed
from .planner import KIND
from .problems import Problem
from .scan import Scanned, Stat
from .settings import Settings
from .slugs import assign_slugs

TABLES = """
CREATE TABLE IF NOT EXISTS files (path BLOB PRIMARY KEY, size INT, mtime INT, digest TEXT,
    shift TEXT, ident TEXT, ok INT, read BLOB);
CREATE INDEX IF NOT EXISTS files_shift ON files (shift) WHERE shift IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_ident ON files (ident) WHERE ident IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_ok ON files (ok) WHERE ok;
CREATE TABLE IF NOT EXISTS shifts (key TEXT PRIMARY KEY, found BLOB);
CREATE TABLE IF NOT EXISTS entries (id TEXT PRIMARY KEY, fp TEXT, post BLOB, archived BLOB);
CREATE TABLE IF NOT EXISTS feeds (key TEXT PRIMARY KEY, kind TEXT, name TEXT, slug TEXT,
    total INT, updated INT, head BLOB, periods BLOB);
CREATE TABLE IF NOT EXISTS members (feed BLOB, period TEXT, members BLOB,
    PRIMARY KEY (feed, period)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS problems (owner TEXT PRIMARY KEY, problems BLOB);
CREATE TABLE IF NOT EXISTS folders (folder BLOB PRIMARY KEY, stats BLOB);
"""
NAMES = ("files", "shifts", "entries", "feeds", "members", "problems")
_raw_values = attrgetter(*(f.name for f in fields(RawPost) if f.name != "path"))
_post_values = attrgetter(*(f.name for f in fields(Post)))


def _b(text: str) -> bytes:
    """Text as SQLite can hold it: paths, names and URLs from files that are not
    UTF-8 carry surrogates, which SQLite's TEXT cannot."""
    return text.encode("utf-8", "surrogateescape")


def _s(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def _dump(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _dump_read(read: Read) -> bytes:
    """A reading as a tuple of its values: half the bytes and time of the dataclass.
    Not its path, the row's key: pickling a string that is not ASCII leaves a UTF-8
    copy of it cached in the string, for as long as the build holds it."""
    post = _raw_values(read.post) if read.post is not None else None
    return _dump((post, read.problems))


def _load_read(path: str, blob: bytes) -> Read:
    post, problems = pickle.loads(blob)
    return Read(RawPost(path, *post) if post is not None else None, problems)


def _dump_post(post: Post) -> bytes:
    return _dump(_post_values(post))


def _load_post(blob: bytes) -> Post:
    return Post(*pickle.loads(blob))


def _shift(key: ShiftKey | None) -> bytes | None:
    if key is None:
        return None
    source, (year, month) = key
    return _b(f"{source}\0{year:04d}-{month:02d}")


def _feed_key(kind: str, name: str) -> bytes:
    return _b(f"{kind}\0{name}")


@dataclass(frozen=True)
class Entry:
    """A story that changed: what it was and what it is (None: absent)."""

    old: Post | None
    old_fp: str | None
    new: Post | None
    new_member: Member | None


@dataclass(frozen=True)
class Patch:
    """What patching the index changed."""

    feeds: set[bytes]  # keys of the feeds to plan again
    periods: dict[bytes, dict[str, tuple[Member, ...]]]  # the members of the periods that changed
    gone: tuple[str, ...]  # fingerprints no feed shows any more: their fragments can go


class Index:
    """The index in the cache's database (see the module doc)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        settings: Settings,
        taken: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.taken = taken or {}  # the last build's slugs, by kind (see `assign_slugs`)
        self.ctx = normalizer.Context(settings)
        for statement in TABLES.split(";")[:-1]:  # not executescript: it commits
            db.execute(statement)

    # --- reading ---------------------------------------------------------------

    def ready(self) -> bool:
        return self._digests() is not None

    def _digests(self) -> dict[str, bytes] | None:
        """The hash of each folder's stats (one blob: loaded by every build)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'digests'").fetchone()
        return None if row is None else marshal.loads(row[0])

    def dirty(self, digests: Mapping[str, bytes]) -> set[str]:
        """The folders whose stats are not as the index holds them, or that went."""
        old = self._digests() or {}
        return {f for f, d in digests.items() if old.get(f) != d} | (old.keys() - digests.keys())

    def stats(self, folders: Iterable[str]) -> dict[str, Stat]:
        """path -> (size, mtime_ns) of the files of `folders` the index holds (a blob
        per folder: 50,000 rows of a table take ten times as long to load)."""
        found: dict[str, Stat] = {}
        for folder in folders:
            sql = "SELECT stats FROM folders WHERE folder = ?"
            row = self.db.execute(sql, (_b(folder),)).fetchone()
            if row is not None:
                found.update(marshal.loads(row[0]))
        return found

    def save_stats(self, found: Scanned, folders: Iterable[str]) -> None:
        """Remember the stats of `folders` (all the others are as the index holds them)."""
        for folder in folders:
            if folder in found.folders:
                blob = marshal.dumps(found.folders[folder], 2)
                self.db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?)", (_b(folder), blob))
            else:
                self.db.execute("DELETE FROM folders WHERE folder = ?", (_b(folder),))
        blob = marshal.dumps(found.digests, 2)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('digests', ?)", (blob,))

    def digests(self, paths: Iterable[str]) -> dict[str, str]:
        """The content hash of each of `paths` the index holds."""
        found = {}
        for path in paths:
            sql = "SELECT digest FROM files WHERE path = ?"
            row = self.db.execute(sql, (_b(path),)).fetchone()
            if row is not None:
                found[path] = row[0]
        return found

    def reads(self) -> dict[str, tuple[Stat, Read]]:
        rows = self.db.execute("SELECT path, size, mtime, read FROM files")
        found = {}
        for raw_path, size, mtime, blob in rows:
            path = _s(raw_path)
            found[path] = ((size, mtime), _load_read(path, blob))
        return found

    def counts(self) -> tuple[int, int, int]:
        """(files read as posts, entries, feeds)."""
        one = self.db.execute
        return (
            one("SELECT count(*) FROM files WHERE ok").fetchone()[0],
            one("SELECT count(*) FROM entries").fetchone()[0],
            one("SELECT count(*) FROM feeds").fetchone()[0],
        )

    def problems(self) -> list[Problem]:
        rows = self.db.execute("SELECT problems FROM problems")
        return sorted(p for (blob,) in rows for p in pickle.loads(blob))

    def slugs(self) -> dict[bytes, str]:
        """feed key -> folder of every feed."""
        rows = self.db.execute("SELECT key, kind, slug FROM feeds")
        return {key: KIND[kind].path(slug) for key, kind, slug in rows}

    def names(self, kind: str) -> list[str]:
        """The names of the feeds of `kind`."""
        rows = self.db.execute("SELECT name FROM feeds WHERE kind = ?", (kind,))
        return [_s(name) for (name,) in rows]

    def listings(self) -> list[Listing]:
        rows = self.db.execute("SELECT kind, name, slug, total, updated FROM feeds")
        found = []
        for kind, raw, slug, total, updated in rows:
            name = _s(raw)
            row = KIND[kind]
            folder, title = row.path(slug), row.title(name, self.settings)
            found.append(Listing(row, name, folder, title, total, from_micros(updated)))
        return found

    def feeds(
        self, keys: Iterable[bytes], loaded: Mapping[bytes, Mapping[str, tuple[Member, ...]]]
    ) -> list[Feed]:
        """The feeds of `keys` that exist, their current posts loaded, in plan order,
        with the members of their periods in `loaded` (`members` gives the others)."""
        found = []
        for key in sorted(set(keys)):
            sql = "SELECT kind, name, slug, head, periods FROM feeds WHERE key = ?"
            row = self.db.execute(sql, (key,)).fetchone()
            if row is None:
                continue
            kind, name, slug, head_blob, periods_blob = row
            name = _s(name)
            head = tuple(map(Member._make, marshal.loads(head_blob)))
            posts = self.posts([m.id for m in head])
            found.append(
                Feed(
                    KIND[kind],
                    name,
                    KIND[kind].path(slug),
                    KIND[kind].title(name, self.settings),
                    tuple(posts[m.id] for m in head),
                    head,
                    tuple(map(Period._make, marshal.loads(periods_blob))),
                    loaded.get(key, {}),
                )
            )
        return sorted(found, key=lambda f: (planner.order(f.kind), f.folder))

    def members(self, feed: Feed, period: str) -> tuple[Member, ...]:
        """The members of one period of `feed`, newest first."""
        return self._members(_feed_key(feed.kind.name, feed.name), period)

    def _members(self, key: bytes, period: str) -> tuple[Member, ...]:
        sql = "SELECT members FROM members WHERE feed = ? AND period = ?"
        row = self.db.execute(sql, (key, period)).fetchone()
        return tuple(map(Member._make, marshal.loads(row[0]))) if row else ()

    def archived(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The archive entry of each story of `ids`: saved with the story by a full
        build, else rendered by the first build that needs it, and kept until the
        story changes (a story's archive document is rewritten whenever a story
        near it changes)."""
        found: dict[str, bytes] = {}
        for start in range(0, len(ids), 500):
            part = [_b(i) for i in ids[start : start + 500]]
            sql = f"SELECT id, archived FROM entries WHERE id IN ({','.join('?' * len(part))})"
            found.update((_s(k), v) for k, v in self.db.execute(sql, part) if v is not None)
        missing = [i for i in ids if i not in found]
        for i, post in self.posts(missing).items():
            found[i] = formats.archive_entry(post)
            sql = "UPDATE entries SET archived = ? WHERE id = ?"
            self.db.execute(sql, (found[i], _b(i)))
        return found

    def posts(self, ids: Sequence[str]) -> dict[str, Post]:
        found: dict[str, Post] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            sql = f"SELECT id, post FROM entries WHERE id IN ({','.join('?' * len(part))})"
            rows = self.db.execute(sql, [_b(i) for i in part])
            found.update((_s(k), _load_post(v)) for k, v in rows)
        return found

    # --- a full build ------------------------------------------------------------

    def save_files(self, reads: Mapping[str, tuple[Stat, Read]], result: normalizer.Result) -> None:
        """Replace the index with what a full build read and normalized: every file's
        reading, time and story, the shifts and their problems. `save_feeds` adds the
        entries and feeds once they are planned: the readings can go first."""
        db = self.db
        for table in NAMES:
            db.execute(f"DELETE FROM {table}")
        timed = {t.raw.path: t for t in result.resolved}
        owners: dict[str, list[Problem]] = defaultdict(list)

        def files() -> Iterator[tuple[Any, ...]]:  # a generator: 50,000 rows never held at once
            for path, ((size, mtime), read) in reads.items():
                t = timed.get(path)
                shift = _shift(normalizer.shift_key(t.source, t.marker)) if t else None
                digest = read.post.digest if read.post else ""
                ident = _b(t.ident) if t else None
                ok = read.post is not None
                yield (_b(path), size, mtime, digest, shift, ident, ok, _dump_read(read))

        db.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)", files())
        for path, (_, read) in reads.items():
            if read.problems:
                owners[f"f:{path}"] += read.problems
        for found in result.shifts:
            key = f"{found.source}\0{found.month}"
            db.execute("INSERT INTO shifts VALUES (?, ?)", (_b(key), _dump(found)))
            owners[f"g:{key}"].append(normalizer.shift_problem(found, self.settings))
        for p in result.problems:
            if p.code == "FP401":
                owners[f"i:{timed[p.path].ident}"].append(p)
            elif p.code != "FP305":
                owners[f"f:{p.path}"].append(p)
        self._put_problems(owners)

    def save_feeds(
        self, posts: Sequence[Post], feeds: Sequence[Feed], slug_problems: Sequence[Problem]
    ) -> None:
        """After `save_files`: every story's entry, every feed and the slug problems."""
        db = self.db
        owners: dict[str, list[Problem]] = defaultdict(list)
        for p in slug_problems:
            kind = planner.kind_of(p.path)
            assert kind is not None
            owners[f"k:{kind.name}"].append(p)
        self._put_problems(owners)
        site = feeds[0]
        fps = {m.id: m.fp for members in site.members.values() for m in members}
        db.executemany(  # with its archive entry: a later build's `archived` finds them all
            "INSERT INTO entries VALUES (?, ?, ?, ?)",
            ((_b(p.id), fps[p.id], _dump_post(p), formats.archive_entry(p)) for p in posts),
        )
        for feed in feeds:
            slug = feed.folder.rpartition("/")[2]
            self._put_feed(feed.kind.name, feed.name, slug, feed.head, feed.periods)
            for period, members in feed.members.items():
                self._put_members(_feed_key(feed.kind.name, feed.name), period, members)

    def _put_problems(self, owners: Mapping[str, Sequence[Problem]]) -> None:
        self.db.executemany(
            "INSERT INTO problems VALUES (?, ?)", ((_b(o), _dump(ps)) for o, ps in owners.items())
        )

    def _put_feed(
        self, kind: str, name: str, slug: str, head: Sequence[Member], periods: Sequence[Period]
    ) -> None:
        updated = max((m.updated for m in head), default=0)
        total = sum(p.size for p in periods)
        blobs = marshal.dumps([tuple(m) for m in head]), marshal.dumps([tuple(p) for p in periods])
        self.db.execute(
            "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_feed_key(kind, name), kind, _b(name), slug, total, updated, *blobs),
        )

    def _put_members(self, key: bytes, period: str, members: Sequence[Member]) -> None:
        if members:  # a marshal blob: shares interned months and years
            blob = marshal.dumps([tuple(m) for m in members])
            sql = "INSERT OR REPLACE INTO members VALUES (?, ?, ?)"
            self.db.execute(sql, (key, period, blob))
        else:
            self.db.execute("DELETE FROM members WHERE feed = ? AND period = ?", (key, period))

    # --- a small change --------------------------------------------------------------

    def touch(self, stats: Mapping[str, Stat]) -> None:
        """New stats for files whose content did not change (a fresh clone, a `touch`)."""
        self.db.executemany(
            "UPDATE files SET size = ?, mtime = ? WHERE path = ?",
            ((s, m, _b(p)) for p, (s, m) in stats.items()),
        )

    def update(self, changed: Mapping[str, tuple[Stat, Read]], deleted: Sequence[str]) -> Patch:
        """Patch the index with the files that changed, came or went."""
        old = self._old_rows(list(changed) + list(deleted))
        for path in deleted:
            self.db.execute("DELETE FROM files WHERE path = ?", (_b(path),))
            self._set_problems(f"f:{path}", ())
        retime = set()
        groups = {shift for shift, _ in old.values() if shift}
        for path, ((size, mtime), read) in changed.items():
            shift = ident = None
            if read.post is not None:
                retime.add(path)
                p = self.ctx.parse(read.post)
                shift = _shift(normalizer.shift_key(p.source, p.marker))
                ident = old.get(path, (None, None))[1]  # until it is timed again
            if shift:
                groups.add(shift)
            digest = read.post.digest if read.post else ""
            self.db.execute(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (_b(path), size, mtime, digest, shift, ident and _b(ident),
                 read.post is not None, _dump_read(read)),
            )  # fmt: skip
            self._set_problems(f"f:{path}", read.problems)
        for key in sorted(groups):
            if self._redo_shift(key):
                retime.update(self._paths("shift", key))
        idents = {ident for _, ident in old.values() if ident}
        for path in sorted(retime):
            idents |= self._retime(path)
        entries = self._remerge(sorted(idents))
        gone = tuple(e.old_fp for e in entries if e.old_fp)
        loaded: dict[bytes, dict[str, tuple[Member, ...]]] = {}
        left: set[tuple[str, str]] = set()
        feeds = self._feeds_of(entries, loaded, left)
        return Patch(feeds, loaded, gone + self._unshown(left))

    def _old_rows(self, paths: Sequence[str]) -> dict[str, tuple[bytes | None, str | None]]:
        found = {}
        for path in paths:
            row = self.db.execute(
                "SELECT shift, ident FROM files WHERE path = ?", (_b(path),)
            ).fetchone()
            if row is not None:
                found[path] = (row[0], row[1] and _s(row[1]))
        return found

    def _paths(self, column: str, value: bytes) -> list[str]:
        rows = self.db.execute(f"SELECT path FROM files WHERE {column} = ?", (value,))
        return sorted(_s(p) for (p,) in rows)

    def _raws(self, column: str, value: bytes) -> Iterator[RawPost]:
        """The readings of the files whose `column` is `value`, by path."""
        rows = self.db.execute(f"SELECT path, read FROM files WHERE {column} = ?", (value,))
        for path, blob in sorted(rows):
            read = _load_read(_s(path), blob)
            if read.post is not None:
                yield read.post

    def _redo_shift(self, key: bytes) -> bool:
        """Find the shift of one (source, month) again; True if it changed."""
        found: ShiftFound | None = None
        if self.settings.shift != "off":
            parsed = sorted(
                (self.ctx.parse(raw) for raw in self._raws("shift", key)),
                key=lambda p: (p.raw.path, p.raw.digest),
            )
            found = next(iter(normalizer.find_shifts(parsed).values()), None)
        row = self.db.execute("SELECT found FROM shifts WHERE key = ?", (key,)).fetchone()
        if (pickle.loads(row[0]) if row else None) == found:
            return False
        if found is None:
            self.db.execute("DELETE FROM shifts WHERE key = ?", (key,))
            self._set_problems(f"g:{_s(key)}", ())
        else:
            self.db.execute("INSERT OR REPLACE INTO shifts VALUES (?, ?)", (key, _dump(found)))
            problem = normalizer.shift_problem(found, self.settings)
            self._set_problems(f"g:{_s(key)}", [problem])
        return True

    def _time(self, raw: RawPost, problems: list[Problem]) -> Timed | None:
        p = self.ctx.parse(raw)
        shifts: dict[ShiftKey, ShiftFound] = {}
        key = normalizer.shift_key(p.source, p.marker)
        if key is not None:
            row = self.db.execute(
                "SELECT found FROM shifts WHERE key = ?", (_shift(key),)
            ).fetchone()
            if row is not None:
                shifts[key] = pickle.loads(row[0])
        return normalizer.time_file(p, self.settings, shifts, problems)

    def _retime(self, path: str) -> set[str]:
        """Time one file again; return its story's id before and after, if it had
        or has one (a post without a URL takes its id from its date, so a corrected
        time can move it to another story)."""
        sql = "SELECT read, ident FROM files WHERE path = ?"
        blob, old = self.db.execute(sql, (_b(path),)).fetchone()
        read = _load_read(path, blob)
        assert read.post is not None
        problems: list[Problem] = []
        timed = self._time(read.post, problems)
        ident = timed.ident if timed else None
        ident_b = _b(ident) if ident else None
        self.db.execute("UPDATE files SET ident = ? WHERE path = ?", (ident_b, _b(path)))
        self._set_problems(f"f:{path}", [*read.problems, *problems])
        return {i for i in (ident, old and _s(old)) if i}

    def _remerge(self, idents: Sequence[str]) -> list[Entry]:
        """Merge each story's copies again; return the stories that changed."""
        changed = []
        for ident in idents:
            copies = [t for raw in self._raws("ident", _b(ident)) if (t := self._time(raw, []))]
            post = normalizer.merge(copies, self.ctx) if copies else None
            note = [normalizer.merge_problem(copies)] if len(copies) > 1 else []
            self._set_problems(f"i:{ident}", note)
            sql = "SELECT fp, post FROM entries WHERE id = ?"
            row = self.db.execute(sql, (_b(ident),)).fetchone()
            new = planner.member(post) if post else None
            if (row[0] if row else None) == (new.fp if new else None):
                continue
            if post is None or new is None:
                self.db.execute("DELETE FROM entries WHERE id = ?", (_b(ident),))
            else:
                self.db.execute(
                    "INSERT OR REPLACE INTO entries (id, fp, post) VALUES (?, ?, ?)",
                    (_b(ident), new.fp, _dump_post(post)),
                )
            old = _load_post(row[1]) if row else None
            changed.append(Entry(old, row[0] if row else None, post, new))
        return changed

    def _feeds_of(
        self,
        changed: Sequence[Entry],
        loaded: dict[bytes, dict[str, tuple[Member, ...]]],
        left: set[tuple[str, str]],
    ) -> set[bytes]:
        """Move the changed stories in and out of their feeds' periods (the new members
        of each period touched go to `loaded`, the (id, fingerprint) of each entry
        that left a feed's newest to `left`); re-slug kinds whose names changed.
        Return the keys of the feeds to plan again."""
        drop: dict[bytes, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        add: dict[bytes, dict[str, list[Member]]] = defaultdict(lambda: defaultdict(list))
        for entry in changed:
            old = planner.member(entry.old) if entry.old is not None else None
            for kind in planner.kinds(self.settings):
                monthly = planner.monthly(kind, self.settings)
                if entry.old is not None and old is not None:
                    period = planner.period_of(old, monthly)
                    for name in kind.names(entry.old):
                        drop[_feed_key(kind.name, name)][period].add(entry.old.id)
                if entry.new is not None and (new := entry.new_member) is not None:
                    period = planner.period_of(new, monthly)
                    for name in kind.names(entry.new):
                        add[_feed_key(kind.name, name)][period].append(new)
        touched = sorted(set(drop) | set(add))
        renamed: set[str] = set()
        for key in touched:
            kind_name, _, name = _s(key).partition("\0")
            sql = "SELECT slug, periods, head FROM feeds WHERE key = ?"
            row = self.db.execute(sql, (key,)).fetchone()
            periods = {p[0]: Period._make(p) for p in marshal.loads(row[1])} if row else {}
            shown = {(m[1], m[2]) for m in marshal.loads(row[2])} if row else set()
            mine = loaded[key] = {}
            for period in sorted(set(drop[key]) | set(add[key])):
                gone = drop[key][period]
                members = [m for m in self._members(key, period) if m.id not in gone]
                members += add[key][period]
                members.sort(reverse=True)  # newest first, as Member orders (published, id)
                self._put_members(key, period, members)
                if members:
                    mine[period] = tuple(members)
                    periods[period] = planner.period(period, members)
                else:
                    periods.pop(period, None)
            if not periods and KIND[kind_name].folder:
                self.db.execute("DELETE FROM feeds WHERE key = ?", (key,))
                renamed.add(kind_name)
                left |= shown
                continue
            if row is None:
                renamed.add(kind_name)
            ordered = [periods[n] for n in sorted(periods)]
            head = self._head(key, ordered)
            self._put_feed(kind_name, name, row[0] if row else "", head, ordered)
            left |= shown - {(m.id, m.fp) for m in head}
        moved = {k for kind in sorted(renamed) for k in self._reslug(kind)}
        return set(touched) | moved

    def _unshown(self, left: set[tuple[str, str]]) -> tuple[str, ...]:
        """The fingerprints of `left` (entries that left some feed's newest) that no
        feed shows any more: their fragments can go, as a full build prunes them."""
        heads: dict[bytes, set[str]] = {}
        found = []
        for ident, fp in sorted(left):
            sql = "SELECT fp, post FROM entries WHERE id = ?"
            row = self.db.execute(sql, (_b(ident),)).fetchone()
            if row is None or row[0] != fp:  # changed or gone: `update` drops it
                continue
            post = _load_post(row[1])
            keys = [
                _feed_key(kind.name, name)
                for kind in planner.kinds(self.settings)
                for name in kind.names(post)
            ]
            if not any(fp in self._shown(key, heads) for key in keys):
                found.append(fp)
        return tuple(found)

    def _shown(self, key: bytes, heads: dict[bytes, set[str]]) -> set[str]:
        """The fingerprints of a feed's newest entries (`heads` keeps those loaded)."""
        if key not in heads:
            row = self.db.execute("SELECT head FROM feeds WHERE key = ?", (key,)).fetchone()
            heads[key] = {m[2] for m in marshal.loads(row[0])} if row else set()
        return heads[key]

    def _head(self, key: bytes, periods: Sequence[Period]) -> list[Member]:
        """The newest `limit` members of a feed: from its newest periods."""
        head: list[Member] = []
        limit = self.settings.limit
        for period in reversed(periods):
            head += self._members(key, period.name)[: limit - len(head)]
            if len(head) >= limit:
                break
        return head

    def _reslug(self, kind: str) -> list[bytes]:
        """Give the feeds of `kind` their slugs again; return the keys of those that moved."""
        rows = self.db.execute("SELECT name, slug FROM feeds WHERE kind = ?", (kind,)).fetchall()
        rows = [(_s(name), slug) for name, slug in rows]
        slugs, collisions = assign_slugs((name for name, _ in rows), self.taken.get(kind))
        moved = []
        for name, slug in rows:
            if slugs[name] != slug:
                key = _feed_key(kind, name)
                self.db.execute("UPDATE feeds SET slug = ? WHERE key = ?", (slugs[name], key))
                moved.append(key)
        self._set_problems(f"k:{kind}", planner.slug_problems(KIND[kind], collisions))
        return moved

    def _set_problems(self, owner: str, problems: Sequence[Problem]) -> None:
        if problems:
            self.db.execute(
                "INSERT OR REPLACE INTO problems VALUES (?, ?)", (_b(owner), _dump(tuple(problems)))
            )
        else:
            self.db.execute("DELETE FROM problems WHERE owner = ?", (_b(owner),))
