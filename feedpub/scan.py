"""Finding the posts: one pass over the folder that lists and stats every post file.

Which files are posts is Jekyll's answer: the files of every `_posts/` folder
(`category/_posts/` included) and, for the news archives, of every `archived/` folder,
at any depth; a root that is itself such a folder is read whole. The rest of a
repository (README.md, pages, `_layouts/`, `_site/`) is never read, unless `include`
names it, nor a folder feedpub built into (its manifest says); `exclude` takes files
or folders out (gitignore-style, from the root), as does `_config.yml`'s `exclude:`.

Kept apart from the collector so that a build with nothing to do (the common
case in CI) needs neither YAML nor the parser to find that out. On Linux the
pass is shared with a forked child (`_in_two`): most of its time is Python's.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
import stat
import sys
from collections import Counter
from collections.abc import Container, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, NoReturn, cast

from .checks import gitignore
from .jekyllexclude import Excluding
from .model import MANIFEST
from .settings import POST_FOLDERS

EXTENSIONS = (".md", ".markdown", ".html")
# Never searched for posts folders: Jekyll's output and the folders of other tools.
NOT_SEARCHED = frozenset({"_site", "node_modules", "vendor"})
SPLIT = 4  # a folder with this many subfolders or more: `_in_two` splits them
# (size, ctime_ns, mode); (-1, -1) if not a regular file. The ctime: set by every write
# that sets the mtime, and by `mv` (posts of one size and mtime, swapped) and `touch -r`.
# The mode: a `chmod` can make a post unreadable (FP001), or readable again.
Stat = tuple[int, ...]


@dataclass(frozen=True)
class Selection:
    """Which files under the root are posts, besides those of the posts folders."""

    include: tuple[str, ...] = ()  # gitignore-style patterns of more post files
    exclude: tuple[str, ...] = ()  # ... of files and folders that are never posts
    site_exclude: tuple[str, ...] = ()  # Jekyll's `exclude:`, of the site's paths
    site_path: str = ""  # the root's path in the site ("_posts/": that folder built)

    def matchers(self) -> tuple[Any, Any]:
        """Compiled `include` and `exclude` (pathspec, imported only when they are set)."""
        exclude = gitignore(self.exclude) if self.exclude else None
        if self.site_exclude:
            exclude = Excluding(exclude, self.site_exclude, self.site_path)
        return gitignore(self.include) if self.include else None, exclude


def is_posts_folder(root: Path) -> bool:
    """Whether `root` is itself a posts folder, read whole (`feedpub build _posts`)."""
    return os.path.basename(os.path.realpath(root)) in POST_FOLDERS


def in_posts_folder(root: Path, path: Path) -> bool:
    """Whether `path` (resolved) is in a posts folder of `root`, or is one."""
    r = root.resolve()
    if not path.is_relative_to(r):
        return False
    return is_posts_folder(root) or any(p in POST_FOLDERS for p in path.relative_to(r).parts)


def linked_inside(root: Path, folder: Path) -> str:
    """What is wrong with `folder` as the output folder or cache: "" if nothing, else
    that it, or a folder on its way, is a symbolic link inside `root` or the working
    folder (where the defaults are): a `public` committed as a link would choose
    where the build writes. A link elsewhere, or its target named, is the user's."""
    homes = [Path(os.path.abspath(f)) for f in (root, ".")]
    where = Path(os.path.abspath(folder))
    for step in (where, *where.parents):
        if not any(home in step.parents for home in homes):
            return ""
        if step.is_symlink():
            target = os.path.realpath(step)
            return (
                f"{'' if step == where else f'{step} '}is a symbolic link inside the folder"
                f" built or the working folder (to {target}): a repository could point it"
                f" anywhere; name {os.path.realpath(where)} itself to write there"
            )
    return ""


def unread_posts(root: Path, folder: Path, walk: bool = True) -> str:
    """What is wrong with `folder` (resolved) as one the scan of `root` skips (the output
    folder, the cache): "" if nothing. Being, or holding, the posts or a posts folder
    the scan would read there: those posts would be left out without a word.
    `walk=False`: only the posts folders right in it are looked for (a folder known
    to be feedpub's own, whose tree is large)."""
    r = root.resolve()
    if r == folder or folder in r.parents:
        return f"must not be the folder of posts ({root}) or a folder above it"
    if not folder.is_relative_to(r) or not _searched(folder.relative_to(r).parts):
        return ""  # never read by the scan: whatever it holds
    if in_posts_folder(root, folder):
        return "must not be a posts folder, or inside one"
    todo = [folder]
    while todo:
        with suppress(OSError), os.scandir(todo.pop()) as entries:
            for e in entries:
                if not e.is_dir(follow_symlinks=False) or not _searched((e.name,)):
                    continue
                if e.name in POST_FOLDERS:
                    return f"must not hold a posts folder ({Path(e.path).relative_to(folder)}/)"
                if walk:
                    todo.append(Path(e.path))
    return ""


