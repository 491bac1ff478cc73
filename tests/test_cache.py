"""The incremental cache's rooms, one by one, and the paths a build takes through them
that the random-edit tests of test_incremental.py do not reach on purpose: a warm
cache followed by a large change, damaged outputs, a feed plan reused, a shift
that disappears."""

from __future__ import annotations

import os
import pickle
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import POSTS, run, run_in, stamps, tree
from test_incremental import make_post

from feedpub import planner
from feedpub.config import load
from feedpub.incremental import snapshot
from feedpub.incremental.index import FeedRow, Index, feed_key
from feedpub.incremental.outputs import Outputs
from feedpub.incremental.readings import Groups, Readings, dump_reading, load_reading
from feedpub.incremental.store import FILE, Store
from feedpub.model import Member, Period, RawPost, Reading
from feedpub.problems import Problem
from feedpub.scan import scanned
from feedpub.settings import Settings

SITE = "https://example.org"


def build(posts: Path, out: Path, cache: Path | None, *flags: str) -> str:
    caching = ("--cache", str(cache)) if cache else ("--no-cache",)
    code, stdout, stderr = run("build", str(posts), "--out", str(out), *caching, *flags)
    assert code == 0, stderr
    return stdout


def cold_equals_warm(posts: Path, warm: Path, tmp_path: Path, *flags: str) -> None:
    """The warm output equals a build without a cache over the same output folder."""
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    shutil.copytree(warm, cold)  # the same manifest to start from
    build(posts, cold, None, *flags)
    assert tree(warm) == tree(cold)


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(POSTS, site)
    rng = random.Random(5)
    for n in range(60):
        make_post(site / "_posts", rng, n)
    return site


# --- store --------------------------------------------------------------------------------


def test_the_default_cache_is_never_committed_with_the_repository(tmp_path: Path) -> None:
    """Run in the repository, `feedpub build` keeps its cache in `.feedpub-cache/`
    there (48 MB for a user's archive of 10,000 posts): a `.gitignore` inside it makes
    git pass it by, as pytest's and ruff's caches do, and its CACHEDIR.TAG tells
    backup tools what it is. One the user edited stays as it is."""
    import subprocess

    shutil.copytree(POSTS, tmp_path / "_posts")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    code, _, stderr = run_in(tmp_path, "build", "--site-url", SITE)
    assert code == 0, stderr
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert ".feedpub-cache" not in status and "_posts/" in status
    tag = (tmp_path / ".feedpub-cache" / "CACHEDIR.TAG").read_bytes()
    assert tag.startswith(b"Signature: 8a477f597d28d172789f06886806bc55")
    ignore = tmp_path / ".feedpub-cache" / ".gitignore"
    ignore.write_text("# mine\n*\n")
    assert run_in(tmp_path, "build", "--site-url", SITE)[0] == 0
    assert ignore.read_text() == "# mine\n*\n"


def test_a_folder_of_the_users_is_not_marked_as_a_cache(tmp_path: Path) -> None:
    """`--cache ./shared`, a folder with the user's files in it, is not made one that git
    and backups pass by; a new or empty one is."""
    shared = tmp_path / "shared"
    (shared / "notes").mkdir(parents=True)
    build(POSTS, tmp_path / "out", shared, "--site-url", SITE)
    assert not (shared / ".gitignore").exists() and not (shared / "CACHEDIR.TAG").exists()
    build(POSTS, tmp_path / "out2", tmp_path / "new", "--site-url", SITE)
    assert (tmp_path / "new" / ".gitignore").read_text().endswith("*\n")


def test_the_ids_kept_outlive_the_cache_a_site_move_empties(tmp_path: Path) -> None:
    """On a CI runner the output folder is new each time, and only the cache remembers
    the ids published. A new site URL (or a new feedpub) empties the cache's database:
    its memory of the manifest is a file beside it, so a post without `from:` keeps
    its id (FP403) when the site moves, as with the output folder kept."""
    posts = tmp_path / "_posts"
    posts.mkdir()
    (posts / "2021-03-01-x.md").write_text("---\ntitle: X\ndate: 2021-03-01\n---\nBody.\n")
    cache = tmp_path / "cache"
    build(posts, tmp_path / "a", cache, "--site-url", "https://a.example")
    code, _, stderr = run(
        "build", str(posts), "--out", str(tmp_path / "b"), "--cache", str(cache),
        "--site-url", "https://b.example",
    )  # fmt: skip
    assert code == 0 and "FP403" in stderr
    assert "<id>https://a.example/2021/03/01/x</id>" in (tmp_path / "b" / "feed.xml").read_text()


