"""The incremental cache: what the last build read and wrote, so the next one can skip it.

It lives in one SQLite file (`<cache>/cache.sqlite`), safe to delete at any
time. Posts are keyed by path *and* content hash, so a fresh `git clone` (new
mtimes everywhere) still hits the cache once each file's hash is checked. A
stamp of the feedpub version and every setting guards the whole file: a
different stamp and the cache is emptied, so it can never make output differ
from a cold build.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from . import __version__
from .scan import Stat

SCHEMA = 5


@functools.cache
def code_version() -> str:
    """The version and a hash of feedpub's own code: any change to either voids the cache."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(Path(__file__).parent.rglob("*")):
        if path.suffix in (".py", ".xsl"):
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()}"


def _key(path: str) -> bytes:
    """A path as SQLite can hold it: file names that are not UTF-8 carry surrogates."""
    return path.encode("utf-8", "surrogateescape")


def _folder(path: str) -> str:
    return path.rpartition("/")[0]


class Cache:
    """A cache in `folder`, or a no-op stand-in when `folder` is None."""

    def __init__(self, folder: Path | None, settings_fingerprint: str) -> None:
        self.db: sqlite3.Connection | None = None
        if folder is None:
            return
        folder.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(folder / "cache.sqlite", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        stamp = f"{code_version()}/{SCHEMA}/{settings_fingerprint}"
        self.db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB)")
        if self.get("stamp") != stamp:
            for table in ("meta", "fragments", "outputs", "reads"):
                self.db.execute(f"DROP TABLE IF EXISTS {table}")
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS fragments (key TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS reads (folder BLOB PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS outputs
                (path TEXT PRIMARY KEY, key TEXT, size INT, mtime INT);
            """
        )
        self.put("stamp", stamp)

    @property
    def persistent(self) -> bool:
        """False for the stand-in of a build without a cache."""
        return self.db is not None

    def get(self, key: str) -> Any:
        if self.db is None:
            return None
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else pickle.loads(row[0])

    def put(self, key: str, value: Any) -> None:
        if self.db is not None:
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, blob))

    def reads(self) -> dict[str, tuple[Stat, Any]]:
        """path -> ((size, mtime_ns), what the collector read) from the last build."""
        if self.db is None:
            return {}
        found: dict[str, tuple[Stat, Any]] = {}
        for (value,) in self.db.execute("SELECT value FROM reads"):
            found.update(pickle.loads(value))
        return found

    def save_reads(self, reads: Mapping[str, tuple[Stat, Any]], changed: Iterable[str]) -> None:
        """Store the readings of the folders where a file changed, came or went.

        Readings are kept one row per folder: loading 50,000 rows of one
        reading each cost more than reading a fifth of the posts again.
        """
        if self.db is None:
            return
        folders = sorted({_folder(path) for path in changed})
        if not folders:
            return
        by_folder: dict[str, dict[str, tuple[Stat, Any]]] = {f: {} for f in folders}
        for path, value in reads.items():
            part = by_folder.get(_folder(path))
            if part is not None:
                part[path] = value
        with self.db:
            self.db.execute("BEGIN")
            for folder, part in by_folder.items():
                if part:
                    blob = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
                    sql = "INSERT OR REPLACE INTO reads VALUES (?, ?)"
                    self.db.execute(sql, (_key(folder), blob))
                else:
                    self.db.execute("DELETE FROM reads WHERE folder = ?", (_key(folder),))

    def fragments(self, keys: Iterable[str]) -> dict[str, Any]:
        return {k: pickle.loads(v) for k, v in self._select("key, value", keys)}

    def known_fragments(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` the cache holds fragments for (without loading them)."""
        return {k for (k,) in self._select("key", keys)}

    def _select(self, columns: str, keys: Iterable[str]) -> Iterator[Any]:
        """Rows of the fragments whose key is one of `keys` (500 to a query)."""
        if self.db is None:
            return
        keys = list(keys)
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            marks = ",".join("?" * len(part))
            yield from self.db.execute(
                f"SELECT {columns} FROM fragments WHERE key IN ({marks})", part
            )

    def save_fragments(self, items: Mapping[str, Any]) -> None:
        if self.db is not None and items:
            rows = (
                (k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in items.items()
            )
            with self.db:
                self.db.execute("BEGIN")
                self.db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)", rows)

    def outputs(self) -> dict[str, tuple[str, int, int]]:
        """path -> (key of its inputs, size, mtime_ns) for every file the last build wrote."""
        if self.db is None:
            return {}
        rows = self.db.execute("SELECT path, key, size, mtime FROM outputs")
        return {p: (k, s, m) for p, k, s, m in rows}

    def save_outputs(self, outputs: Mapping[str, tuple[str, int, int]]) -> None:
        if self.db is not None:
            with self.db:
                self.db.execute("BEGIN")
                self.db.execute("DELETE FROM outputs")
                rows = ((p, k, s, m) for p, (k, s, m) in outputs.items())
                self.db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?)", rows)

    def prune_fragments(self, keep: Iterable[str]) -> None:
        """Drop fragments no feed uses any more, so the cache does not grow for ever."""
        if self.db is not None:
            with self.db:
                self.db.execute("BEGIN")
                self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
                self.db.execute("DELETE FROM keep")
                self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keep))
                self.db.execute("DELETE FROM fragments WHERE key NOT IN (SELECT key FROM keep)")

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
