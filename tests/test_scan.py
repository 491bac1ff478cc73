"""scan.py: which files are posts, in which order, with which stats."""

from __future__ import annotations

import marshal
import os
import random
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from feedpub import scan as scan_module
from feedpub.scan import Selection, scan, scanned, top_folders


def touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_posts_sorted_by_relative_path_with_their_stats(tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    for rel in ("b.md", "a.html", "sub/2021-01-02-x.markdown", "z/y/z.md"):
        touch(posts / rel, rel)
    found = scan(posts)  # a posts folder is read whole, at any depth
    assert list(found) == ["a.html", "b.md", "sub/2021-01-02-x.markdown", "z/y/z.md"]
    st = (posts / "b.md").stat()
    assert found["b.md"] == (st.st_size, st.st_ctime_ns, st.st_mode)


def repository(root: Path) -> Path:
    """A Jekyll news archive as its owners keep it."""
    for rel in (
        "README.md", "index.md", "about.html", "_layouts/default.html", "_includes/head.html",
        "_site/index.html", "_site/2021/a.html", "_drafts/2021-09-09-draft.md",
        "node_modules/pkg/README.md", "assets/notes.md",
        "_posts/2021-04-10-a.md", "_posts/2021/2021-04-11-b.md",
        "archived/2021-03-01/2021-03-01-c.md", "2020/archived/2020-01-01-d.md",
        "news/_posts/2021-04-12-e.md", "news/index.md",
    ):  # fmt: skip
        touch(root / rel)
    return root


def test_a_repository_root_reads_its_posts_folders_only(tmp_path: Path) -> None:
    found = scan(repository(tmp_path))
    assert list(found) == [
        "2020/archived/2020-01-01-d.md",
        "_posts/2021-04-10-a.md",
        "_posts/2021/2021-04-11-b.md",
        "archived/2021-03-01/2021-03-01-c.md",
        "news/_posts/2021-04-12-e.md",
    ]
    assert top_folders(found) == {"2020": 1, "_posts": 2, "archived": 1, "news": 1}


def test_include_and_exclude_are_gitignore_patterns(tmp_path: Path) -> None:
    root = repository(tmp_path)
    select = Selection(include=("_drafts/*.md", "assets/"), exclude=("archived/", "*-b.md"))
    assert list(scan(root, (), select)) == [
        "_drafts/2021-09-09-draft.md",
        "_posts/2021-04-10-a.md",
        "assets/notes.md",
        "news/_posts/2021-04-12-e.md",
    ]


def test_hidden_entries_other_extensions_and_skipped_folders_are_left_out(
    tmp_path: Path,
) -> None:
    posts = tmp_path / "_posts"
    touch(posts / "post.md")
    touch(posts / ".draft.md")
    touch(posts / ".git" / "x.md")
    touch(posts / "notes.txt")
    touch(posts / "public" / "feed.md")  # the output folder, inside the posts
    touch(posts / "sub" / "public" / "kept.md")  # same name, another folder
    assert list(scan(posts, (posts / "public",))) == ["post.md", "sub/public/kept.md"]


def test_extensions_in_capitals_are_posts_as_jekyll_reads_them(tmp_path: Path) -> None:
    """Jekyll matches extensions whatever their case: `A.MD` is published, so it
    is in the feeds; an `.HTML` post is HTML, never rendered as Markdown."""
    from feedpub.collector import parse

    posts = tmp_path / "_posts"
    for name in ("a.MD", "b.Markdown", "c.HTML", "d.TXT", "e.mD"):
        touch(posts / name)
    assert list(scan(posts)) == ["a.MD", "b.Markdown", "c.HTML", "e.mD"]
    text = b"---\ntitle: T\ndate: 2021-01-02\n---\n*not emphasis*\n"
    for name, markdown in (("c.HTML", False), ("a.MD", True)):
        post = parse(name, text).post
        assert post is not None and post.markdown is markdown, name


def test_links_are_listed_and_links_to_folders_never_followed(tmp_path: Path) -> None:
    target = touch(tmp_path / "elsewhere" / "real.md", "hello")
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "linked.md").symlink_to(target)
    (posts / "folder").symlink_to(target.parent, target_is_directory=True)
    (posts / "broken.md").symlink_to(tmp_path / "missing.md")
    (posts / "la.md").symlink_to("lb.md")  # a loop: listed, for the collector to report
    (posts / "lb.md").symlink_to("la.md")
    found, t = scan(posts), target.stat()
    assert found == {
        "broken.md": (-1, -1),
        "folder": (-1, -1),  # a folder outside: listed for the collector to refuse (FP007)
        "la.md": (-1, -1),
        "lb.md": (-1, -1),
        "linked.md": (5, t.st_ctime_ns, t.st_mode),
    }


