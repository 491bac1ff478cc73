"""The incremental cache never makes output differ from a cold build."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from conftest import POSTS, run, stamps, tree

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
        assert run("build", str(posts), "--out", str(warm), "--cache", str(cache))[0] == 0
        cold = tmp_path / f"cold{step}"
        assert run("build", str(posts), "--out", str(cold), "--no-cache")[0] == 0
        assert tree(warm) == tree(cold), f"step {step}: {what}"
        shutil.rmtree(cold)


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
