"""The posts as the last build read them: each folder's stats, each file's content
hash, reading and the groups it was in (its shift group and its story), so that a
build reads again only the files that changed and knows what they touched."""

from __future__ import annotations

import marshal
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import fields
from operator import attrgetter
from typing import NamedTuple

from ..model import RawPost, Reading, from_micros
from ..normalizer import Evidence
from ..permalinks import names_of
from ..planner import micros
from ..scan import Scanned, Stat
from .store import Store, b, dump, loads, s

TABLES = """
CREATE TABLE IF NOT EXISTS files (path BLOB PRIMARY KEY, digest TEXT, shift TEXT, ident TEXT,
    ok INT, read BLOB, marker INT, fetched INT, story BLOB, own INT, lead BLOB, opening BLOB);
CREATE INDEX IF NOT EXISTS files_own ON files (own) WHERE own;
CREATE INDEX IF NOT EXISTS files_lead ON files (lead) WHERE lead IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_shift ON files (shift) WHERE shift IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_ident ON files (ident) WHERE ident IS NOT NULL;
CREATE INDEX IF NOT EXISTS files_ok ON files (ok) WHERE ok;
CREATE TABLE IF NOT EXISTS folders (folder BLOB PRIMARY KEY, stats BLOB);
CREATE TABLE IF NOT EXISTS refs (name BLOB, path BLOB, PRIMARY KEY (name, path)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS refs_path ON refs (path);
"""
_INDEXES = re.findall(r"CREATE INDEX IF NOT EXISTS (\w+)", TABLES)
_raw_values = attrgetter(*(f.name for f in fields(RawPost) if f.name != "path"))


# The values (of `_raw_values`) of the text a post has alone: pickled as UTF-8 bytes when
# not ASCII, for pickling such a string leaves a UTF-8 copy of it cached in the string,
# for as long as the build holds it (a title is held to the end: 6 MB at 50,000 posts).
_OWN_TEXT = tuple(
    i
    for i, f in enumerate(f for f in fields(RawPost) if f.name != "path")
    if f.name in ("title", "url", "marker", "link_text")
)


def dump_reading(reading: Reading) -> bytes:
    """A reading as a tuple of its values: half the bytes and time of the dataclass.
    Not its path, the row's key (see `_OWN_TEXT`). Equal texts (a link text that is
    the title) are kept once, and come back as one string."""
    post = None
    if reading.post is not None:
        values = list(_raw_values(reading.post))
        encoded: dict[str, bytes] = {}
        for i in _OWN_TEXT:
            if (v := values[i]) is not None and not v.isascii():
                if v not in encoded:
                    encoded[v] = v.encode("utf-8", "surrogatepass")
                values[i] = encoded[v]
        post = tuple(values)
    return dump((post, reading.problems))


def load_reading(path: str, blob: bytes) -> Reading:
    post, problems = loads(blob)
    if post is None:
        return Reading(None, problems)
    if any(type(post[i]) is bytes for i in _OWN_TEXT):
        values = list(post)
        decoded: dict[bytes, str] = {}
        for i in _OWN_TEXT:
            if type(v := values[i]) is bytes:
                if v not in decoded:
                    decoded[v] = v.decode("utf-8", "surrogatepass")
                values[i] = decoded[v]
        post = values
    return Reading(RawPost(path, *post), problems)


class Groups(NamedTuple):
    """The groups a file was in: its shift group (its source, when it tells of the
    source's clock) and its story (None: none), and what it tells of the clock; its
    lead group (its source, when its body has openings: `summaries.leads`)."""

    shift: str | None
    ident: str | None
    evidence: Evidence | None = None
    own: bool = False  # the story's id is the file's permalink (`Timed.own`)
    lead: str | None = None


