"""The cache's file: one SQLite database, `<cache>/cache.sqlite`, safe to delete.

A stamp of feedpub's code, the Python running it, every setting and the key of
the user who made it guards the whole file: a different stamp and it is made
again from nothing, so the cache can never make output differ from a cold
build, nor can one that came with a repository. A file that is not a database
any more is deleted and made again: the cache is disposable.

A cache made from nothing is a new file with a rollback journal: SQLite
journals no page a transaction adds to a file, so a cold build's 350 MB (at
50,000 posts) are written once. In WAL mode they went to the log and were
copied again at the checkpoint, 1.5 s of the build. Warm builds, which change
a few pages, turn WAL back on.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import pickle
import platform
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from .. import __version__, writer
from ..problems import FeedpubError

SCHEMA = 12
FILE = "cache.sqlite"


@functools.cache
def code_version() -> str:
    """The version and a hash of feedpub's own code, and the Python running it (pickle
    and marshal data may change between versions): any change voids the cache."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(Path(__file__).parent.parent.rglob("*")):
        if path.suffix in (".py", ".xsl", ".txt"):
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()}/py{platform.python_version()}"


@functools.cache
def owner_key() -> str:
    """This user's secret, part of every cache's stamp: a cache anyone else made (one
    committed with the repository built) never matches, so not a byte of it is used
    (its entries would go out uncleaned). `FEEDPUB_CACHE_KEY` gives it for a cache
    moved between machines (the GitHub Action's, kept outside the checkout)."""
    key = os.environ.get("FEEDPUB_CACHE_KEY", "").encode()
    try:
        home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        path = home / "feedpub" / "key"
        key = key or (path.read_bytes() if path.is_file() else b"")
        if not key:
            key = secrets.token_hex(32).encode()
            writer.write_file(path, key)
    except (OSError, RuntimeError, FeedpubError):  # no home to keep it in (a bare container):
        key = key or _machine_key()  # this machine's id and user, which no repository knows
    return hashlib.blake2b(key, digest_size=8).hexdigest()


def memory_file() -> str:
    """The file, beside the database, of what the last build's manifest remembers
    (`Cache.commit`): named for this user's key, so that a cache anyone else made
    (committed with the repository) is not read."""
    return f"memory-{owner_key()}.json"


def _machine_key() -> bytes:
    try:
        machine = Path("/etc/machine-id").read_bytes()
    except OSError:
        machine = secrets.token_bytes(32)  # none either: this build's own (no cache reused)
    return machine + str(os.getuid()).encode()


def stamp(settings_fingerprint: str) -> str:
    """What a cache must have been made with to be used: this code, this Python, these
    settings and this user's key."""
    return f"{code_version()}/{SCHEMA}/{settings_fingerprint}/{owner_key()}"


_ADVICE = " (make it writable or delete it, or build with --no-cache or another --cache)"


def _connect(folder: Path, journal: str = "WAL") -> sqlite3.Connection:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(folder / FILE, isolation_level=None)
        db.execute(f"PRAGMA journal_mode={journal}")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB)")
    except sqlite3.DatabaseError as e:  # not a database: the caller makes it again
        if not isinstance(e, sqlite3.OperationalError):  # (which cannot open or lock it)
            raise
        raise FeedpubError(f"cannot use the cache {folder}: {e}{_ADVICE}") from e
    except (OSError, sqlite3.Error) as e:
        raise FeedpubError(f"cannot use the cache {folder}: {e}{_ADVICE}") from e
    return db


def _remove(folder: Path) -> None:
    try:
        for suffix in ("", "-wal", "-shm", "-journal"):
            (folder / (FILE + suffix)).unlink(missing_ok=True)
    except OSError as e:
        raise FeedpubError(f"cannot empty the cache {folder}: {e.strerror or e}") from e


