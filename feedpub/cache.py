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
import platform
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import __version__
from .problems import FeedpubError

SCHEMA = 7


@functools.cache
def code_version() -> str:
    """The version and a hash of feedpub's own code, and the Python running it (pickle
    and marshal data may change between versions): any change voids the cache."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(Path(__file__).parent.rglob("*")):
        if path.suffix in (".py", ".xsl"):
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()}/py{platform.python_version()}"


def _open(folder: Path) -> sqlite3.Connection:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(folder / "cache.sqlite", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB)")
    except sqlite3.DatabaseError:
        raise
    except (OSError, sqlite3.Error) as e:
        raise FeedpubError(
            f"cannot use the cache {folder}: {e} (delete it, or build with --no-cache)"
        ) from e
    return db


class Cache:
    """A cache in `folder`, or a no-op stand-in when `folder` is None."""

    def __init__(self, folder: Path | None, settings_fingerprint: str) -> None:
        self.db: sqlite3.Connection | None = None
        if folder is None:
            return
        try:
            self.db = _open(folder)
        except sqlite3.DatabaseError:  # not a database (any more): the cache is disposable
            for name in ("cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm"):
                (folder / name).unlink(missing_ok=True)
            self.db = _open(folder)
        stamp = f"{code_version()}/{SCHEMA}/{settings_fingerprint}"
        if self.get("stamp") != stamp:
            tables = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            for (table,) in tables.fetchall():
                self.db.execute(f'DROP TABLE IF EXISTS "{table}"')
        self.db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB);
            CREATE TABLE IF NOT EXISTS fragments (key TEXT PRIMARY KEY, value BLOB);
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

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction for a whole build: a build that fails or is killed leaves
        the cache as the last build that finished left it."""
        if self.db is None:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

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
            self.db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)", rows)

    def outputs(self) -> dict[str, tuple[str, int, int]]:
        """path -> (key of its inputs, size, mtime_ns) for every file the last build wrote."""
        if self.db is None:
            return {}
        rows = self.db.execute("SELECT path, key, size, mtime FROM outputs")
        return {p: (k, s, m) for p, k, s, m in rows}

    def save_outputs(self, outputs: Mapping[str, tuple[str, int, int]]) -> None:
        if self.db is not None:
            self.db.execute("DELETE FROM outputs")
            rows = ((p, k, s, m) for p, (k, s, m) in outputs.items())
            self.db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?)", rows)

    def prune_fragments(self, keep: Iterable[str]) -> None:
        """Drop fragments no feed uses any more, so the cache does not grow for ever."""
        if self.db is not None:
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
            self.db.execute("DELETE FROM keep")
            self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keep))
            self.db.execute("DELETE FROM fragments WHERE key NOT IN (SELECT key FROM keep)")

    def drop_fragments(self, keys: Iterable[str]) -> None:
        if self.db is not None:
            self.db.executemany("DELETE FROM fragments WHERE key = ?", ((k,) for k in keys))

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None