class Readings:
    """The files table of a cache's `store` (see the module doc)."""

    def __init__(self, store: Store) -> None:
        self.db = store.db
        self.store = store
        store.create(TABLES)

    # --- stats ------------------------------------------------------------------------

    def ready(self) -> bool:
        """Whether a full build filled the table (else every file is read)."""
        return self.store.blob("digests") is not None

    def _digests(self) -> dict[str, bytes]:
        """The hash of each folder's stats (one blob: loaded by every build)."""
        blob = self.store.blob("digests")
        return marshal.loads(blob) if blob is not None else {}

    def dirty(self, digests: Mapping[str, bytes]) -> set[str]:
        """The folders whose stats are not as the index holds them, or that went."""
        old = self._digests()
        return {f for f, d in digests.items() if old.get(f) != d} | (old.keys() - digests.keys())

    def stats(self, folders: Iterable[str]) -> dict[str, Stat]:
        """path -> (size, mtime_ns) of the files of `folders` the index holds (a blob
        per folder: 50,000 rows of a table take ten times as long to load)."""
        found: dict[str, Stat] = {}
        for folder in folders:
            sql = "SELECT stats FROM folders WHERE folder = ?"
            row = self.db.execute(sql, (b(folder),)).fetchone()
            if row is not None:
                found.update(marshal.loads(row[0]))
        return found

    def save_stats(self, found: Scanned, folders: Iterable[str]) -> None:
        """Remember the stats of `folders` (all the others are as the index holds them)."""
        for folder in folders:
            if (blob := found.parts.get(folder)) is not None:
                self.db.execute("INSERT OR REPLACE INTO folders VALUES (?, ?)", (b(folder), blob))
            else:
                self.db.execute("DELETE FROM folders WHERE folder = ?", (b(folder),))
        self.store.put_blob("digests", marshal.dumps(found.digests, 2))

    def digests(self, paths: Iterable[str]) -> dict[str, str]:
        """The content hash of each of `paths` the index holds."""
        found = {}
        for path in paths:
            sql = "SELECT digest FROM files WHERE path = ?"
            row = self.db.execute(sql, (b(path),)).fetchone()
            if row is not None:
                found[path] = row[0]
        return found

    # --- readings ---------------------------------------------------------------------

    def all(self) -> dict[str, Reading]:
        rows = self.db.execute("SELECT path, read FROM files")
        return {(path := s(raw_path)): load_reading(path, blob) for raw_path, blob in rows}

    def posts_read(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM files WHERE ok").fetchone()[0])

    def replace_all(self, files: Iterable[tuple[str, Reading, Groups]]) -> None:
        """Every file of a full build, with its groups (a generator: 50,000 rows are
        never held at once). The indexes are made again after the rows: kept, each
        row's random keys went into four of them, and SQLite's 2 MB page cache
        spilled; 95 MB were written for 35 MB of table at 50,000 posts, 48 now."""
        self.db.execute("DELETE FROM files")
        self.db.execute("DELETE FROM refs")
        for name in _INDEXES:
            self.db.execute(f"DROP INDEX IF EXISTS {name}")
        refs: list[tuple[str, Reading]] = []  # the few posts with a `post_url`

        def rows() -> Iterator[tuple[object, ...]]:
            for path, reading, groups in files:
                if reading.post is not None and reading.post.refs:
                    refs.append((path, reading))
                yield self._row(path, reading, groups)

        marks = ", ".join("?" * 12)
        self.db.executemany(f"INSERT INTO files VALUES ({marks})", rows())
        self.store.create(TABLES)
        for path, reading in refs:
            self._put_refs(path, reading)

    def put(self, path: str, reading: Reading, groups: Groups) -> None:
        row = self._row(path, reading, groups)
        marks = ", ".join("?" * len(row))
        self.db.execute(f"INSERT OR REPLACE INTO files VALUES ({marks})", row)
        self.db.execute("DELETE FROM refs WHERE path = ?", (b(path),))
        self._put_refs(path, reading)

    def _put_refs(self, path: str, reading: Reading) -> None:
        names = reading.post.refs if reading.post else ()
        rows = ((b(name), b(path)) for name, _ in names)
        self.db.executemany("INSERT INTO refs VALUES (?, ?)", rows)

    @staticmethod
    def _row(path: str, reading: Reading, groups: Groups) -> tuple[object, ...]:
        post, e = reading.post, groups.evidence
        return (
            b(path), post.digest if post else "",
            _blob(groups.shift), _blob(groups.ident),
            post is not None, dump_reading(reading),
            micros(e.marker) if e else None,
            micros(e.fetched) if e and e.fetched else None,
            b(e.story) if e else None,
            groups.own,
            _blob(groups.lead),
            post.opening if post is not None and groups.lead is not None else None,
        )  # fmt: skip

    def delete(self, path: str) -> None:
        self.db.execute("DELETE FROM files WHERE path = ?", (b(path),))
        self.db.execute("DELETE FROM refs WHERE path = ?", (b(path),))

    def naming(self, paths: Iterable[str]) -> list[str]:
        """The files whose `{% post_url %}`s name one of `paths` (by any of the names
        that end its path less its extension: `x`, `dir/x`), by path."""
        names = {name for path in paths for name in names_of(path)}
        found: set[str] = set()
        for name in sorted(map(b, names)):
            rows = self.db.execute("SELECT path FROM refs WHERE name = ?", (name,))
            found.update(s(p) for (p,) in rows)
        return sorted(found)

    def named(self, names: Sequence[str]) -> list[RawPost]:
        """The posts that one of `names` names (`permalinks.names_of`)."""
        wanted = set(names)
        rows = self.db.execute("SELECT path FROM files WHERE ok")
        paths = sorted(s(p) for (p,) in rows if not wanted.isdisjoint(names_of(s(p))))
        return [post for p in paths if (post := self.reading(p).post) is not None]

    def groups(self, paths: Sequence[str]) -> dict[str, Groups]:
        """The groups of each of `paths` the index holds (not what they tell)."""
        found = {}
        for path in paths:
            sql = "SELECT shift, ident, lead FROM files WHERE path = ?"
            row = self.db.execute(sql, (b(path),)).fetchone()
            if row is not None:
                shift, ident, lead = (None if v is None else s(v) for v in row)
                found[path] = Groups(shift, ident, lead=lead)
        return found

    def openings(self, source: str) -> dict[str, list[bytes]]:
        """The openings of the files of `source`'s lead group, by story (a query: no
        reading is loaded)."""
        sql = "SELECT ident, opening FROM files WHERE lead = ? AND ident IS NOT NULL"
        found: dict[str, list[bytes]] = {}
        for ident, opening in self.db.execute(sql, (b(source),)):
            found.setdefault(s(ident), []).append(bytes(opening))
        return found

    def evidence(self, source: str) -> list[Evidence]:
        """What the files of `source` tell of its clock, by path (a query: no reading
        of a source's thousands of files is loaded)."""
        sql = "SELECT path, marker, fetched, story FROM files WHERE shift = ? ORDER BY path"
        return [
            Evidence(from_micros(m), from_micros(f) if f is not None else None, s(story))
            for _, m, f, story in self.db.execute(sql, (b(source),))
        ]

    def set_ident(self, path: str, ident: str | None, own: bool) -> None:
        sql = "UPDATE files SET ident = ?, own = ? WHERE path = ?"
        self.db.execute(sql, (_blob(ident), own, b(path)))

    def own_ids(self) -> dict[str, str]:
        """path -> id of the files whose story's id is their permalink (`Groups.own`)."""
        rows = self.db.execute("SELECT path, ident FROM files WHERE own")
        return {s(path): s(ident) for path, ident in rows}

    def reading(self, path: str) -> Reading:
        row = self.db.execute("SELECT read FROM files WHERE path = ?", (b(path),)).fetchone()
        return load_reading(path, row[0])

    def paths(self, column: str, value: str) -> list[str]:
        """The files whose group `column` ("shift" or "ident") is `value`, by path."""
        rows = self.db.execute(f"SELECT path FROM files WHERE {column} = ?", (b(value),))
        return sorted(s(p) for (p,) in rows)

    def posts(self, column: str, value: str) -> Iterator[RawPost]:
        """The readings of the files whose group `column` is `value`, by path."""
        rows = self.db.execute(f"SELECT path, read FROM files WHERE {column} = ?", (b(value),))
        for path, blob in sorted(rows):
            reading = load_reading(s(path), blob)
            if reading.post is not None:
                yield reading.post


def _blob(text: str | None) -> bytes | None:
    """A group's name as stored: "" (the source of a post without categories) is a
    group too, as the cold build times it, and must read back as one."""
    return None if text is None else b(text)