def test_a_pipe_named_like_a_post_has_no_stat(tmp_path: Path) -> None:
    (tmp_path / "_posts").mkdir()
    os.mkfifo(tmp_path / "_posts" / "pipe.md")
    assert scan(tmp_path) == {"_posts/pipe.md": (-1, -1)}


def test_a_folder_that_cannot_be_opened_is_listed_after_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path = tmp_path / "_posts"
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
    tmp_path = tmp_path / "_posts"
    for rel in ("top.md", "a/one.md", "a/two.md", "a/b/three.md", "c/four.md"):
        touch(tmp_path / rel)
    os.mkfifo(tmp_path / "c" / "pipe.md")
    before = scanned(tmp_path)
    assert before.stats() == scan(tmp_path) and before.files == 6
    assert {f: list(marshal.loads(part)) for f, part in before.parts.items()} == {
        "": ["top.md"],
        "a": ["a/one.md", "a/two.md"],
        "a/b": ["a/b/three.md"],
        "c": ["c/four.md", "c/pipe.md"],
    }
    assert list(before.stats({"a", "c"})) == ["a/one.md", "a/two.md", "c/four.md", "c/pipe.md"]
    assert before.unsure == {"c"}  # a pipe: read again by every build
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
    from feedpub.collector import Limits, read_files
    from feedpub.workers import Workers

    # names of this test alone: an equal string interned by an earlier test is the one
    # `sys.intern` returns, and the scan's own copy would not be used
    names = [f"_posts/2021-01-01-新闻 {count}-{i}.md" for i in range(count - 1)]
    names.append(os.fsdecode(b"_posts/2021-01-01-\xff-%d.md" % count))
    for name in names:
        touch(tmp_path / name, f"---\ntitle: t\n---\n\n<p>{len(name)}</p>\n")
    found = scan(tmp_path)
    todo = [(path, stat[0], "") for path, stat in found.items()]
    with Workers(2) as workers:
        reads = read_files(tmp_path, todo, Limits(), workers.map)
    keys = {path: path for path in found}
    assert sorted(r.post.path for r in reads if r and r.post) == sorted(names)
    assert all(r and r.post and r.post.path is keys[r.post.path] for r in reads)


def split_tree(root: Path) -> Path:
    """Folders both sides list (their files split one by one) and a folder of
    `SPLIT` subfolders or more (given out whole, nested folders included: the
    child takes every other one, from the second)."""
    posts = root / "archived"
    for d in range(7):
        for n in range(d + 1):
            touch(posts / f"2021-01-0{d}" / f"2021-01-0{d}-{n}.md", "x" * (n + d))
    for n in range(1, 6):  # in a folder both list: the child stats top-2 and top-4
        touch(posts / f"top-{n}.md", "y" * n)
    deep = ("2021-01-05/deep/x.md", "2021-01-06/a/w.md", "2021-01-06/a/b/y.md")
    for rel in (*deep, "2021-01-06-extra/z.md"):
        touch(posts / rel)  # 2021-01-06-extra: after 2021-01-06/a/b, though not as a string
    touch(root / "_posts" / "2021-02-01-a.md")
    os.mkfifo(posts / "2021-01-03" / "pipe.md")
    (posts / "2021-01-04" / "link").symlink_to(root / "_posts", target_is_directory=True)
    return root


def shapes(found: Any) -> object:
    """Content and order of a scan's stats and folders, and what it counted."""
    folders = [(f, list(marshal.loads(part).items())) for f, part in found.parts.items()]
    return list(found.stats().items()), folders, found.files, found.unsure, found.errors


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    """`_in_two` forks here, whatever this machine's cores (tests of its merge)."""
    monkeypatch.setattr(scan_module, "_may_fork", lambda: True)


