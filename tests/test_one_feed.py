"""One feed per thing: a feed holding exactly another's posts is not published again,
and the settings that choose which feeds are (`[feeds.tag]` and the like)."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest
from conftest import run, tree
from lxml import etree
from validators import check_opml

from feedpub import config, planner

SITE = "https://example.org/news/"
ATOM = "{http://www.w3.org/2005/Atom}"
# (slug, source, tags, author): S has 1-3, T has 1-2, R and U have 4 only.
POSTS = [
    ("p1", "S", ("T",), "Ann"),
    ("p2", "S", ("T",), ""),
    ("p3", "S", (), ""),
    ("p4", "R", ("U",), "Bob"),
]


def write(posts: Path, slug: str, source: str, tags: tuple[str, ...], author: str) -> Path:
    n = int(slug[1:])
    lines = ["---", f"title: Post {n}", f"date: 2021-05-0{n}T08:00:00Z"]
    lines += [f"from: https://example.com/{n}", f"categories: [ {source} ]"]
    lines += [f"tags: [ {', '.join(tags)} ]"] if tags else []
    lines += [f"author: {author}"] if author else []
    path = posts / f"2021-05-0{n}-{slug}.md"
    path.write_text("\n".join([*lines, "---", f"<p>Body {n}</p>", ""]), encoding="utf-8")
    return path


def site(tmp_path: Path, toml: str = "") -> Path:
    root = tmp_path / "site"
    (root / "_posts").mkdir(parents=True)
    for post in POSTS:
        write(root / "_posts", *post)
    (root / "feedpub.toml").write_text(f'url = "{SITE}"\n{toml}', encoding="utf-8")
    return root


def build(root: Path, out: Path, *flags: str) -> str:
    code, stdout, stderr = run("build", str(root), "--out", str(out), "-q", *flags)
    assert code == 0, stderr
    return stdout


def published(out: Path) -> list[str]:
    """The folders of the feeds written (their Atom file), sorted."""
    return sorted(p.parent.relative_to(out).as_posix() for p in out.rglob("feed.xml"))


def entry_sets(out: Path) -> dict[str, frozenset[str]]:
    """Every published feed's entry ids, its archive documents included."""
    found = {}
    for feed in out.rglob("feed.xml"):
        ids: set[str] = set()
        for doc in [feed, *(feed.parent / "archive").glob("*.xml")]:
            root = etree.parse(str(doc)).getroot()
            ids |= {e.findtext(f"{ATOM}id") or "" for e in root.iter(f"{ATOM}entry")}
        found[feed.parent.relative_to(out).as_posix()] = frozenset(ids)
    return found


def same_sets(out: Path) -> list[list[str]]:
    groups = defaultdict(list)
    for folder, ids in sorted(entry_sets(out).items()):
        groups[ids].append(folder)
    return [g for g in groups.values() if len(g) > 1]


def test_a_feed_with_another_s_posts_is_listed_as_that_feed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site(tmp_path), out, "--no-cache")
    # U and Bob hold R's one post, Ann holds none but post 1 (no other feed does).
    assert published(out) == [".", "authors/ann", "sources/r", "sources/s", "tags/t"]
    assert same_sets(out) == []
    manifest = json.loads((out / ".feedpub-manifest.json").read_bytes())
    assert manifest["aliases"] == {"authors/bob": "sources/r", "tags/u": "sources/r"}
    assert manifest["feeds"]["tag"] == {"T": "t", "U": "u"}  # the folder is kept for U
    # The old URL's page sends a browser on and says where to subscribe.
    page = lxml.html.parse(str(out / "tags/u/index.html")).getroot()
    assert page.xpath("//meta[@http-equiv='refresh']/@content") == [
        "0; url=../../sources/r/index.html"
    ]
    said = page.xpath("string(//body)").strip()
    assert said.startswith("The feed of the tag U has the same posts as the source feed R:")
    links = page.xpath("//a/@href")
    assert "../../sources/r/feed.xml" in links
    assert all((out / "tags/u" / unquote(h)).resolve().is_relative_to(out) for h in links)
    # The OPML subscribes to R once per outline, under Tags and Authors too: no copy.
    assert check_opml(out / "feeds.opml") == []
    opml = etree.parse(str(out / "feeds.opml")).getroot()
    urls = {o.get("xmlUrl") for o in opml.iter("outline") if o.get("type")}
    assert urls == {
        f"{SITE}{f}/feed.xml" if f != "." else f"{SITE}feed.xml" for f in published(out)
    }
    tags = opml.xpath("//outline[@text='Tags']/outline/@xmlUrl")
    assert tags == [f"{SITE}sources/r/feed.xml", f"{SITE}tags/t/feed.xml"]
    # ... each under its own title (a reader lists it so), not R's
    outline = opml.xpath(f"//outline[@text='Tags']/outline[@xmlUrl='{SITE}sources/r/feed.xml']")
    assert [o.get("title") for o in outline] == ["#U"]
    bob = opml.xpath("//outline[@text='Authors']/outline")
    assert [(o.get("title"), o.get("xmlUrl")) for o in bob][-1] == (
        "Posts by Bob",
        f"{SITE}sources/r/feed.xml",
    )
    # The index lists U by its name, as R.
    index = lxml.html.parse(str(out / "index.html")).getroot()
    row = index.xpath("//details[@id='tags']//tr[td/a[text()='U']]")[0]
    assert row.xpath(".//a/@href")[:2] == ["sources/r/index.html", "sources/r/feed.xml"]
    assert "=" in row.text_content()


