"""A post file's bytes, read safely: a symbolic link only to a file inside the posts
folder, no pipe, device or folder opened for reading, nothing over the size limit.
The collector reads posts with it, and the render phase their bodies again."""

from __future__ import annotations

import errno
import functools
import os
import stat
from pathlib import Path

from . import encoding


class Refused(Exception):
    """A post file that is not read, and why: a problem's code and message ("" for a
    folder that could be listed after all: nothing to report)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_bytes(root: Path, path: str, limit: int) -> bytes:
    """The bytes of the post file `path` under `root`, at most `limit` of them.

    A symbolic link is followed only to a file inside `root`: a link committed to
    an archive must not publish the runner's files. Pipes, devices and folders
    are refused without being read (opening a pipe without O_NONBLOCK blocks).
    """
    full = os.path.join(root, path)
    try:
        try:
            fd = os.open(full, _OPEN | os.O_NOFOLLOW)
        except OSError as e:
            if e.errno != errno.ELOOP:  # ELOOP: the file is a symbolic link
                raise
            fd = _open_link(root, full)
        if (opened := _opened(fd)) is not None and not _inside(opened, _base(root)):
            os.close(fd)  # a file or folder swapped for a link while it was read
            raise Refused("FP007", f"{opened} is outside the posts folder; not read, skipped")
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            if stat.S_ISDIR(st.st_mode):  # a folder the scan could not list
                os.scandir(full).close()
                raise Refused("", "")
            raise Refused("FP001", "not a regular file (a pipe, socket or device); skipped")
        try:
            if st.st_size > limit:
                raise Refused("FP002", _too_large(st.st_size, limit))
            data = _read_fd(fd, st.st_size, limit)
        finally:
            os.close(fd)
    except OSError as e:
        if isinstance(e, FileNotFoundError) and not os.path.lexists(full):
            raise Refused("FP001", "the file went away while the build ran; skipped") from e
        what = "folder cannot be listed" if os.path.isdir(full) else "cannot read the file"
        raise Refused("FP001", f"{what}: {e.strerror or e}; skipped") from e
    if len(data) > limit:
        raise Refused("FP002", _too_large(len(data), limit))
    return data


def _read_fd(fd: int, size: int, limit: int) -> bytes:
    """The bytes of `fd` to its end, or `limit + 1` of them if it holds more: read by
    the size its stat gave (+1, to see it grew), as a file object's `read(limit + 1)`
    allocates `limit` bytes (5 MB) for each post, four times the cost of the read."""
    parts = []
    count, want = 0, min(size, limit) + 1
    while count <= limit and (part := os.read(fd, want)):
        parts.append(part)
        count += len(part)
        want = min(limit + 1 - count, 1 << 20)
    return b"".join(parts)


def _open_link(root: Path, full: str) -> int:
    """Open the target of the link `full`, if it lies inside `root` and not in a hidden
    file or folder there (`.git/config` holds a checkout's token, `.env` secrets); not
    a link again (one swapped in since: `read_bytes` checks the folders on the way)."""
    target = os.path.realpath(full)
    base = _base(root)
    if os.path.commonpath([target, base]) != base:
        raise Refused(
            "FP007", f"symbolic link to {target}, outside the posts folder; not followed, skipped"
        )
    if any(part.startswith(".") for part in Path(os.path.relpath(target, base)).parts):
        raise Refused("FP007", f"symbolic link to {target}, a hidden file; not followed, skipped")
    return os.open(target, _OPEN | os.O_NOFOLLOW)


_OPEN = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC


def _base(root: Path) -> str:
    """The posts folder with its links resolved (`root` as the working folder is now)."""
    return _resolved(os.path.abspath(root))


@functools.lru_cache(maxsize=16)
def _resolved(folder: str) -> str:
    return os.path.realpath(folder)


def _opened(fd: int) -> str | None:
    """The path of the file `fd` is open on, as the kernel followed it (Linux: None
    elsewhere): a local user who can write the posts folder may swap a file or a
    folder on its path for a link between the checks and the open (4 µs a file)."""
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None


def _inside(path: str, base: str) -> bool:
    """Whether `path` (absolute, no link in it) lies inside `base`, not hidden there."""
    inner = path[len(base) :]
    return path.startswith(base) and inner[:1] == os.sep and f"{os.sep}." not in inner


def _too_large(size: int, limit: int) -> str:
    return f"file is {size:,} bytes, over the {limit:,}-byte limit (max_bytes); skipped"


def read_body(root: Path, path: str, start: int, limit: int) -> str:
    """The body of a post, read again from disk (`start` is `RawPost.body_start`)."""
    text, _ = encoding.decode(read_bytes(root, path, limit))
    return text[start:]