def test_the_sites_own_url_as_a_flag_keeps_the_cache(tmp_path: Path) -> None:
    """`--site-url` naming the site the `_config.yml` names (as the README's quick
    start passes it) is the same site: the trial's build with it took 11.4 s of a
    full build where the one before had taken 0.3, and 10.3 s again without it."""
    shutil.copytree(POSTS, tmp_path / "_posts")
    config = "title: T\nurl: https://example.github.io\nbaseurl: /news\n"
    (tmp_path / "_config.yml").write_text(config, "utf-8")
    assert run_in(tmp_path, "build")[0] == 0
    before, db = tree(tmp_path / "public"), tmp_path / ".feedpub-cache" / FILE
    kept = db.stat().st_mtime_ns
    for url in ("https://example.github.io/news/", "https://Example.GitHub.io/news", ""):
        code, _, stderr = run_in(tmp_path, "build", *(("--site-url", url) if url else ()))
        assert code == 0, stderr
        assert db.stat().st_mtime_ns == kept and tree(tmp_path / "public") == before
    assert run_in(tmp_path, "build", "--site-url", "https://example.org/")[0] == 0
    assert db.stat().st_mtime_ns != kept  # another site: built anew
    settings = load(tmp_path, site_url="https://example.github.io/news/")
    assert (settings.url, settings.baseurl) == ("https://example.github.io", "/news")


def test_a_store_is_emptied_when_its_stamp_changes(tmp_path: Path) -> None:
    store = Store(tmp_path, "settings-a")
    store.put("x", {"kept": 1})
    store.close()
    store = Store(tmp_path, "settings-a")
    assert store.get("x") == {"kept": 1}
    store.close()
    store = Store(tmp_path, "settings-b")
    assert store.get("x") is None
    store.close()


def test_a_file_that_is_no_database_is_made_again(tmp_path: Path) -> None:
    (tmp_path / FILE).write_bytes(b"not a database at all" * 100)
    store = Store(tmp_path, "s")
    store.put("x", 1)
    assert store.get("x") == 1
    store.close()


def test_a_database_damaged_inside_is_made_again(tmp_path: Path) -> None:
    """A header that still says SQLite over pages that do not: every build would
    fail on it, so it is made again like a file that is no database."""
    store = Store(tmp_path, "s")
    store.put("x", 1)
    store.close()
    data = bytearray((tmp_path / FILE).read_bytes())
    size = int.from_bytes(data[16:18], "big")  # the page size, from the header
    data[size:] = b"\xff" * (len(data) - size)  # every page but the schema's
    (tmp_path / FILE).write_bytes(bytes(data))
    store = Store(tmp_path, "s")
    assert store.get("x") is None
    store.put("x", 2)
    assert store.get("x") == 2
    store.close()


def test_a_failed_transaction_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    store = Store(tmp_path, "s")
    store.put("x", 1)
    with pytest.raises(RuntimeError), store.transaction():
        store.put("x", 2)
        raise RuntimeError("killed")
    assert store.get("x") == 1
    store.close()


# --- readings -----------------------------------------------------------------------------


def reading(path: str, title: str = "t") -> Reading:
    raw = RawPost(
        path, "digest-" + title, 7, title, None, 0, "", "", (), (), None, "", 0, 1, False,
        "utf-8",
    )  # fmt: skip
    return Reading(raw, (Problem(path, 1, 0, "FP104", "no title"),))


def test_a_reading_comes_back_from_the_cache_as_it_was_read() -> None:
    """Non-ASCII text is kept as UTF-8 bytes (see `readings._OWN_TEXT`): it comes back
    equal, lone surrogates and all, and a link text that is the title stays one string."""
    title = "香港「新聞」\udc80 é"
    raw = RawPost(
        "_posts/x.md", "d", 7, title, None, 0, "作者", "https://例子.cn/a", ("標籤",), ("標籤",),
        None, title, 0, 1, False, "utf-8",
    )  # fmt: skip
    back = load_reading(raw.path, dump_reading(Reading(raw, ())))
    assert back == Reading(raw, ())
    assert back.post is not None and back.post.link_text is back.post.title
    assert type(back.post.url) is str and back.post.marker is None


def test_readings_hold_files_with_their_groups_and_find_dirty_folders(tmp_path: Path) -> None:
    posts = tmp_path / "_posts"
    (posts / "a").mkdir(parents=True)
    for rel in ("a/1.md", "2.md"):
        (posts / rel).write_text("x")
    found = scanned(posts)
    store = Store(tmp_path / "cache", "s")
    readings = Readings(store)
    assert not readings.ready()
    readings.save_stats(found, set(found.parts))
    assert readings.ready() and readings.dirty(found.digests) == set()
    files = {p: reading(p) for p in found.stats()}
    readings.replace_all((p, f, Groups("src\0" + "2021-04", f"id-{p}")) for p, f in files.items())
    assert readings.all() == files
    assert readings.groups(["2.md"]) == {"2.md": Groups("src\x002021-04", "id-2.md")}
    assert readings.paths("shift", "src\x002021-04") == ["2.md", "a/1.md"]
    assert readings.digests(["a/1.md", "gone.md"]) == {"a/1.md": "digest-t"}
    (posts / "a" / "1.md").write_text("changed")
    assert readings.dirty(scanned(posts).digests) == {"a"}
    (posts / "2.md").unlink()
    assert readings.dirty(scanned(posts).digests) == {"", "a"}
    store.close()