def test_a_published_feed_that_comes_to_hold_another_s_posts_stays(tmp_path: Path) -> None:
    """T holds S's posts once post 3 is gone, though none of T's posts changed: a
    site built afresh lists it as S, but T was published, and its subscribers must
    not find it gone, so it keeps its files. A build without the cache over the same
    output folder gives what the warm build gives."""
    root = site(tmp_path)
    out = tmp_path / "out"
    cache = ("--cache", str(tmp_path / "cache"))

    def cold_over(last: Path, name: str) -> Path:
        cold = tmp_path / name
        shutil.copytree(last, cold)
        build(root, cold, "--no-cache")
        return cold

    build(root, out, *cache)
    assert "tags/t" in published(out)
    last = shutil.copytree(out, tmp_path / "last")
    third = root / "_posts" / "2021-05-03-p3.md"
    text = third.read_bytes()
    third.unlink()
    build(root, out, *cache)
    assert "tags/t" in published(out) and ["sources/s", "tags/t"] in same_sets(out)
    assert tree(out) == tree(cold_over(last, "cold"))
    fresh = tmp_path / "fresh"
    build(root, fresh, "--no-cache")
    assert "tags/t" not in published(fresh) and (fresh / "tags/t/index.html").is_file()
    last = shutil.copytree(fresh, tmp_path / "last-fresh")
    third.write_bytes(text)  # T's posts part ways with S's: T is published again
    build(root, fresh, "--no-cache")
    assert "tags/t" in published(fresh)
    assert b"refresh" not in (fresh / "tags/t/index.html").read_bytes()
    build(root, out, *cache)
    assert tree(out) == tree(fresh) == tree(cold_over(last, "cold-again"))
    assert same_sets(out) == []


def test_merge_duplicates_off_publishes_every_feed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(site(tmp_path, "merge_duplicates = false\n"), out, "--no-cache")
    assert len(published(out)) == 7
    assert same_sets(out) == [["authors/bob", "sources/r", "tags/u"]]


@pytest.mark.parametrize(
    ("toml", "folders"),
    [
        ("[feeds.tag]\nmin_posts = 2\n", [".", "authors/ann", "sources/r", "sources/s", "tags/t"]),
        ('[feeds.tag]\nexcept = ["T"]\n', [".", "authors/ann", "sources/r", "sources/s"]),
        ('[feeds.source]\nonly = ["S"]\n', [".", "authors/ann", "sources/s", "tags/t", "tags/u"]),
        ("[feeds.author]\nenabled = false\n", [".", "sources/r", "sources/s", "tags/t"]),
        ("author_feeds = false\n", [".", "sources/r", "sources/s", "tags/t"]),
    ],
)
def test_settings_choose_the_feeds(tmp_path: Path, toml: str, folders: list[str]) -> None:
    out = tmp_path / "out"
    build(site(tmp_path, toml), out, "--no-cache")
    assert published(out) == folders
    index = (out / "index.html").read_text("utf-8")
    opml = (out / "feeds.opml").read_text("utf-8")
    for folder in ("tags/t", "tags/u", "sources/r", "authors/ann"):
        listed = folder in folders or (out / folder / "index.html").is_file()
        assert (f'"{folder}/feed.xml"' in index) == (folder in folders), folder
        assert (f"{folder}/feed.xml" in opml) == (folder in folders), folder
        assert listed or not (out / folder).exists(), folder


def test_feed_settings_mistakes_are_one_line_each(tmp_path: Path) -> None:
    toml = (
        "[feeds.tags]\nmin_posts = 2\n"
        '[feeds.tag]\nmin_posts = 0\ntitle = "{site}: #{nam}"\nexcept = "x"\n'
    )
    root = site(tmp_path, toml)
    code, _, stderr = run("build", str(root), "--out", str(tmp_path / "out"))
    assert code == 2
    config = root / "feedpub.toml"
    assert stderr.splitlines() == [
        f"{config}:2: feeds.tags: no such kind of feed (did you mean 'tag'?)",
        f"{config}:5: feeds.tag.min_posts: must be at least 1, not 0",
        f'{config}:6: feeds.tag.title: "{{site}}: #{{nam}}": only {{name}} and {{site}}'
        " can be filled in ('nam')",
        f'{config}:7: feeds.tag.except: must be a list of text items, like ["a", "b"], not "x"',
    ]


@pytest.mark.parametrize("kind", [kind.name for kind in planner.FEED_KINDS])
def test_a_feeds_table_may_name_every_kind_but_the_site(tmp_path: Path, kind: str) -> None:
    """The kinds `[feeds.X]` may name are the rows of FEED_KINDS: no list elsewhere."""
    toml = tmp_path / "feedpub.toml"
    toml.write_text(f"[feeds.{kind}]\nmin_posts = 2\n", encoding="utf-8")
    if kind == "site":  # its one feed is always published, whatever it holds
        with pytest.raises(config.ConfigError, match=r"feeds\.site: no such kind of feed"):
            config.load(tmp_path, toml)
    else:
        assert config.load(tmp_path, toml).kind(kind).min_posts == 2


def test_no_two_corpus_feeds_hold_the_same_posts(corpus_build: tuple[Path, str]) -> None:
    out, _ = corpus_build
    sets = entry_sets(out)
    assert len(sets) > 200  # 270 feeds; 96 more are others' (62 tags, 34 authors)
    assert same_sets(out) == []
    aliases = json.loads((out / ".feedpub-manifest.json").read_bytes())["aliases"]
    assert len(aliases) > 50
    for alias, keeper in aliases.items():
        assert (out / alias / "index.html").is_file() and not (out / alias / "feed.xml").exists()
        assert (out / (f"{keeper}/feed.xml" if keeper else "feed.xml")).is_file()