def _searched(parts: tuple[str, ...]) -> bool:
    """Whether the scan looks for posts folders in a folder at `parts` (below ROOT)."""
    return not any(p.startswith(".") or p in NOT_SEARCHED for p in parts)


def top_folders(paths: Iterable[str]) -> dict[str, int]:
    """How many of `paths` lie in each top folder ("." for the root's own files)."""
    counts = Counter(path.partition("/")[0] if "/" in path else "." for path in paths)
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class Scanned:
    """The posts' stats by folder, each folder's marshalled (version 2 has no
    back-references, so its bytes depend on the values alone) and hashed: a build
    compares, decodes and saves in the cache only the folders whose hash changed."""

    parts: dict[str, bytes]  # folder ("" for the top) -> its {path: stat}, in scan order
    digests: dict[str, bytes]  # folder -> hash of its part
    snapshot: str  # a hash of them all: equal snapshots, nothing to do
    files: int  # how many post files (and unlistable folders) there are
    unsure: frozenset[str]  # folders with an entry that could not be stat'ed: always read
    errors: tuple[str, ...] = ()  # folders that could not be listed (listed last)

    def stats(self, folders: Container[str] | None = None) -> dict[str, Stat]:
        """path -> stat of the files in `folders` (default: all), in scan order."""
        return _decoded(self.parts, self.errors, folders)


def _decoded(
    parts: dict[str, bytes], errors: tuple[str, ...], folders: Container[str] | None = None
) -> dict[str, Stat]:
    found: dict[str, Stat] = {}
    for folder, part in parts.items():
        if folders is None or folder in folders:
            found.update(marshal.loads(part))
    for error in errors:  # after the files, as `scan` lists them
        if error in found:
            found[error] = found.pop(error)
    return found


def scanned(
    root: Path, skip: tuple[Path, ...] = (), select: Selection = Selection(), jobs: int = 0
) -> Scanned:
    """`scan`, split by folder and hashed."""
    found = _in_two(root, skip, select, jobs)
    digests = {f: _hash(part) for f, part in found.parts.items()}
    snapshot = _hash(marshal.dumps(digests, 2)).hex()
    return Scanned(found.parts, digests, snapshot, found.files, found.unsure, found.errors)