# --- index --------------------------------------------------------------------------------


def test_index_rows_come_back_typed(tmp_path: Path) -> None:
    store = Store(tmp_path, "s")
    index = Index(store, Settings(url=SITE))
    kind = planner.KIND["tag"]
    m = Member(5, "https://e.org/1", "fp1", 6, "2021-04", "2021", 500, "en")
    row = FeedRow(kind, "Science", "science", (m,), (Period("2021", b"d", 1, 7),))
    index.put_feed(row)
    index.put_period(row.key, "2021", [m])
    assert index.feed(feed_key(kind, "Science")) == row
    assert index.period(row.key, "2021") == (m,)
    assert index.slugs(kind) == {"Science": "science"}
    assert [(f.kind, f.name, f.folder, f.total) for f in index.listings()] == [
        (kind, "Science", "tags/science", 1)
    ]
    problem = Problem("x.md", 1, 0, "FP401", "merged", owner="story:https://e.org/1")
    index.put_problems(problem.owned_by, [problem])
    assert index.problems() == [problem]
    index.put_problems(problem.owned_by, [])
    assert index.problems() == []
    store.close()


# --- outputs and the snapshot -------------------------------------------------------------


def test_output_records_and_what_counts_as_broken(posts: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(posts, out, cache)
    store = Store(cache, load(posts).fingerprint())
    records = Outputs(store).records()
    assert store.get("snapshot") is not None  # the same stamp: nothing was emptied
    store.close()
    assert "feed.xml" in records and snapshot.broken(out, records) == []
    (out / "rss.xml").write_bytes(b"tampered")
    (out / "feed.json").unlink()
    assert sorted(snapshot.broken(out, records)) == ["feed.json", "rss.xml"]


def test_unchanged_needs_the_same_code_settings_posts_and_outputs(
    posts: Path, tmp_path: Path
) -> None:
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(posts, out, cache)
    settings = load(posts)
    found = scanned(posts, (out, cache))
    assert snapshot.unchanged(cache, settings, found, out) is not None
    assert snapshot.unchanged(cache, Settings(title="other"), found, out) is None
    (out / "feed.json").unlink()
    assert snapshot.unchanged(cache, settings, found, out) is None


def test_a_chmod_is_a_change(posts: Path, tmp_path: Path) -> None:
    """A post that can no longer be read, or can be again (FP001), keeps its size and
    mtime: the cache must look at it all the same."""
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(posts, out, cache)
    settings = load(posts)
    post = posts / "_posts" / "2021-03-01-hello-feedpub.md"
    post.chmod(0o600)
    found = scanned(posts, (out, cache))
    assert snapshot.unchanged(cache, settings, found, out) is None
    build(posts, out, cache)
    assert snapshot.unchanged(cache, settings, scanned(posts, (out, cache)), out) is not None


def test_files_swapped_with_the_same_size_and_mtime_are_a_change(tmp_path: Path) -> None:
    """Two posts of one size written in one step share an mtime: swapped with `mv`,
    each path kept its size and mtime, and a warm build kept the old entries (a trial
    found it). Their inodes and ctimes changed: the cache looks at those too."""
    site, out, cache = tmp_path / "site", tmp_path / "public", tmp_path / "cache"
    (site / "_posts").mkdir(parents=True)
    a, b = site / "_posts" / "2021-03-01-a.md", site / "_posts" / "2021-03-02-b.md"
    a.write_text("---\ntitle: AAA\n---\n<p>a</p>\n", "utf-8")
    b.write_text("---\ntitle: BBB\n---\n<p>b</p>\n", "utf-8")
    os.utime(b, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns))
    build(site, out, cache)
    a.rename(tmp_path / "swap")
    b.rename(a)
    (tmp_path / "swap").rename(b)
    assert (a.stat().st_size, a.stat().st_mtime_ns) == (b.stat().st_size, b.stat().st_mtime_ns)
    assert "wrote 0 of" not in build(site, out, cache)
    cold_equals_warm(site, out, tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_a_post_made_unreadable_and_readable_again(posts: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(posts, out, cache)
    post = posts / "_posts" / "2021-03-01-hello-feedpub.md"
    post.chmod(0)
    try:
        assert "FP001" in run("build", str(posts), "-o", str(out), "--cache", str(cache))[2]
        cold_equals_warm(posts, out, tmp_path)
    finally:
        post.chmod(0o644)
    build(posts, out, cache)
    cold_equals_warm(posts, out, tmp_path)


# --- the paths a build takes ---------------------------------------------------------------


def test_a_warm_cache_then_a_large_change(posts: Path, tmp_path: Path) -> None:
    """More than 5% of the posts changed: a full build that reuses the unchanged
    readings of the index, and gives what a cold build gives."""
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(posts, out, cache)
    files = sorted((posts / "_posts").glob("*-post-*.md"))
    for path in files[: len(files) // 3]:
        path.write_text(path.read_text("utf-8").replace("</div>", "<p>more</p></div>"), "utf-8")
    for path in files[-5:]:
        path.unlink()
    build(posts, out, cache)
    cold_equals_warm(posts, out, tmp_path)


def test_damaged_outputs_are_written_again(posts: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(posts, out, cache)
    reference = tree(out)
    (out / "feed.xml").unlink()
    (out / "tags" / "财经" / "rss.xml").write_bytes(b"broken")
    shutil.rmtree(out / "archive")
    (posts / "_posts" / "2021-03-01-hello-feedpub.md").touch()  # a small change as well
    stdout = build(posts, out, cache)
    assert tree(out) == reference
    assert " 0 of " not in stdout


def test_a_feeds_plan_is_reused_when_its_entries_did_not_change(
    posts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to one source's post re-plans the feeds it is in, not the others."""
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(posts, out, cache)
    planned: list[str] = []
    real = planner._plan_feed

    def spy(feed, *args):  # type: ignore[no-untyped-def]
        planned.append(feed.folder)
        return real(feed, *args)

    monkeypatch.setattr(planner, "_plan_feed", spy)
    target = next((posts / "_posts").glob("*-post-7.md"))
    target.write_text(target.read_text("utf-8").replace("Post 7", "Post seven"), "utf-8")
    build(posts, out, cache)
    assert planned and "" in planned  # the site shows it
    untouched = [p.name for p in (out / "sources").iterdir() if f"sources/{p.name}" not in planned]
    assert untouched  # some source feeds were not planned again
    cold_equals_warm(posts, out, tmp_path)


def shifted(folder: Path, n: int, ahead: timedelta, url: str) -> Path:
    when = datetime(2021, 4, 1 + n, 6, tzinfo=UTC)
    marker = int((when + ahead).timestamp() * 1000)
    fetched = when + timedelta(minutes=20)
    path = folder / f"{when:%Y-%m-%d}-s{n}.md"
    path.write_text(
        f"---\ntitle: S{n}\ndate: {fetched:%Y-%m-%dT%H:%M:%S}.500Z\nfrom: {url}\n"
        f"categories: [ 晚报 ]\ntags: [ 晚报 ]\n---\n<!--{marker}-->\n[S{n}]({url})\n------\n\n"
        f"<div><p>{n}</p></div>\n",
        encoding="utf-8",
    )
    return path


def test_a_shift_that_disappears(tmp_path: Path) -> None:
    """A month's shift found, then its evidence deleted: the posts are timed again
    from their own dates, as a cold build does."""
    posts = tmp_path / "site" / "_posts"
    posts.mkdir(parents=True)
    made = [shifted(posts, n, timedelta(hours=8), f"https://e.org/s{n}") for n in range(6)]
    out, cache = tmp_path / "public", tmp_path / "cache"
    report = tmp_path / "report.json"
    build(posts.parent, out, cache, "--site-url", SITE, "--report", str(report))
    assert b"FP305" in report.read_bytes()
    for path in made[:5]:
        path.unlink()
    build(posts.parent, out, cache, "--site-url", SITE, "--report", str(report))
    assert b"FP305" not in report.read_bytes()
    cold_equals_warm(posts.parent, out, tmp_path, "--site-url", SITE)


def test_problems_are_pickled_with_their_owner() -> None:
    problem = Problem("a.md", 1, 0, "FP401", "m", owner="story:x")
    assert pickle.loads(pickle.dumps(problem)) == problem
    assert problem.owned_by == "story:x" and Problem("a.md", 1, 0, "FP104", "m").owned_by == (
        "file:a.md"
    )


def test_unchanged_stamps(posts: Path, tmp_path: Path) -> None:
    out, cache = tmp_path / "public", tmp_path / "cache"
    build(posts, out, cache)
    before = stamps(out)
    assert " wrote 0 of " in build(posts, out, cache)
    assert stamps(out) == before
