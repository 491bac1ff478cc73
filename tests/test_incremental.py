"""The incremental cache never makes output differ from a cold build."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import POSTS, run, stamps, tree

from feedpub import writer
from feedpub.config import load
from feedpub.incremental.cache import Cache
from feedpub.scan import scanned

SITE = "https://example.org/"
SOURCES = ["联合早报", "BBC 中文网", "端传媒", "serpentza"]
TAGS = ["财经", "评论", "a/b", "Science"]


def make_post(folder: Path, rng: random.Random, n: int) -> Path:
    day = rng.randint(1, 28)
    month = rng.choice([1, 2, 3])
    source = rng.choice(SOURCES)
    tags = ", ".join(dict.fromkeys([source, *rng.sample(TAGS, rng.randint(0, 2))]))
    path = folder / f"2021-{month:02d}-{day:02d}-post-{n}.md"
    body = "".join(f"<p>第{n}篇，第{i}段。Paragraph {i}.</p>" for i in range(rng.randint(1, 5)))
    when = f"2021-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:00:00Z"
    path.write_text(
        f'---\ntitle: "Post {n}"\ndate: {when}\n'
        f"author: author{rng.randint(1, 3)}\nfrom: https://example.com/{n}\n"
        f"tags: [ {tags} ]\ncategories: [ {source} ]\n---\n"
        f"<!--{rng.randint(0, 10)}-->\n[Post {n}](https://example.com/{n})\n------\n\n<div>{body}</div>\n",
        encoding="utf-8",
    )
    return path


def edit(posts: Path, rng: random.Random, n: int) -> str:
    """One random change of the kind a scraper or a maintainer makes."""
    files = sorted(p for p in posts.rglob("*.md"))
    action = rng.choice(["add", "add", "delete", "body", "title", "tags", "move", "touch"])
    victim = rng.choice(files)
    if action == "add":
        make_post(posts / "_posts", rng, n)
    elif action == "delete":
        victim.unlink()
    elif action == "body":
        victim.write_text(victim.read_text("utf-8") + f"<p>edit {n}</p>\n", encoding="utf-8")
    elif action == "title":
        text = victim.read_text("utf-8").replace('title: "', f'title: "edited {n} ', 1)
        victim.write_text(text, encoding="utf-8")
    elif action == "tags":
        text = victim.read_text("utf-8").replace("tags: [ ", f"tags: [ new{n % 3}, ", 1)
        victim.write_text(text, encoding="utf-8")
    elif action == "move":
        target = posts / "archived" / f"2021-0{n % 3 + 1}-01"
        target.mkdir(parents=True, exist_ok=True)
        victim.rename(target / victim.name)
    else:
        victim.touch()
    return f"{action} {victim.name}"


def test_warm_equals_cold_after_random_edits(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    posts = tmp_path / "posts"
    shutil.copytree(POSTS, posts)
    (posts / "feedpub.toml").write_text('title = "t"\nurl = "https://example.org"\nlimit = 5\n')
    for n in range(30):
        make_post(posts / "_posts", rng, n)
    warm, cache = tmp_path / "warm", tmp_path / "cache"
    for step in range(12):
        what = edit(posts, rng, 100 + step) if step else "first build"
        cold = tmp_path / f"cold{step}"
        if warm.exists():  # the same output folder, and so the same manifest, to start from
            shutil.copytree(warm, cold)
        assert run("build", str(posts), "--out", str(warm), "--cache", str(cache))[0] == 0
        assert run("build", str(posts), "--out", str(cold), "--no-cache")[0] == 0
        assert tree(warm) == tree(cold), f"step {step}: {what}"
        shutil.rmtree(cold)


def test_posts_without_categories_equal_a_cold_build_after_an_edit(tmp_path: Path) -> None:
    """Posts with a marker and no category are a shift group of their own, the source
    "" (a user trial: the warm build after one was added failed with an
    AttributeError, and every build after it)."""
    posts = tmp_path / "posts"
    shutil.copytree(POSTS, posts)
    (posts / "feedpub.toml").write_text('title = "t"\nurl = "https://example.org"\n')
    start = datetime(2021, 3, 1, 8, tzinfo=UTC)

    def write(n: int, extra: str = "") -> None:
        when = start + timedelta(days=n)
        marker = int((when + timedelta(hours=16)).timestamp() * 1000)  # a clock ahead
        text = (
            f'---\ntitle: "Uncategorised {n}"\ndate: {when:%Y-%m-%dT%H:%M:%SZ}\n'
            f"from: https://example.com/u{n}\n---\n<!--{marker}-->\n<p>body {n}{extra}</p>\n"
        )
        (posts / "_posts" / f"{when:%Y-%m-%d}-u{n}.md").write_text(text, encoding="utf-8")

    for n in range(8):
        write(n)
    warm, cache = tmp_path / "warm", tmp_path / "cache"
    for step, change in enumerate([lambda: None, lambda: write(8), lambda: write(3, " edited")]):
        change()
        code, _, stderr = run("build", str(posts), "--out", str(warm), "--cache", str(cache))
        assert code == 0, stderr
        cold = tmp_path / f"cold{step}"
        shutil.copytree(warm, cold)
        assert run("build", str(posts), "--out", str(cold), "--no-cache")[0] == 0
        assert tree(warm) == tree(cold), f"step {step}"
    assert "edited" in (warm / "feed.json").read_text("utf-8")


def test_a_large_change_equals_a_cold_build(tmp_path: Path) -> None:
    """More than 200 posts changed (and 5 %): the changed files are read, the others'
    readings come from the cache, and every post is normalized and planned again.
    Files with a new stat and the same content are not read again."""
    rng = random.Random(20261205)
    posts = tmp_path / "posts"
    shutil.copytree(POSTS, posts)
    (posts / "feedpub.toml").write_text('title = "t"\nurl = "https://example.org"\nlimit = 5\n')
    made = [make_post(posts / "_posts", rng, n) for n in range(300)]
    warm, cache, cold = tmp_path / "warm", tmp_path / "cache", tmp_path / "cold"
    assert run("build", str(posts), "--out", str(warm), "--cache", str(cache))[0] == 0
    for path in made[:240]:
        text = path.read_text("utf-8").replace('title: "', 'title: "edited ', 1)
        path.write_text(text, encoding="utf-8")
    for path in made[240:280]:
        path.touch()
    made[-1].unlink()
    shutil.copytree(warm, cold)  # the same manifest to start from
    code, stdout, _ = run("build", str(posts), "--out", str(warm), "--cache", str(cache))
    assert code == 0 and "read 312 posts" in stdout
    assert run("build", str(posts), "--out", str(cold), "--no-cache")[0] == 0
    assert tree(warm) == tree(cold)


# --- the patched index -------------------------------------------------------------------
# Builds after a small change patch the cache's index (feedpub/index.py) instead of
# normalizing every post. These posts exercise each thing the patch must redo: a
# source whose markers run 8 h ahead in February (a shift, found and corrected per
# month), copies of one story (merged), names whose paths collide, author feeds,
# unreadable files.

NAMES = ["财经", "A/B", "a-b", "a b", "Science", "science"]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def rich_post(folder: Path, rng: random.Random, n: int, *, url: str = "", day: int = 0) -> Path:
    shifted = rng.random() < 0.4
    source = "晚8点" if shifted else rng.choice(SOURCES)
    when = datetime(2021, 2, day or rng.randint(1, 27), rng.randint(0, 15), tzinfo=UTC)
    ahead = timedelta(hours=8) if shifted else -timedelta(minutes=rng.randint(1, 50))
    marker = (when + ahead - EPOCH) // timedelta(milliseconds=1)
    tags = ", ".join(f'"{t}"' for t in dict.fromkeys(rng.sample(NAMES, rng.randint(0, 2))))
    url = url or f"https://example.com/{n}"
    path = folder / f"{when:%Y-%m-%d}-story-{n}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'---\ntitle: "Story {n}"\ndate: {when:%Y-%m-%dT%H:%M:%SZ}\n'
        f"author: writer{rng.randint(1, 3)}\nfrom: {url}\n"
        f"tags: [ {tags} ]\ncategories: [ {source} ]\n---\n"
        f"<!--{marker}-->\n[Story {n}]({url})\n------\n\n<div><p>Body {n}.</p></div>\n",
        encoding="utf-8",
    )
    return path


def rich_edit(posts: Path, rng: random.Random, n: int) -> str:
    files = sorted(p for p in posts.rglob("*.md"))
    actions = ["add", "add", "copy", "delete", "body", "tags", "marker", "break", "move"]
    action = rng.choice(actions)
    victim = rng.choice(files)
    text = victim.read_text("utf-8")
    if action == "add":
        rich_post(posts / "_posts", rng, n)
    elif action == "copy":  # the same story scraped again a day later, maybe changed
        url = re.search(r"^from: (.*)$", text, re.M)
        day = int(victim.name[8:10]) % 27 + 1
        rich_post(posts / "archived" / "copies", rng, n, url=url[1] if url else "", day=day)
    elif action == "delete":
        victim.unlink()
    elif action == "body":
        victim.write_text(text.replace("</div>", f"<p>edit {n}</p></div>"), encoding="utf-8")
    elif action == "tags":
        tag = rng.choice([*NAMES, f"new {n}"])
        victim.write_text(text.replace("tags: [ ", f'tags: [ "{tag}", ', 1), encoding="utf-8")
    elif action == "marker":  # eight hours ahead, or no pubDate at all
        marker = rng.choice(["NaN", str(int(rng.random() * 1e3) + 1613000000000)])
        victim.write_text(re.sub(r"<!--.*?-->", f"<!--{marker}-->", text), encoding="utf-8")
    elif action == "break":
        victim.write_text(text.replace("title: ", "title: [", 1), encoding="utf-8")
    else:
        target = posts / "archived" / "moved"
        target.mkdir(parents=True, exist_ok=True)
        victim.rename(target / victim.name)
    return f"{action} {victim.name}"


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_patched_index_equals_full_build(tmp_path: Path) -> None:
    rng = random.Random(20261124)
    posts = tmp_path / "posts"
    (posts / "_posts").mkdir(parents=True)
    (posts / "feedpub.toml").write_text('title = "t"\nurl = "https://example.org"\nlimit = 4\n')
    for n in range(40):
        rich_post(posts / "_posts", rng, n)
    warm, cache, report = tmp_path / "warm", tmp_path / "cache", tmp_path / "report.json"
    codes: list[set[str]] = []
    shifts: set[str] = set()
    for step in range(30):
        what = rich_edit(posts, rng, 100 + step) if step else "first build"
        args = ("build", str(posts), "--out", str(warm), "--cache", str(cache))
        cold, cold_report = tmp_path / "cold", tmp_path / "cold.json"
        if warm.exists():  # the same output folder, and so the same manifest, to start from
            shutil.copytree(warm, cold)
        assert run(*args, "--report", str(report))[0] == 0
        assert (
            run(
                "build", str(posts), "--out", str(cold), "--no-cache", "--report", str(cold_report)
            )[0]
            == 0
        )
        assert tree(warm) == tree(cold), f"step {step}: {what}"
        assert folders(warm) == folders(cold), f"step {step}: {what}"  # none left empty
        warm_json, cold_json = json.loads(report.read_bytes()), json.loads(cold_report.read_bytes())
        assert warm_json["problems"] == cold_json["problems"], f"step {step}: {what}"
        assert warm_json["entries"] == cold_json["entries"], f"step {step}: {what}"
        codes.append({p["code"] for p in cold_json["problems"]})
        shifts.add(str([p for p in cold_json["problems"] if p["code"] == "FP305"]))
        shutil.rmtree(cold)
    # Each thing the patch must redo happened: the month's shift changed (new posts
    # ahead, copies, edited markers), copies merged, paths shared, unreadable YAML.
    assert "FP305" in codes[0] and len(shifts) > 2
    for code in ("FP401", "FP501", "FP101"):
        assert any(code in c for c in codes), (code, codes)
    # The patched cache keeps the fragments of the entries some feed shows, and only
    # those: as many as a full build keeps, however many entries came and went.
    fresh = tmp_path / "fresh-cache"
    assert run("build", str(posts), "--out", str(tmp_path / "f"), "--cache", str(fresh))[0] == 0
    assert fragment_keys(cache) == fragment_keys(fresh)


PROMO = "訂閱頻道，每天免費收看：https://bit.ly/chan 歡迎支持：http://bit.ly/support-chan"


def video(folder: Path, n: int, source: str, promo: bool = True) -> Path:
    """A video post of `source`, its description led by the channel's promotion."""
    url = f"https://www.youtube.com/watch?v=video{n:05d}x"
    path = folder / f"2021-03-{n % 28 + 1:02d}-video-{n}.md"
    lead = f"{PROMO}\n" if promo else ""
    path.write_text(
        f"---\ntitle: Video {n}\ndate: 2021-03-{n % 28 + 1:02d}T08:00:00Z\nfrom: {url}\n"
        f"categories: [ {source} ]\n---\n[Video {n}]({url})\n------\n\n"
        f"<div>{lead}第{n}集：今天談談歷史。</div>\n",
        encoding="utf-8",
    )
    return path


