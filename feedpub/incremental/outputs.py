"""What the last build wrote: a record per output file, each entry's rendered
fragments, and each feed's plan; so that a build renders only what changed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..formats import Cut, Fragments
from ..model import Record
from ..planner import Planned, Plans
from .store import Store, dump, loads

TABLES = """
CREATE TABLE IF NOT EXISTS fragments (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, key TEXT, size INT, mtime INT);
"""


class Outputs:
    """The records, fragments and plans of a cache's `store` (see the module doc)."""

    persistent = True  # kept for the next build: fragments are worth saving

    def __init__(self, store: Store) -> None:
        self.db = store.db
        self.store = store
        store.create(TABLES)

    # --- output records --------------------------------------------------------------

    def records(self) -> dict[str, Record]:
        """path -> record of every file the last build wrote."""
        rows = self.db.execute("SELECT path, key, size, mtime FROM outputs")
        return {p: Record(k, size, mtime) for p, k, size, mtime in rows}

    def save_records(self, records: Mapping[str, Record]) -> None:
        self.db.execute("DELETE FROM outputs")
        rows = ((p, r.key, r.size, r.mtime) for p, r in records.items())
        self.db.executemany("INSERT INTO outputs VALUES (?, ?, ?, ?)", rows)

    # --- plans ------------------------------------------------------------------------

    def plans(self) -> Plans:
        found = self.store.get("plans")
        if not isinstance(found, dict):
            return {}
        return {folder: p for folder, p in found.items() if isinstance(p, Planned)}

    def save_plans(self, plans: Plans) -> None:
        self.store.put("plans", plans)

    def short(self) -> dict[str, Cut]:
        """The files that showed entries as summaries only (`render.Written.short`)."""
        found = self.store.get("short")
        if not isinstance(found, dict):
            return {}
        return {f: c for f, c in found.items() if isinstance(c, tuple) and len(c) == 3}

    def save_short(self, short: dict[str, Cut]) -> None:
        self.store.put("short", short)

    # --- fragments --------------------------------------------------------------------

    def known(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` the cache holds fragments for (without loading them)."""
        return {row[0] for row in self._select("key", keys)}

    def fragments(self, keys: Iterable[str]) -> dict[str, Fragments]:
        found = {}
        for key, blob in self._select("key, value", keys):
            value = loads(blob)  # fragments, as `save_fragments` put them
            if isinstance(value, Fragments):
                found[key] = value
        return found

    def save_fragments(self, items: Mapping[str, Fragments]) -> None:
        if items:
            rows = ((k, dump(v)) for k, v in items.items())
            self.db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?)", rows)

    def prune_fragments(self, keep: Iterable[str]) -> None:
        """Drop fragments no feed uses any more, so the cache does not grow for ever."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM keep")
        self.db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in keep))
        self.db.execute("DELETE FROM fragments WHERE key NOT IN (SELECT key FROM keep)")

    def drop_fragments(self, keys: Sequence[str]) -> None:
        self.db.executemany("DELETE FROM fragments WHERE key = ?", ((k,) for k in keys))

    def _select(self, columns: str, keys: Iterable[str]) -> Iterator[tuple[Any, ...]]:
        """Rows of the fragments whose key is one of `keys` (500 to a query)."""
        keys = list(keys)
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            marks = ",".join("?" * len(part))
            yield from self.db.execute(
                f"SELECT {columns} FROM fragments WHERE key IN ({marks})", part
            )


class NoOutputs:
    """The stand-in of a build without a cache: it keeps nothing."""

    persistent = False

    def records(self) -> dict[str, Record]:
        return {}

    def save_records(self, records: Mapping[str, Record]) -> None:
        pass

    def plans(self) -> Plans:
        return {}

    def save_plans(self, plans: Plans) -> None:
        pass

    def short(self) -> dict[str, Cut]:
        return {}

    def save_short(self, short: dict[str, Cut]) -> None:
        pass

    def known(self, keys: Iterable[str]) -> set[str]:
        return set()

    def fragments(self, keys: Iterable[str]) -> dict[str, Fragments]:
        return {}

    def save_fragments(self, items: Mapping[str, Fragments]) -> None:
        pass

    def prune_fragments(self, keep: Iterable[str]) -> None:
        pass

    def drop_fragments(self, keys: Sequence[str]) -> None:
        pass
