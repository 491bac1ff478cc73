"""End to end: `feedpub build` on the sample posts and on the real corpus."""

from __future__ import annotations

import gc
import re
import shutil
from pathlib import Path

import feedparser
import pytest
from conftest import GOLDEN, POSTS, ROOT, run, stamps, tree
from validators import check_atom, check_feedparser, check_jsonfeed, check_rss

from feedpub import config
from feedpub.build import build
from feedpub.model import Options


def check_all(out: Path) -> list[str]:
    """Every problem of every feed under `out`, RFC 5005 archive documents included."""
    checkers = {"feed.xml": check_atom, "rss.xml": check_rss, "feed.json": check_jsonfeed}
    problems = []
    for path in sorted(out.rglob("*")):
        archive = path.parent.name == "archive" and path.suffix == ".xml"
        checker = check_atom if archive else checkers.get(path.name)
        if checker is None:
            continue
        found = checker(path)
        if path.suffix == ".xml":
            found += check_feedparser(path)
        problems += [f"{path.relative_to(out)}: {p}" for p in found]
    return problems


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    out = tmp_path / "public"
    code, _, stderr = run("build", str(POSTS), "--out", str(out))
    assert code == 0, stderr
    return out


def test_sample_matches_golden(sample: Path) -> None:
    """posts/ -> public/ is exactly tests/golden (regenerate with `make golden`)."""
    assert tree(sample) == tree(GOLDEN)


def test_sample_feeds_are_valid(sample: Path) -> None:
    assert check_all(sample) == []


def test_sample_feed_contents(sample: Path) -> None:
    site = feedparser.parse((sample / "feed.xml").read_bytes())
    # 13 files, two pairs of copies merged: 11 stories.
    assert len(site.entries) == 11
    dates = [e.published_parsed for e in site.entries]
    assert dates == sorted(dates, reverse=True)
    assert site.feed.updated == "2021-04-16T01:00:00Z"
    ids = [e.id for e in site.entries]
    assert len(set(ids)) == len(ids)
    assert "https://theinitium.com/article/20210415-%E5%8F%8C%E9%87%8D" in ids
    zaobao = feedparser.parse((sample / "sources/联合早报/rss.xml").read_bytes())
    assert [e.title for e in zaobao.entries] == [
        "港股收市微升",
        "新加坡扩大疫苗接种至45岁以上居民",
        "疫情下的小贩中心",
    ]
    # `news` is a generic category, not a source; a `/` in a name never makes a folder.
    assert (sample / "sources/bbc-中文网/feed.xml").is_file()
    assert not (sample / "sources/news").exists()
    # The tag 纽约时报 中文 holds the source's posts: its folder sends readers there.
    assert not (sample / "tags/纽约时报-中文/feed.xml").exists()
    page = (sample / "tags/纽约时报-中文/index.html").read_text("utf-8")
    assert (
        'url=../../sources/%E7%BA%BD%E7%BA%A6%E6%97%B6%E6%8A%A5-%E4%B8%AD%E6%96%87/index.html"'
        in page
    )
    assert b"url=../../sources/" in (sample / "authors/李四/index.html").read_bytes()


def test_preamble_removed_and_markdown_rendered(sample: Path) -> None:
    site = feedparser.parse((sample / "feed.xml").read_bytes())
    by_title = {e.title: e for e in site.entries}
    body = by_title["新加坡扩大疫苗接种至45岁以上居民"].content[0].value
    assert "<!--" not in body and "------" not in body and "](https://" not in body
    hello = by_title["Hello, feedpub & friends"]
    assert "<em>plain Jekyll post</em>" in hello.content[0].value
    assert hello.link == "https://example.org/feeds/blog/2021/03/01/hello-feedpub.html"  # Jekyll's


def test_rebuild_rewrites_nothing(sample: Path) -> None:
    before = stamps(sample)
    code, stdout, _ = run("build", str(POSTS), "--out", str(sample))
    assert code == 0
    assert "wrote 0 of" in stdout
    assert stamps(sample) == before


def test_limit_flag(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, _ = run("build", str(POSTS), "--out", str(out), "--limit", "2")
    assert code == 0
    assert len(feedparser.parse((out / "feed.xml").read_bytes()).entries) == 2


def test_output_never_depends_on_folder_name_or_order(tmp_path: Path) -> None:
    """The same posts copied elsewhere build to the same bytes."""
    copy = tmp_path / "elsewhere"
    shutil.copytree(POSTS, copy)
    code, _, _ = run("build", str(copy), "--out", str(tmp_path / "out"))
    assert code == 0
    assert tree(tmp_path / "out") == tree(GOLDEN)


def test_corpus_builds_valid_feeds(corpus_build: tuple[Path, str]) -> None:
    out, summary = corpus_build
    assert summary.startswith("Done: read 10321 posts")
    assert check_all(out) == []


def test_readme_prints_what_a_corpus_build_prints(corpus_build: tuple[Path, str]) -> None:
    """The README's example of a build of the corpus is a build's summary line, as it
    is today (feeds, files and notes, not the seconds): a new user compares it with
    their own run."""
    _, summary = corpus_build
    readme = (ROOT / "README.md").read_text("utf-8")
    shown = re.search(r"^Done: read 10321 posts .*$", readme, re.M)
    assert shown is not None

    def figures(line: str) -> str:
        return re.sub(r" to \S+, | in [\d.]+ seconds", " ", line.strip())

    assert figures(shown[0]) == figures(summary.splitlines()[-1])


def test_corpus_feed_counts(corpus_build: tuple[Path, str]) -> None:
    out, _ = corpus_build
    site = feedparser.parse((out / "feed.xml").read_bytes())
    assert len(site.entries) == 50
    for path in out.glob("sources/*/feed.xml"):
        parsed = feedparser.parse(path.read_bytes())
        assert 1 <= len(parsed.entries) <= 50, path


def test_corpus_rebuild_rewrites_nothing(corpus: Path, corpus_build: tuple[Path, str]) -> None:
    out, _ = corpus_build
    before = stamps(out)
    code, stdout, _ = run(
        "build", str(corpus), "--out", str(out), "--site-url", "https://example.org"
    )
    assert code == 0
    assert " wrote 0 of " in stdout
    assert stamps(out) == before


@pytest.mark.parametrize("cache", [True, False])
def test_a_build_leaves_no_reference_cycles(tmp_path: Path, cache: bool) -> None:
    """Builds run with the cycle collector off (`workers.paused_gc`), so whatever a
    reference cycle holds stays for the rest of the build: the scan's recursive
    closure once kept every file's stat to the end (10 MB at 50,000 posts)."""

    def options(name: str) -> Options:
        out, kept = tmp_path / name, tmp_path / f"{name}-cache"
        return Options(POSTS, out, config.load(POSTS), jobs=1, cache=kept if cache else None)

    build(options("first"))  # what importing the modules leaves (classes are cycles)
    gc.collect()
    for name in ("cold", "cold") if cache else ("cold",):  # a cold build, then a warm one
        gc.disable()  # as the build's own pause leaves it: nothing is collected before the look
        try:
            build(options(name))
            gc.set_debug(gc.DEBUG_SAVEALL)
            gc.collect()
            left = sorted({getattr(o, "__qualname__", type(o).__qualname__) for o in gc.garbage})
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
            gc.enable()
        assert left == [], "\n".join(left)
