"""scan.py: which files are posts, in which order, with which stats."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from feedpub.scan import scan, scanned, unsure


def touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_posts_sorted_by_relative_path_with_their_stats(tmp_path: Path) -> None:
    for rel in ("b.md", "a.html", "_posts/2021-01-02-x.markdown", "archived/2020/z.md"):
        touch(tmp_path / rel, rel)
    found = scan(tmp_path)
    assert list(found) == ["a.html", "b.md", "_posts/2021-01-02-x.markdown", "archived/2020/z.md"]
    st = (tmp_path / "b.md").stat()
    assert found["b.md"] == (st.st_size, st.st_mtime_ns)


def test_hidden_entries_other_extensions_and_skipped_folders_are_left_out(
    tmp_path: Path,
) -> None:
    touch(tmp_path / "post.md")
    touch(tmp_path / ".draft.md")
    touch(tmp_path / ".git" / "x.md")
    touch(tmp_path / "notes.txt")
    touch(tmp_path / "public" / "feed.md")  # the output folder, inside the posts
    touch(tmp_path / "sub" / "public" / "kept.md")  # same name, another folder
    assert list(scan(tmp_path, (tmp_path / "public",))) == ["post.md", "sub/public/kept.md"]


def test_links_to_files_are_followed_links_to_folders_are_not(tmp_path: Path) -> None:
    target = touch(tmp_path / "elsewhere" / "real.md", "hello")
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "linked.md").symlink_to(target)
    (posts / "folder").symlink_to(target.parent, target_is_directory=True)
    (posts / "broken.md").symlink_to(tmp_path / "missing.md")
    found = scan(posts)
    assert found == {"broken.md": (-1, -1), "linked.md": (5, target.stat().st_mtime_ns)}


def test_a_pipe_named_like_a_post_has_no_stat(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    assert scan(tmp_path) == {"pipe.md": (-1, -1)}


def test_a_folder_that_cannot_be_opened_is_listed_after_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tmp_path / "a" / "one.md")
    touch(tmp_path / "locked" / "two.md")
    touch(tmp_path / "z.md")
    real_open = os.open

    def open_(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if os.fspath(path) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", open_)  # chmod does not stop root
    assert list(scan(tmp_path)) == ["z.md", "a/one.md", "locked"]
    assert scan(tmp_path)["locked"] == (-1, -1)


def test_scanned_splits_the_stats_by_folder_and_hashes_each(tmp_path: Path) -> None:
    for rel in ("top.md", "a/one.md", "a/two.md", "a/b/three.md", "c/four.md"):
        touch(tmp_path / rel)
    os.mkfifo(tmp_path / "c" / "pipe.md")
    before = scanned(tmp_path)
    assert before.stats == scan(tmp_path)
    assert {f: list(part) for f, part in before.folders.items()} == {
        "": ["top.md"],
        "a": ["a/one.md", "a/two.md"],
        "a/b": ["a/b/three.md"],
        "c": ["c/four.md", "c/pipe.md"],
    }
    assert unsure(before.folders) == {"c"}  # a pipe: read again by every build
    touch(tmp_path / "a" / "two.md", "edited")
    after = scanned(tmp_path)
    assert {f for f in after.digests if after.digests[f] != before.digests[f]} == {"a"}
    assert after.snapshot != before.snapshot
    assert scanned(tmp_path).snapshot == after.snapshot


@pytest.mark.parametrize("count", [3, 450])  # read in this process / in the worker pool
def test_readings_share_the_scans_path_strings(tmp_path: Path, count: int) -> None:
    """A reading holds the scan's own path string, not a copy, whether it was read
    here or came back pickled from a worker (tens of thousands of paths otherwise
    sit in memory twice), and every name round-trips, undecodable bytes included."""
    from feedpub.build import Workers, read_files
    from feedpub.config import Settings

    names = [f"_posts/2021-01-01-新闻 {i}.md" for i in range(count - 1)]
    names.append(os.fsdecode(b"_posts/2021-01-01-\xff.md"))
    for name in names:
        touch(tmp_path / name, f"---\ntitle: t\n---\n\n<p>{len(name)}</p>\n")
    found = scan(tmp_path)
    todo = [(path, stat[0], "") for path, stat in found.items()]
    with Workers(2) as workers:
        reads = read_files(tmp_path, todo, Settings(), workers)
    keys = {path: path for path in found}
    assert sorted(r.post.path for r in reads if r and r.post) == sorted(names)
    assert all(r and r.post and r.post.path is keys[r.post.path] for r in reads)
