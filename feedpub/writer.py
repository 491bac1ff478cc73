"""The only module that writes to disk: atomically, only what changed, only inside `out`.

Every file is written to a hidden temporary file beside it (`.feed.xml.<pid>.tmp`)
and renamed over the old one, so a reader, or a build killed at any point (even
with SIGKILL), finds each feed either as it was or as it is now, never
truncated. Temporary files a killed build left behind are removed by the next
build that writes to the same folder (`remove_stale_temps`).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path, PurePosixPath

from .model import MANIFEST as MANIFEST
from .model import Manifest
from .problems import FeedpubError
from .text import indented_json, json_utf8
from .urls import holds_no_bad_char


class UnsafeOutput(FeedpubError):
    """The output folder or a file in it would overwrite or escape where it must not."""


class WriteError(FeedpubError):
    """A file could not be written (permissions, a full disk, a folder in the way)."""


_TEMP = re.compile(r"\.(.+)\.(\d+)\.tmp")
BUILDING = ".feedpub-building"  # in the output folder while a build writes to it


def check_folders(posts: Path, out: Path) -> None:
    """Refuse an output folder that is the posts folder or holds it."""
    p, o = posts.resolve(), out.resolve()
    if p == o or o in p.parents:
        raise UnsafeOutput(f"output folder {out} must not be, or contain, the posts folder {posts}")


def target(out: Path, rel: str) -> Path:
    """`out / rel`, refusing any path that could leave `out`: by its name, or through a
    symbolic link to a folder in `out` (`out` itself may be one: the user named it)."""
    parts = PurePosixPath(rel).parts
    if (
        not parts
        or rel.startswith("/")
        or any(p in ("", ".", "..") or "\\" in p or "\x00" in p for p in parts)
    ):
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")
    folder = os.path.join(out, "")
    for part in parts[:-1]:  # a link to a folder elsewhere would take the files there
        folder += part
        try:
            linked = stat.S_ISLNK(os.lstat(folder).st_mode)
        except OSError:  # not there yet: made as a folder
            break
        folder += os.sep
        if linked:
            raise UnsafeOutput(
                f"{folder.rstrip(os.sep)} is a symbolic link: feedpub writes only inside the output"
                " folder; replace the link with a folder"
            )
    return out.joinpath(*parts)


def _temp_name(path: Path) -> Path:
    name = path.name
    if len(os.fsencode(name)) > 200:  # `.NAME.PID.tmp` must fit in a name's 255 bytes
        name = hashlib.blake2b(os.fsencode(name), digest_size=8).hexdigest()
    return path.with_name(f".{name}.{os.getpid()}.tmp")


_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def _create(path: Path) -> int:
    """A new file at `path`, never through a link: a file or a link already there
    under a temporary file's name (a killed build's, or one planted to take the
    bytes elsewhere) is removed first, the link itself, not what it points to."""
    try:
        return os.open(path, _NEW, 0o666)
    except FileExistsError:
        os.unlink(path)
        return os.open(path, _NEW, 0o666)


def write_file(path: Path, data: bytes) -> bool:
    """Write `data` unless the file already holds it; True if written.

    The bytes go to a temporary file in the same folder that is then renamed
    over the old one, so a reader (or a build killed at any point) sees the
    old file or the new one, never a truncated one. A rewritten file keeps
    its permissions and, where the process may give it, its owner; a link is
    replaced by a file (a link to a 0600 file made a feed no web server could read).
    (`remove_stale_temps_under` clears what killed builds left.)
    """
    try:
        try:
            st = os.lstat(path)  # a link is replaced by a file made as a new one
            link = stat.S_ISLNK(st.st_mode)
            if not link and st.st_size == len(data) and path.read_bytes() == data:
                return False
            mode = None if link else stat.S_IMODE(st.st_mode)
        except FileNotFoundError:
            mode = None
        tmp = _temp_name(path)
        try:
            try:
                fd = _create(tmp)
            except FileNotFoundError:  # a new folder: made only then, not for every file
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = _create(tmp)
            with open(fd, "wb") as f:
                f.write(data)
                if mode is not None:  # by the descriptor: the name could be a link by now
                    _owned_as(f.fileno(), st)
                    os.fchmod(f.fileno(), mode)  # (after: a new owner clears set-user-ID)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as e:
        raise WriteError(f"cannot write {path}: {e.strerror or e}") from e
    return True


def _owned_as(fd: int, st: os.stat_result) -> None:
    """Give the file open as `fd` the owner and group of the file it replaces, where
    the process may (`normalize --write` run as root on a post of another user's)."""
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        with suppress(OSError):
            os.fchown(fd, st.st_uid, st.st_gid)


_STREAM = re.compile(r"/dev/std(out|err)|/dev/fd/([0-9]{1,9})|/proc/self/fd/([0-9]{1,9})")


def write_named(path: Path, data: bytes) -> None:
    """Write a file the user named (`--report`). `/dev/stdout` and the like are written
    to the open stream itself: opened again, a file the output is redirected to would
    be emptied, then written over from its start (and as root, a rename over
    `/dev/stdout` replaced it). A pipe, a terminal or a link is written to as it is,
    not replaced by a file; anything else as `write_file`."""
    if (fd := stream_of(path)) is not None:
        _write_fd(fd, data, path)
        return
    try:
        special = os.path.islink(path) or not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        special = False
    if not special:
        write_file(path, data)
        return
    try:
        with open(path, "wb") as f:
            f.write(data)
    except OSError as e:
        raise WriteError(f"cannot write {path}: {e.strerror or e}") from e


def stream_of(path: Path) -> int | None:
    """The file descriptor `path` names (`/dev/stdout` 1, `/dev/fd/3` 3), if it names one."""
    if stream := _STREAM.fullmatch(os.path.abspath(path)):
        std, fd, own = stream.groups()
        return 1 if std == "out" else 2 if std else int(fd or own)
    return None


def _write_fd(fd: int, data: bytes, path: Path) -> None:
    for stream in (sys.stdout, sys.stderr):  # (what was printed before comes first)
        with suppress(OSError, ValueError):
            stream.flush()
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except OSError as e:
        raise WriteError(f"cannot write {path}: {e.strerror or e}") from e


Made = tuple[bool, int, int]  # (written, size, mtime in ns) of a file `write_files` made


def file_stat(path: Path) -> tuple[int, int]:
    """(size, mtime in ns) of `path`, zeros if it cannot be read: what a build
    records of each output, to see later whether it was touched (a link put in its
    place was: the link's own, not its target's)."""
    try:
        st = os.lstat(path)
    except OSError:
        return (0, 0)
    return (st.st_size, st.st_mtime_ns)


def write_files(files: Sequence[tuple[Path, bytes]]) -> list[Made]:
    """`write_file` for each of `files`, and the file's `file_stat` then: a unit of
    work for a worker process, which only needs to send back these numbers."""
    return [(write_file(path, data), *file_stat(path)) for path, data in files]


def _alive(pid: int) -> bool:
    """Whether process `pid` may still be writing. A zombie is not: a killed build's
    workers are orphans, and an init that does not reap them (as in many containers)
    leaves them zombies for good, with their temporary files."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return pid < 2**31  # exists, but belongs to someone else
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            line = f.read()
    except OSError:  # no /proc (not Linux): as `kill` says
        return True
    state = line[line.rfind(b")") + 2 :][:1]  # after the name, which may hold anything
    return state not in (b"Z", b"X")


def remove_stale_temps(folders: Iterable[Path]) -> list[Path]:
    """Delete the temporary files of killed builds (their process is gone) in `folders`."""
    removed = []
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                names = [e.name for e in entries if e.name.endswith(".tmp") and e.is_file()]
        except OSError:
            continue
        for name in names:
            m = _TEMP.fullmatch(name)
            if m is None or _alive(int(m.group(2))):
                continue
            try:
                (folder / name).unlink()
            except OSError:
                continue
            removed.append(folder / name)
    return removed


def remove_stale_temps_under(out: Path) -> list[Path]:
    """`remove_stale_temps` in `out` and every folder below it (one walk of the tree)."""
    folders = [
        Path(folder) for folder, _, files in os.walk(out) if any(_TEMP.fullmatch(f) for f in files)
    ]
    return remove_stale_temps(folders)


@contextmanager
def writing(out: Path, sure: bool) -> Iterator[None]:
    """Write into `out`, first clearing what killed builds left there.

    Every build keeps a hidden marker in `out` while it runs (only a build
    killed outright leaves it behind), so a build that finds none is spared
    the walk of the whole output tree, if it is `sure` that the build before
    it wrote into `out` through the same cache.
    """
    marker = out / BUILDING
    if not sure or marker.exists():
        remove_stale_temps_under(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        os.close(_create(marker))
    except OSError as e:
        raise WriteError(f"cannot write to the output folder {out}: {e.strerror or e}") from e
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)


# What a cache folder is marked with when made, as pytest, mypy and ruff mark theirs:
# git ignores it (a `git add -A` in the repository commits no cache), and backup
# tools that follow the Cache Directory Tagging spec skip it.
CACHE_MARKS = {
    ".gitignore": b"# Made by feedpub: the build cache, safe to delete.\n*\n",
    "CACHEDIR.TAG": b"Signature: 8a477f597d28d172789f06886806bc55\n"
    b"# This file is a cache directory tag created by feedpub.\n"
    b"# For information about cache directory tags see https://bford.info/cachedir/\n",
}


CACHE = ".feedpub-cache"  # the default cache, in the working folder (as Jekyll's .jekyll-cache)


def cache_to_mark(folder: Path) -> bool:
    """Whether a cache folder is feedpub's own to mark (asked before the build makes it):
    new, empty, or the default one. `--cache ./shared`, a folder of the user's files,
    is not made one git and backups pass by."""
    try:
        return folder.name == CACHE or not any(folder.iterdir())
    except FileNotFoundError:
        return True
    except OSError:
        return False


def mark_cache(folder: Path) -> None:
    """Mark a cache folder (`CACHE_MARKS`) that lacks a mark (one the user edited stays)."""
    for name, data in CACHE_MARKS.items():
        path = folder / name
        if not os.path.lexists(path):
            write_file(path, data)


LOCK_WAIT = 300.0  # seconds a build waits for another one to finish with a folder


class Busy(FeedpubError):
    """Another build held a folder for longer than a build waits."""


@contextmanager
def exclusive(folder: Path, what: str, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold `folder` (made if need be) for this build alone: the output folder and the
    cache are each one build's at a time. A second build waits for the first, up to
    `wait` seconds, then gives up (`Busy`). The lock is the kernel's (flock on the
    folder itself), so a killed build never leaves a stale one behind."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as e:
        raise WriteError(f"cannot use the {what} {folder}: {e.strerror or e}") from e
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy(
                        f"another feedpub build is using the {what} {folder}; "
                        f"waited {wait:.0f} s for it to finish"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # and with it the lock


def read_manifest(out: Path, name: str = MANIFEST) -> Manifest:
    """The manifest the last build left in `out` (or the cache's copy, `name`); an empty
    one if there is none (or it is not one feedpub wrote): then no file there is known
    to be feedpub's."""
    try:
        data = json.loads((out / name).read_bytes())
        files = frozenset(f for f in data["files"] if isinstance(f, str) and _inside(f))
        slugs = {
            str(kind): {str(name): str(slug) for name, slug in names.items()}
            for kind, names in data["feeds"].items()
        }
        ids = {str(path): str(i) for path, i in data.get("ids", {}).items() if _an_id(i)}
        aliases = {str(a): str(b) for a, b in data.get("aliases", {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return Manifest()
    return Manifest(files, slugs, ids, aliases)


def manifest_trouble(out: Path) -> str:
    """Why the manifest in `out` cannot be read ("" if it can, or there is none): an
    edit, a merge conflict in a committed gh-pages folder."""
    try:
        data = json.loads((out / MANIFEST).read_bytes())
    except FileNotFoundError:
        return ""
    except OSError as e:
        return str(e.strerror or e)
    except (ValueError, RecursionError):
        return "it is not JSON"
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return "it is not a manifest feedpub wrote"
    return ""


MAX_FOREIGN = 100_000  # files of an output folder without a manifest looked at


def files_in(out: Path) -> set[str]:
    """The files in `out` (not in a hidden folder, `.git`), by path in it: the first
    MAX_FOREIGN a walk finds."""
    found: set[str] = set()
    for folder, folders, files in os.walk(out):
        folders[:] = [f for f in folders if not f.startswith(".")]
        rel = os.path.relpath(folder, out)
        found.update(f if rel == "." else f"{rel}/{f}" for f in files)
        if len(found) >= MAX_FOREIGN:
            break
    return found


def manifest_bytes(manifest: Manifest) -> bytes:
    """The manifest as a file: sorted, so the same build writes the same bytes."""
    data = {
        "feedpub": 1,
        "files": sorted(manifest.files),
        "feeds": {k: dict(sorted(v.items())) for k, v in sorted(manifest.slugs.items())},
    }
    if manifest.ids:
        data["ids"] = dict(sorted(manifest.ids.items()))
    if manifest.aliases:
        data["aliases"] = dict(sorted(manifest.aliases.items()))
    return json_utf8(indented_json(data, 0) + "\n")


def _an_id(ident: object) -> bool:
    """Whether `ident`, an id the manifest says a post was published with, is one a
    build could have made (an output folder someone else can write, a gh-pages
    checkout, must not put `]]></id>` or a control character in a feed)."""
    return (
        isinstance(ident, str)
        and ident.startswith(("http://", "https://"))
        and holds_no_bad_char(ident)
    )


def _inside(rel: str) -> bool:
    """What `target` accepts, without building a path (a manifest lists thousands)."""
    if not rel or rel[0] == "/" or "\\" in rel or "\x00" in rel or rel == MANIFEST:
        return False
    return all(part not in ("", ".", "..") for part in rel.split("/"))


def remove_file(out: Path, rel: str) -> None:
    """Delete an output the build no longer makes (a tag that lost its last post),
    and the folders that held nothing else."""
    path = target(out, rel)
    try:
        path.unlink(missing_ok=True)
    except IsADirectoryError:  # a folder now (a manifest edited by hand): not feedpub's
        return
    for folder in path.parents:
        if folder == out or out not in folder.parents:
            break
        try:
            folder.rmdir()
        except OSError:  # not empty
            break