def test_a_sources_lead_found_again_after_a_change_equals_a_full_build(tmp_path: Path) -> None:
    """The lead five of a source's stories share leaves their summaries; a warm build
    finds a source's leads again when one of its files changes, comes or goes (its
    stories' entries change with them), as a full build would find them."""
    posts = tmp_path / "posts"
    (posts / "_posts").mkdir(parents=True)
    files = [video(posts / "_posts", n, "Chan") for n in range(6)]
    video(posts / "_posts", 6, "Other")
    warm, cache = tmp_path / "warm", tmp_path / "cache"

    def summaries_after(what: str) -> dict[str, str]:
        cold = tmp_path / "cold"
        if warm.exists():
            shutil.copytree(warm, cold)
        assert run("build", str(posts), "--out", str(warm), "--cache", str(cache))[0] == 0
        assert run("build", str(posts), "--out", str(cold), "--no-cache")[0] == 0
        assert tree(warm) == tree(cold), what
        shutil.rmtree(cold)
        items = json.loads((warm / "feed.json").read_bytes())["items"]
        return {i["title"]: i["summary"] for i in items}

    def skipped(found: dict[str, str]) -> set[str]:
        return {title for title, summary in found.items() if summary.startswith("第")}

    assert skipped(summaries_after("first build")) == {f"Video {n}" for n in range(6)}
    files[0].write_text(files[0].read_text("utf-8").replace(PROMO, "Hello."), encoding="utf-8")
    assert skipped(summaries_after("one of six without")) == {f"Video {n}" for n in range(1, 6)}
    files[1].unlink()
    assert skipped(summaries_after("four left")) == set()
    video(posts / "_posts", 7, "Other")
    assert skipped(summaries_after("another source's")) == set()
    moved = files[2].read_text("utf-8").replace("[ Chan ]", "[ Other ]")
    files[2].write_text(moved, encoding="utf-8")
    assert skipped(summaries_after("moved to Other")) == set()
    for n in (9, 10):
        video(posts / "_posts", n, "Other")
    assert skipped(summaries_after("five of Other")) == {f"Video {n}" for n in (2, 6, 7, 9, 10)}
    video(posts / "_posts", 1, "Chan")
    video(posts / "_posts", 8, "Chan")
    found = skipped(summaries_after("five of Chan again"))
    assert found == {f"Video {n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)}


def fragment_keys(cache: Path) -> set[str]:
    with closing(sqlite3.connect(cache / "cache.sqlite")) as db:
        return {key for (key,) in db.execute("SELECT key FROM fragments")}


def test_a_shift_that_moves_a_post_without_url_keeps_its_published_id(
    tmp_path: Path,
) -> None:
    """A post with no `from:` takes its id from its date. When new posts make its
    source's shift appear, re-timing it moves its link to another day, but its id
    stays the one it was published with (FP403), in a warm build as in a cold one,
    and there is still one entry of it."""
    posts = tmp_path / "posts"
    (posts / "_notes").mkdir(parents=True)  # not `_posts/`, whose names have dates
    (posts / "feedpub.toml").write_text(
        'title = "t"\nurl = "https://example.org"\ninclude = ["_notes/*.md"]\n'
    )

    def post(name: str, marker: datetime, when: datetime | None, url: str) -> None:
        date = f"date: {when:%Y-%m-%dT%H:%M:%SZ}\n" if when else ""
        ms = (marker - EPOCH) // timedelta(milliseconds=1)
        (posts / "_notes" / name).write_text(
            f'---\ntitle: "{name}"\n{date}author: w\nfrom: {url}\ncategories: [ S ]\n---\n'
            f"<!--{ms}-->\n[{name}]({url or 'x'})\n------\n\n<div><p>Body.</p></div>\n",
            encoding="utf-8",
        )

    warm, cold = tmp_path / "warm", tmp_path / "cold"
    for n, day in enumerate((5, 20, 12, 3, 24, 15, 8)):  # fetched at 10:00, markers 8 h ahead
        when = datetime(2021, 2, day, 10, tzinfo=UTC)
        post(f"a{n}.md", when + timedelta(hours=8), when, f"https://example.com/a{n}")
        if n == 4:  # five such posts are not yet a shift
            post("x.md", datetime(2021, 2, 11, 3, tzinfo=UTC), None, "")
            assert (
                run("build", str(posts), "--out", str(warm), "--cache", str(tmp_path / "c"))[0] == 0
            )
    shutil.copytree(warm, cold)  # the same output folder, and so the same manifest
    code, _, stderr = run("build", str(posts), "--out", str(warm), "--cache", str(tmp_path / "c"))
    assert code == 0
    assert "FP403 id-kept: its id would become https://example.org/s/2021/02/10/x " in stderr
    assert run("build", str(posts), "--out", str(cold), "--no-cache")[0] == 0
    assert tree(warm) == tree(cold)
    feed = (warm / "feed.xml").read_text("utf-8")
    assert feed.count("<id>https://example.org/s/2021/02/11/x</id>") == 1  # 03:00 - 8 h
    assert 'href="https://example.org/s/2021/02/10/x.html"' in feed  # its link: where it is now

    # The README's way to accept the new id: delete its line from the manifest. The
    # cache's memory of the old one must not outlive it.
    manifest = warm / ".feedpub-manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    del data["ids"]["_notes/x.md"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    shutil.rmtree(cold)
    shutil.copytree(warm, cold)
    code, _, stderr = run("build", str(posts), "--out", str(warm), "--cache", str(tmp_path / "c"))
    assert code == 0 and "FP403" not in stderr
    assert run("build", str(posts), "--out", str(cold), "--no-cache")[0] == 0
    assert tree(warm) == tree(cold)
    assert "<id>https://example.org/s/2021/02/10/x</id>" in (warm / "feed.xml").read_text()


@pytest.mark.parametrize("lost", ["manifest", "output folder", "nothing"])
def test_the_paths_remembered_when_the_output_folder_forgets(tmp_path: Path, lost: str) -> None:
    """Which of two names that share a path keeps it (FP501) is remembered by the
    output folder's manifest; when the folder was made afresh (a CI runner's) or lost
    its manifest, by the cache's copy of it. With the manifest intact but its files
    copied anew (new mtimes), a small change is still patched, not planned whole."""
    posts, out, cache = tmp_path / "posts", tmp_path / "out", tmp_path / "cache"
    (posts / "_posts").mkdir(parents=True)

    def post(n: int, tag: str) -> None:
        (posts / "_posts" / f"2021-02-0{n}-p{n}.md").write_text(
            f'---\ntitle: "p{n}"\ndate: 2021-02-0{n}T10:00:00Z\nfrom: https://example.com/{n}\n'
            f'tags: [ "{tag}" ]\n---\n<div><p>b</p></div>\n',
            encoding="utf-8",
        )

    def build(*flags: str) -> str:
        code, _, stderr = run("build", str(posts), "--out", str(out), "--cache", str(cache), *flags)
        assert code == 0, stderr
        return stderr

    post(1, "a-b")
    post(2, "a-b")
    build()
    post(3, "A/B")  # the same path: the name that had it keeps it
    assert "FP501" in build()
    before = published(out)
    if lost == "manifest":
        (out / ".feedpub-manifest.json").unlink()
    elif lost == "output folder":
        shutil.rmtree(out)
    else:
        shutil.copytree(out, tmp_path / "copy")
        shutil.rmtree(out)
        shutil.move(tmp_path / "copy", out)
    settings = load(posts)
    with closing(Cache(cache, settings)) as opened:
        manifest = opened.manifest(writer.read_manifest(out))
        pending = opened.pending(scanned(posts, (out, cache)), manifest)
        assert not pending.whole
    assert "FP501" in build()
    assert published(out) == before
    assert (out / "tags" / "a-b" / "feed.xml").read_text().count("<entry>") == 2


def published(out: Path) -> dict[str, bytes]:
    """The files the manifest of `out` lists, and the manifest."""
    files = tree(out)
    names = json.loads(files[".feedpub-manifest.json"])["files"]
    return {name: files[name] for name in [*names, ".feedpub-manifest.json"]}


def test_settings_moved_in_their_file_are_shown_where_they_are(tmp_path: Path) -> None:
    """Moving a table changes no setting (the cache stays), but the problems name it."""
    posts, out, cache = tmp_path / "posts", tmp_path / "out", tmp_path / "cache"
    shutil.copytree(POSTS, posts)
    toml = posts / "feedpub.toml"
    toml.write_text('[sources."Nobody"]\nzone = "Asia/Tokyo"\n', encoding="utf-8")
    args = ("build", str(posts), "--out", str(out), "--cache", str(cache), "--site-url", SITE)
    shown = os.path.relpath(toml)  # from the working folder, as every path
    assert f"{shown}:1: FP602 unknown-source" in run(*args)[2]
    toml.write_text('# moved\n\n[sources."Nobody"]\nzone = "Asia/Tokyo"\n', encoding="utf-8")
    code, stdout, stderr = run(*args)
    assert code == 0 and " wrote 0 of " in stdout
    assert f"{shown}:3: FP602 unknown-source" in stderr


def test_unchanged_rebuild_rewrites_nothing_and_says_so(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert run("build", str(POSTS), "--out", str(out), "--cache", str(cache))[0] == 0
    before = stamps(out)
    code, stdout, _ = run("build", str(POSTS), "--out", str(out), "--cache", str(cache))
    assert code == 0 and " wrote 0 of " in stdout
    assert stamps(out) == before


def test_cache_survives_a_fresh_clone_and_new_mtimes(tmp_path: Path) -> None:
    """New mtimes everywhere (a CI checkout): content hashes still hit the cache."""
    posts, out, cache = tmp_path / "posts", tmp_path / "out", tmp_path / "cache"
    shutil.copytree(POSTS, posts)
    assert run("build", str(posts), "--out", str(out), "--cache", str(cache))[0] == 0
    for path in posts.rglob("*.md"):
        path.touch()
    before = stamps(out)
    code, stdout, _ = run("build", str(posts), "--out", str(out), "--cache", str(cache))
    assert code == 0 and " wrote 0 of " in stdout
    assert stamps(out) == before


def test_config_change_invalidates_the_cache(tmp_path: Path) -> None:
    posts, out, cache = tmp_path / "posts", tmp_path / "out", tmp_path / "cache"
    shutil.copytree(POSTS, posts)
    assert run("build", str(posts), "--out", str(out), "--cache", str(cache))[0] == 0
    config = posts / "feedpub.toml"
    config.write_text(config.read_text("utf-8").replace("limit = 50", "limit = 2"), "utf-8")
    assert run("build", str(posts), "--out", str(out), "--cache", str(cache))[0] == 0
    assert run("build", str(posts), "--out", str(tmp_path / "cold"), "--no-cache")[0] == 0
    assert tree(out) == tree(tmp_path / "cold")


def test_deleting_the_cache_is_safe(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    assert run("build", str(POSTS), "--out", str(out), "--cache", str(cache))[0] == 0
    first = tree(out)
    shutil.rmtree(cache)
    assert run("build", str(POSTS), "--out", str(out), "--cache", str(cache))[0] == 0
    assert tree(out) == first
