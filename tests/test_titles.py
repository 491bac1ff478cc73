"""Titles and descriptions that say what each feed is, in its language, and the
feed's icon and logo where each format has them."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from conftest import run
from lxml import etree
from test_one_feed import write
from validators import check_atom, check_feedparser, check_jsonfeed, check_rss

from feedpub import titles
from feedpub.settings import KindSettings, Settings

SITE = "https://example.org/news/"
ATOM = "{http://www.w3.org/2005/Atom}"
# Three posts, so that no feed is another's: S has 1-2, R 3; T 1 and 3; Ann 2.
POSTS = [("p1", "S", ("T",), ""), ("p2", "S", (), "Ann"), ("p3", "R", ("T",), "")]


def build(tmp_path: Path, toml: str) -> Path:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    for post in POSTS:
        write(root / "_posts", *post)
    config = f'url = "{SITE}"\ntitle = "Teahouse"\n{toml}'
    (root / "feedpub.toml").write_text(config, encoding="utf-8")
    out = tmp_path / "out"
    code, _, stderr = run("build", str(root), "--out", str(out), "-q", "--no-cache")
    assert code == 0, stderr
    return out


def heads(out: Path, folder: str) -> dict[str, dict[str, str]]:
    """What each format of one feed says of itself."""
    base = out / folder if folder else out
    atom = etree.parse(str(base / "feed.xml")).getroot()
    rss = etree.parse(str(base / "rss.xml")).getroot().find("channel")
    assert rss is not None
    data = json.loads((base / "feed.json").read_bytes())
    return {
        "atom": {
            k: atom.findtext(f"{ATOM}{k}") or "" for k in ("title", "subtitle", "icon", "logo")
        },
        "rss": {
            "title": rss.findtext("title") or "",
            "description": rss.findtext("description") or "",
            "image": rss.findtext("image/url") or "",
        },
        "json": {k: data.get(k, "") for k in ("title", "description", "icon", "favicon")},
    }


def test_each_kind_says_what_it_is_in_english(tmp_path: Path) -> None:
    out = build(tmp_path, 'lang = "en"\n')
    expected = {
        "": ("Teahouse", "Teahouse"),
        "sources/s": ("S", "S, as kept by Teahouse"),
        "tags/t": ("#T", "Posts tagged T on Teahouse"),
        "authors/ann": ("Posts by Ann", "Posts by Ann on Teahouse"),
    }
    for folder, (title, about) in expected.items():
        found = heads(out, folder)
        assert found["atom"]["title"] == found["rss"]["title"] == found["json"]["title"] == title
        assert found["atom"]["subtitle"] == found["rss"]["description"] == about, folder
        assert found["json"]["description"] == about
        assert found["atom"]["icon"] == found["json"]["favicon"] == ""  # none set: none said


@pytest.mark.parametrize(
    ("lang", "tag", "author", "source_about"),
    [
        ("zh-Hans", "标签：T", "作者：Ann", "Teahouse收录的S文章"),
        ("zh-Hant", "標籤：T", "作者：Ann", "Teahouse收錄的S文章"),
        ("zh-TW", "標籤：T", "作者：Ann", "Teahouse收錄的S文章"),
    ],
)
def test_titles_in_the_feed_s_language(
    tmp_path: Path, lang: str, tag: str, author: str, source_about: str
) -> None:
    out = build(tmp_path, f'lang = "{lang}"\n')
    assert heads(out, "tags/t")["atom"]["title"] == tag
    assert heads(out, "authors/ann")["rss"]["title"] == author
    assert heads(out, "sources/s")["json"]["description"] == source_about
    # The index lists each by its name; the OPML by its title.
    opml = (out / "feeds.opml").read_text("utf-8")
    assert f'text="{tag}"' in opml


def test_patterns_icon_and_logo_from_the_settings(tmp_path: Path) -> None:
    toml = (
        'icon = "favicon.png"\nlogo = "https://cdn.example.com/logo.png"\n'
        '[sources."S"]\nlogo = "/s/logo.png"\n'
        '[feeds.tag]\ntitle = "{site} · #{name}"\ndescription = "Everything on {name}"\n'
    )
    out = build(tmp_path, toml)
    tag = heads(out, "tags/t")
    assert tag["atom"]["title"] == tag["rss"]["title"] == "Teahouse · #T"
    assert tag["atom"]["subtitle"] == "Everything on T"
    assert tag["atom"]["icon"] == tag["json"]["favicon"] == f"{SITE}favicon.png"
    logo = "https://cdn.example.com/logo.png"
    assert tag["atom"]["logo"] == tag["rss"]["image"] == tag["json"]["icon"] == logo
    source = heads(out, "sources/s")
    own = f"{SITE}s/logo.png"
    assert source["atom"]["logo"] == source["rss"]["image"] == source["json"]["icon"] == own
    assert source["atom"]["icon"] == f"{SITE}favicon.png"  # the site's, as none is set
    for folder in ("", "sources/s", "sources/r", "tags/t", "authors/ann"):
        base = out / folder if folder else out
        assert check_atom(base / "feed.xml") + check_feedparser(base / "feed.xml") == []
        assert check_rss(base / "rss.xml") + check_feedparser(base / "rss.xml") == []
        assert check_jsonfeed(base / "feed.json") == []
    parsed = feedparser.parse((out / "tags/t/rss.xml").read_bytes())
    assert parsed.feed.image.href == logo


def test_image_and_pattern_mistakes(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    write(root / "_posts", *POSTS[0])
    bad = 'logo = "ftp://x/y.png"\nicon = 3\n[feeds.author]\ntitle = "{who}"\n'
    (root / "feedpub.toml").write_text(bad, encoding="utf-8")
    code, _, stderr = run("build", str(root), "--out", str(tmp_path / "out"))
    assert code == 2
    lines = stderr.splitlines()
    assert len(lines) == 3, stderr
    assert lines[0].endswith(
        ':1: logo: must be an absolute http(s) URL, like https://example.org/, not "ftp://x/y.png"'
    )
    assert lines[1].endswith(
        ':2: icon: must be an http(s) URL or a plain path from the site\'s root like "icon.png",'
        " not 3"
    )
    assert lines[2].endswith(
        ":4: feeds.author.title: \"{who}\": only {name} and {site} can be filled in ('who')"
    )


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", "data:image/png;base64,AAAA", "/img/a.png?v=2", "../../etc/passwd",
     "//evil.example/a.png", "a b.png"],
)  # fmt: skip
def test_an_image_path_is_a_plain_path_on_the_site(tmp_path: Path, value: str) -> None:
    """Each of these became a URL on the site that is another one, or none."""
    (tmp_path / "_posts").mkdir()
    write(tmp_path / "_posts", *POSTS[0])
    (tmp_path / "feedpub.toml").write_text(f"icon = {json.dumps(value)}\n", encoding="utf-8")
    code, _, stderr = run("build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 2
    assert stderr.endswith(
        f":1: icon: must be an http(s) URL or a plain path from the site's root like"
        f' "icon.png", not {json.dumps(value)}\n'
    )


@pytest.mark.parametrize("value", ["a b", "/../../x", "/news\\u0000", "javascript:x"])
def test_a_baseurl_is_a_plain_path(tmp_path: Path, value: str) -> None:
    (tmp_path / "_posts").mkdir()
    write(tmp_path / "_posts", *POSTS[0])
    (tmp_path / "_config.yml").write_text(f'url: https://e.org\nbaseurl: "{value}"\n')
    code, _, stderr = run("build", str(tmp_path), "--out", str(tmp_path / "out"))
    assert code == 2
    assert ':2: baseurl: must be a plain path like "/news"' in stderr


def test_no_language_falls_back_to_english_words() -> None:
    settings = Settings(title="Site", feeds={"author": KindSettings(description="{name}!")})
    assert titles.title("tag", "x", settings, "und") == "#x"
    assert titles.title("tag", "x", settings, "ja") == "#x"
    assert titles.description("author", "x", settings, "zh-Hans") == "x!"
    assert titles.title("site", "", settings, "zh-Hans") == "Site"


def test_a_kind_without_patterns_of_its_own_says_the_site_and_its_name() -> None:
    """A new row of FEED_KINDS needs no titles of its own: "{site}: {name}" until it has."""
    settings = Settings(title="Teahouse")
    assert titles.title("series", "Spring", settings, "en") == "Teahouse: Spring"
    assert titles.description("series", "Spring", settings, "en") == "Posts of Spring on Teahouse"
    assert titles.title("series", "春", settings, "zh-Hant") == "Teahouse：春"
    assert titles.description("series", "春", settings, "zh-Hans") == "Teahouse中「春」的文章"
    stated = Settings(title="Teahouse", feeds={"series": KindSettings(title="{name} · {site}")})
    assert titles.title("series", "Spring", stated, "en") == "Spring · Teahouse"