class Store:
    """The database of a cache in `folder`, emptied unless its stamp is `stamp`."""

    def __init__(self, folder: Path, settings_fingerprint: str) -> None:
        self.folder = folder
        if any((folder / (FILE + end)).is_symlink() for end in ("", "-wal", "-shm", "-journal")):
            _remove(folder)  # a link (committed) would have SQLite change the file it leads to
        try:
            self.db = _connect(folder)
        except sqlite3.DatabaseError:  # not a database (any more)
            _remove(folder)
            self.db = _connect(folder)
        wanted = stamp(settings_fingerprint)
        # An older feedpub's copy of the manifest's memory, read before the database is
        # emptied (`Cache._last_manifest`; this version keeps it in a file).
        self.older_memory: object = None
        try:
            current = self.get("stamp")
            if current != wanted and str(current).endswith("/" + owner_key()):
                self.older_memory = self.get("manifest")
        except (sqlite3.DatabaseError, ForeignCache):  # damaged inside, or not feedpub's
            current = None
        if current != wanted:  # made again from nothing: a new file (module doc)
            self.db.close()
            _remove(folder)
            self.db = _connect(folder, journal="DELETE")
        self.put("stamp", wanted)

    @classmethod
    def reading(cls, folder: Path) -> Store:
        """The database as it is, to look at only (no stamp checked, nothing emptied)."""
        store = cls.__new__(cls)
        store.folder = folder
        store.db = sqlite3.connect(folder / FILE, isolation_level=None)
        return store

    def get(self, key: str) -> object:
        """A value kept under `key`, None if none; its owner checks its type."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else loads(row[0])

    def put(self, key: str, value: object) -> None:
        blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, blob))

    def blob(self, key: str) -> bytes | None:
        """Raw bytes kept under `key` (marshal data, read without unpickling)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def put_blob(self, key: str, value: bytes) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction for a whole build: a build that fails or is killed leaves
        the cache as the last build that finished left it. A cache that cannot be
        written (a full disk: SQLite has rolled back already) is one line."""
        self.db.execute("BEGIN")
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException as e:
            if self.db.in_transaction:
                with suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise FeedpubError(
                    f"cannot write the cache {self.folder}: {e} (free some space, or build"
                    " with --no-cache)"
                ) from e
            raise

    def close(self) -> None:
        self.db.close()

    def create(self, tables: str) -> None:
        """Each `CREATE ... IF NOT EXISTS` of `tables` (not executescript: it commits)."""
        for statement in tables.split(";")[:-1]:
            self.db.execute(statement)


def b(text: str) -> bytes:
    """Text as SQLite can hold it: paths, names and URLs from files that are not
    UTF-8 carry surrogates, which SQLite's TEXT cannot."""
    return text.encode("utf-8", "surrogateescape")


def s(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


def dump(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


# What the cache's pickles name, and nothing else: a pickle can call whatever it
# names, and a cache may come with the repository (`.feedpub-cache/` committed),
# so that a build would run the repository's code.
_STORED = frozenset(
    {("datetime", name) for name in ("date", "datetime", "time", "timedelta", "timezone")}
    | {
        ("feedpub.formats", "Fragments"),
        ("feedpub.problems", "Problem"),
        ("feedpub.shifts", "Shift"),
    }
    | {("feedpub.model", name) for name in ("Lead", "Manifest", "Summary")}
    | {("feedpub.planner", name) for name in ("FeedPlan", "PartPlan", "Planned")}
)


class ForeignCache(FeedpubError):
    """The cache holds a pickle of something feedpub never stores: not loaded."""


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _STORED:
            raise ForeignCache(
                f"the cache holds data feedpub never writes (a pickled {module}.{name}),"
                " so it was not loaded: delete the cache folder, or build with --no-cache"
            )
        return super().find_class(module, name)


def loads(blob: bytes) -> Any:
    """A value `dump` kept, made only of what feedpub stores (`_STORED`)."""
    try:
        return _Unpickler(io.BytesIO(blob)).load()
    except ForeignCache:
        raise
    except Exception as e:  # a damaged blob: whatever unpickling it raised
        raise ForeignCache(
            f"the cache holds data feedpub cannot read ({type(e).__name__}): delete the"
            " cache folder, or build with --no-cache"
        ) from e