def _hash(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def scan(
    root: Path, skip: tuple[Path, ...] = (), select: Selection = Selection(), jobs: int = 0
) -> dict[str, Stat]:
    """Post files under `root` (relative paths, sorted, hidden entries skipped) and their stats.

    A folder that cannot be listed is included too (after the files, with no
    stat), so that `read_file` reports it instead of its posts vanishing
    without a word. Symbolic links to folders are not followed; a link to a
    file is listed with its target's stat, and the collector refuses it if
    the target lies outside `root`. `jobs=1` (the build's `--jobs 1`): in this
    process alone.
    """
    return _in_two(root, skip, select, jobs).stats()


def _outside(root: Path, path: str) -> bool:
    base = os.path.realpath(root)
    return os.path.commonpath([base, os.path.realpath(path)]) != base


class _Found(NamedTuple):
    parts: dict[str, bytes]  # as `Scanned.parts`
    files: int
    unsure: frozenset[str]
    errors: tuple[str, ...]

    def stats(self) -> dict[str, Stat]:
        return _decoded(self.parts, self.errors)


def _scan(root: Path, skip: tuple[Path, ...], select: Selection) -> _Found:
    folders, errors, _ = _visit(root, skip, select)
    return _joined(folders, errors, {}, 0, set())


def _joined(
    folders: dict[str, Part],
    errors: list[str],
    packed: dict[str, bytes],
    files: int,
    unsure: set[str],
) -> _Found:
    """`folders` marshalled (see `_packed`), with those `packed` already (and the
    `files` and `unsure` folders they hold), in scan order, and the unlistable
    folders in their parent's."""
    errors = sorted(errors, key=lambda e: e.split("/"))
    for error in errors:
        parent = error.rpartition("/")[0]
        if parent in packed:
            files -= len(part := marshal.loads(packed.pop(parent)))
            folders[parent] = part
        folders.setdefault(parent, {}).setdefault(error, (-1, -1))
    more, count, found = _packed(folders)
    parts = dict(sorted((packed | more).items(), key=lambda item: item[0].split("/")))
    return _Found(parts, files + count, frozenset(unsure | found), tuple(errors))


def _packed(folders: Mapping[str, Part]) -> tuple[dict[str, bytes], int, set[str]]:
    """Folders marshalled, how many files they hold, and which of them hold one that
    could not be stat'ed (read again by every build)."""
    unsure = {f for f, part in folders.items() if any(st and st[0] < 0 for st in part.values())}
    packed = {f: marshal.dumps(part, 2) for f, part in folders.items()}
    return packed, sum(map(len, folders.values())), unsure


Part = dict[str, Stat | None]


def _visit(
    root: Path, skip: tuple[Path, ...], select: Selection, side: int | None = None
) -> tuple[dict[str, Part], list[str], dict[str, int]]:
    """Each folder's post files and their stats, in scan order, the folders that
    could not be listed, and a hash of what each folder both sides list holds.

    With a `side` (0 or 1), for `_in_two`: that process's share only. A folder
    with `SPLIT` subfolders or more gives every other one to each side, subtree
    and all; the files of the folders above it are split one by one, the other
    side's stats left None. Both sides list those folders: equal hashes (of the
    files' and subfolders' names; string hashes are the same in a fork) show
    that they split the same things."""
    skipped = {os.path.realpath(p) for p in skip}
    names = {os.path.basename(p) for p in skipped}  # realpath() only for dirs so named
    folders: dict[str, Part] = {}
    errors: list[str] = []
    listed: dict[str, int] = {}
    include, exclude = select.matchers()

    def wanted_folder(name: str, rel: str, inside: bool) -> bool:
        if exclude is not None and exclude.match_file(rel + "/"):
            return False
        return inside or include is not None or name not in NOT_SEARCHED

    def visit(
        folder: str, prefix: str, opened_as: str, parent: int | None, inside: bool, shared: bool
    ) -> None:
        # A folder is opened by its name in its parent and its files are stat'ed by
        # name in it: the kernel resolves one name each time, not the whole path.
        try:
            fd = os.open(opened_as, os.O_RDONLY | os.O_DIRECTORY, dir_fd=parent)
        except OSError:
            if inside or include is not None:  # else it was only searched for posts folders
                errors.append(prefix[:-1] or ".")
            return
        try:
            with os.scandir(fd) as it:
                entries = sorted(it, key=attrgetter("name"))
            if parent is not None and any(e.name == MANIFEST for e in entries):
                return  # feedpub's output, built from inside the posts (its pages are .html)
            dirs = []
            part: Part = {}
            turn = side if shared else None
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                try:
                    is_dir = entry.is_dir()
                except OSError:  # a link that loops: listed, for the collector to report
                    is_dir = False
                if is_dir:
                    if entry.is_symlink():  # never followed; reported if it leads outside
                        if (inside or include is not None) and _outside(root, f"{folder}/{name}"):
                            part[prefix + name] = (-1, -1)
                        continue
                    if not wanted_folder(name, prefix + name, inside):
                        continue
                    path = f"{folder}/{name}"
                    if name not in names or os.path.realpath(path) not in skipped:
                        dirs.append((path, name))
                elif name.endswith(EXTENSIONS) or name[-9:].lower().endswith(EXTENSIONS):
                    rel = prefix + name
                    if not (inside or (include is not None and include.match_file(rel))):
                        continue
                    if exclude is not None and exclude.match_file(rel):
                        continue
                    if turn is not None:
                        turn ^= 1
                        if turn == 0:  # the other side's
                            part[rel] = None
                            continue
                    try:
                        st = entry.stat()
                    except OSError:
                        part[rel] = (-1, -1)
                        continue
                    regular = stat.S_ISREG(st.st_mode)
                    own = (st.st_size, st.st_ctime_ns, st.st_mode)  # see `Stat`
                    part[rel] = own if regular else (-1, -1)
            if part:
                folders[prefix[:-1]] = part
            if shared:
                listed[prefix[:-1]] = hash((tuple(part), tuple(dirs)))
            split = shared and len(dirs) >= SPLIT
            for i, (path, name) in enumerate(dirs):
                if split and i % 2 != side:
                    continue
                into = inside or name in POST_FOLDERS
                visit(path, f"{prefix}{name}/", name, fd, into, shared and not split)  # noqa: F821
        finally:
            os.close(fd)

    visit(os.fspath(root), "", os.fspath(root), None, is_posts_folder(root), side is not None)
    del visit  # it holds itself, and `folders`: a cycle, never freed under `paused_gc`
    return folders, errors, listed


def _may_fork() -> bool:
    """Whether the scan may fork: on Linux, with two cores to run on, and no thread
    of Python's running besides this one (forking a threaded process can deadlock)."""
    threading = sys.modules.get("threading")
    return (
        sys.platform.startswith("linux")
        and len(os.sched_getaffinity(0)) > 1
        and (threading is None or threading.active_count() == 1)
    )


def _in_two(root: Path, skip: tuple[Path, ...], select: Selection, jobs: int = 0) -> _Found:
    """`_scan`, shared with a forked child (as `git status` preloads its index in
    threads). Python builds an object for each `stat` that costs as much as the
    system call itself: one process took 0.22 s for 50,000 posts, where C takes
    0.10 s. The child sends its own folders marshalled (this process decodes
    only those a build reads), and its stats of the files of the folders both
    list, with `_visit`'s hashes of those folders; if they are not this side's
    (the tree changed between the two listings), or anything else is amiss,
    this process scans again alone."""
    if jobs == 1 or not _may_fork():
        return _scan(root, skip, select)
    r, w = os.pipe()
    parent, enabled, pid = os.getpid(), gc.isenabled(), -1
    gc.disable()  # no collection in the child: it would run this process's finalizers
    try:
        pid = os.fork()
        if pid == 0:
            _child(root, skip, select, r, w)
    except OSError:
        pass  # no process to spare: scanned alone, below
    finally:
        if os.getpid() != parent:
            os._exit(1)  # the child, interrupted before `_child` could end it
        if enabled:
            gc.enable()
    if pid < 0:
        os.close(r)
        os.close(w)
        return _scan(root, skip, select)
    os.close(w)
    try:
        folders, errors, listed = _visit(root, skip, select, side=0)
        own, files, unsure = _packed({f: part for f, part in folders.items() if f not in listed})
        with open(r, "rb", closefd=False) as pipe:  # its own folders packed while the child ends
            data = pipe.read()
    finally:
        os.close(r)  # a child still writing gets EPIPE, and exits
        try:
            ok = os.waitpid(pid, 0)[1] == 0
        except ChildProcessError:  # reaped by another (SIGCHLD ignored): its data unsure
            ok = False
    got = _received(data) if ok else None
    if got is None or got[2] != listed:
        return _scan(root, skip, select)
    theirs, their_errors, _, shared, their_files, their_unsure = got
    both = {f: folders[f] for f in listed if f in folders}
    for folder, values in shared.items():  # the same names, in the same order
        part = both.get(folder, {})
        if len(values) != len(part):
            return _scan(root, skip, select)
        part.update(
            [(rel, v) for (rel, st), v in zip(part.items(), values, strict=True) if st is None]
        )
    unsure.update(their_unsure)
    return _joined(both, errors + their_errors, own | theirs, files + their_files, unsure)


Sent = tuple[
    dict[str, bytes], list[str], dict[str, int], dict[str, list[Stat | None]], int, list[str]
]


def _child(root: Path, skip: tuple[Path, ...], select: Selection, r: int, w: int) -> NoReturn:
    """The child's side of `_in_two`: its folders (marshalled, with how many files
    and which unsure folders they hold), its stats of the files of the folders
    both sides list, and their hashes, to the pipe; then it exits."""
    code = 1
    try:
        os.close(r)
        parts, errors, listed = _visit(root, skip, select, side=1)
        shared = {f: list(parts.pop(f, {}).values()) for f in listed}
        own, files, unsure = _packed(parts)
        sent: Sent = (own, errors, listed, shared, files, sorted(unsure))
        with open(w, "wb") as out:
            out.write(marshal.dumps(sent, 2))
        code = 0
    finally:
        os._exit(code)


def _received(data: bytes) -> Sent | None:
    try:
        return cast(Sent, marshal.loads(data))
    except (EOFError, ValueError, TypeError):  # cut short
        return None