@pytest.mark.usefixtures("forking")
def test_two_processes_scan_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`scan` shares its stat calls with a forked child: the same stats, in the same
    order, as one process alone, unlistable folders included."""
    root = split_tree(tmp_path)
    real_open = os.open

    def open_(path: Any, flags: int, mode: int = 0o777, *, dir_fd: int | None = None) -> int:
        if os.fspath(path) in ("2021-01-03", "2021-01-06-extra", "b", "deep"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, mode, dir_fd=dir_fd)

    alone = scan_module._scan(root, (), Selection())
    assert shapes(scan_module._in_two(root, (), Selection())) == shapes(alone)
    order = list(alone.parts)  # folders by path components, not as strings
    assert order.index("archived/2021-01-06/a/b") < order.index("archived/2021-01-06-extra")
    monkeypatch.setattr(os, "open", open_)
    alone = scan_module._scan(root, (), Selection())
    assert shapes(scan_module._in_two(root, (), Selection())) == shapes(alone)
    assert list(alone.stats())[-4:] == [  # the unlistable, by path components
        "archived/2021-01-03",  # in a folder both sides list
        "archived/2021-01-05/deep",  # in a folder of the child's, with files
        "archived/2021-01-06/a/b",  # in one of this process's, with files
        "archived/2021-01-06-extra",
    ]


@pytest.mark.usefixtures("forking")
def test_a_child_that_fails_or_lists_otherwise_leaves_the_work_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = split_tree(tmp_path)
    alone = shapes(scan_module._scan(root, (), Selection()))
    real_visit, real_scandir, real_dumps = scan_module._visit, os.scandir, marshal.dumps

    def failing(*args: Any, side: int | None = None) -> Any:
        if side == 1:
            raise RuntimeError("the child fails")
        return real_visit(*args, side=side)

    def without(hidden: str) -> Callable[..., Any]:
        """The child does not see `hidden`: made or removed between the two listings."""

        @contextmanager
        def scandir(fd: int) -> Iterator[Iterator[os.DirEntry[str]]]:
            with real_scandir(fd) as entries:
                yield (e for e in entries if e.name != hidden)

        def visit(*args: Any, side: int | None = None) -> Any:
            if side == 1:  # in the child alone
                os.scandir = scandir  # type: ignore[assignment]
            return real_visit(*args, side=side)

        return visit

    for visit in (failing, without("2021-01-00"), without("top-3.md"), without("2021-01-06")):
        monkeypatch.setattr(scan_module, "_visit", visit)
        assert shapes(scan_module._in_two(root, (), Selection())) == alone
    monkeypatch.setattr(scan_module, "_visit", real_visit)
    here = os.getpid()

    def cut(value: Any, version: int) -> bytes:  # in the child alone
        return real_dumps(value, version)[: -9 if os.getpid() != here else None]

    monkeypatch.setattr(marshal, "dumps", cut)
    assert shapes(scan_module._in_two(root, (), Selection())) == alone  # cut short
    monkeypatch.setattr(marshal, "dumps", real_dumps)
    ignored = signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reaped unseen
    try:
        assert shapes(scan_module._in_two(root, (), Selection())) == alone
    finally:
        signal.signal(signal.SIGCHLD, ignored)

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert shapes(scan_module._in_two(root, (), Selection())) == alone


def test_no_fork_while_another_thread_runs() -> None:
    import threading

    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not scan_module._may_fork()
    finally:
        stop.set()
        thread.join()


def random_tree(root: Path, rng: random.Random, depth: int = 0) -> None:
    """Folders and files of names that sort differently as strings and as paths,
    not valid UTF-8, hidden; links in and out, pipes."""
    files = ["0.md", "1.md", "2.md", "3.md", "p.markdown", "r.html", "s.txt", ".h.md", "é.md"]
    files.append(os.fsdecode(b"\xfe.md"))
    for name in rng.sample(files, rng.choice([0, 1, 2, 3, 5, 8])):
        path, luck = root / name, rng.random()
        if luck < 0.05:
            os.mkfifo(path)
        elif luck < 0.1:
            path.symlink_to(root / "nowhere.md")
        else:
            path.write_text("x" * rng.randrange(30), encoding="utf-8")
    folders = ["_posts", "archived", "a", "a-b", "a.b", "b", "c", "d", "e", "_site", ".git"]
    folders.append(os.fsdecode(b"f\xe9"))
    for name in rng.sample(folders, rng.choice([0, 0, 1, 2, 3, 5, 7]) if depth < 4 else 0):
        if rng.random() < 0.08:
            (root / name).symlink_to(root.parent if rng.random() < 0.5 else "/tmp")
            continue
        (root / name).mkdir()
        random_tree(root / name, rng, depth + 1)


@pytest.mark.usefixtures("forking")
@pytest.mark.parametrize("seed", range(40))
def test_two_processes_scan_random_trees_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    root = tmp_path / rng.choice(["site", "_posts", "archived"])
    root.mkdir()
    random_tree(root, rng)
    monkeypatch.setattr(scan_module, "SPLIT", rng.choice([2, 3, 4]))
    select = rng.choice([Selection(), Selection(("*.txt", "a/"), ("b/", "1.md"))])
    alone = scan_module._scan(root, (), select)
    assert shapes(scan_module._in_two(root, (), select)) == shapes(alone)


def test_one_job_scans_in_this_process_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--jobs 1` starts no other process, the scan's child included."""
    root = split_tree(tmp_path)
    monkeypatch.setattr(scan_module, "_may_fork", lambda: True)

    def no_fork() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", no_fork)
    assert scan(root, jobs=1) == scan_module._scan(root, (), Selection()).stats()
    assert scanned(root, jobs=1).stats() == scan(root, jobs=1)
