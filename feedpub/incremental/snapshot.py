"""Nothing changed? The scan's snapshot against the last build's, and every output
against its record. Light on purpose: a build with nothing to do imports this,
SQLite and pickle, and stops; not YAML, lxml or any stage."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from ..model import Record, Summary
from ..scan import Scanned
from ..settings import Settings
from .store import FILE, ForeignCache, Store, stamp


def broken(out: Path, records: Mapping[str, Record]) -> list[str]:
    """The outputs that are gone or not as the last build left them (a link put in a
    file's place is not: looked at as itself, as `writer.file_stat` records a file)."""
    base = os.fspath(out)
    found = []
    for rel, record in records.items():
        try:
            st = os.lstat(os.path.join(base, rel))
        except OSError:
            found.append(rel)
            continue
        if st.st_size != record.size or st.st_mtime_ns != record.mtime:
            found.append(rel)
    return found


def unchanged(folder: Path, settings: Settings, found: Scanned, out: Path) -> Summary | None:
    """The last build's summary if the cache in `folder` is this code's and these
    settings', no post changed and every output is as the last build left it."""
    if not (folder / FILE).is_file():
        return None
    try:
        store = Store.reading(folder)
    except sqlite3.Error:
        return None  # a damaged cache: the build repairs it
    try:
        if store.get("stamp") != stamp(settings.fingerprint()):
            return None
        if store.get("snapshot") != found.snapshot:
            return None
        if store.get("origins") != settings.origins:  # settings moved in their file:
            return None  # the summary's problems name their old lines (FP602)
        rows = store.db.execute("SELECT path, key, size, mtime FROM outputs")
        if broken(out, {p: Record(k, size, mtime) for p, k, size, mtime in rows}):
            return None
        last = store.get("summary")
        return last if isinstance(last, Summary) else None
    except (sqlite3.Error, ForeignCache):
        return None  # the build repairs a damaged cache, and refuses a foreign one
    finally:
        store.close()


def save(store: Store, snap: str, summary: Summary, settings: Settings) -> None:
    store.put("snapshot", snap)
    store.put("summary", summary)
    store.put("origins", settings.origins)
