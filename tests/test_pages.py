"""Pages for subscribers: feeds.opml, index.html and the feed stylesheet feed.xsl."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import lxml.html
import pytest
from conftest import POSTS, run
from lxml import etree
from validators import check_opml

from feedpub import build as builder
from feedpub import config, normalizer, pages, planner
from feedpub.config import Settings
from feedpub.formats import url_of
from feedpub.model import Feed, Listing, Post

FEED_NAMES = ("feed.xml", "rss.xml", "feed.json")
HOSTILE = "<script>alert(\"x\")</script> & 'q' \x01<b>"


def listings(feeds: list[Feed], settings: Settings) -> list[Listing]:
    """What the site's pages list of `feeds`: the published, and those shown as another."""
    return planner.published([f.listing for f in feeds], settings).listings


def build_site(posts: Path, out: Path, *flags: str) -> tuple[list[Listing], Settings]:
    """Build `posts` into `out` with the CLI, add the pages if the build has not, and
    return what the site's pages list and the settings the build used."""
    code, _, stderr = run("build", str(posts), "--out", str(out), "--quiet", *flags)
    assert code == 0, stderr
    url = flags[flags.index("--site-url") + 1] if "--site-url" in flags else None
    settings = config.load(posts, url=url)
    return listings(planned(posts, out, settings), settings), settings


def planned(posts: Path, out: Path, settings: Settings) -> list[Feed]:
    """The feeds a build of `posts` plans, the published and the others."""
    raws, _, _ = builder.collect(posts, out, settings)
    return planner.plan(normalizer.normalize(raws, settings).posts, settings)[0]


def feed_files(out: Path) -> list[str]:
    """Every feed file of the output: the site's and those of sources, tags, authors."""
    found = [
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.name in FEED_NAMES and len(p.relative_to(out).parts) in (1, 3)
    ]
    return sorted(
        f
        for f in found
        if "/" not in f or f.split("/")[0] in {k.folder for k in planner.FEED_KINDS if k.folder}
    )


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, list[Listing], Settings]:
    out = tmp_path / "public"
    feeds, settings = build_site(POSTS, out)
    return out, feeds, settings


def make_post(n: int, **fields: Any) -> Post:
    when = datetime(2021, 1, n, 12, tzinfo=UTC)
    post = Post(
        id=f"https://example.com/{n}",
        url=f"https://example.com/{n}",
        title=f"Post {n}",
        published=when,
        updated=when,
        how="date",
        author="",
        tags=(),
        sources=(),
        path=f"{n}.md",
        digest="",
        body_start=0,
        markdown=False,
        copies=(),
    )
    return replace(post, **fields)


def hostile_feeds() -> tuple[list[Listing], Settings]:
    settings = Settings(title=f"Site {HOSTILE}", description=HOSTILE, url="https://example.org")
    posts = [
        make_post(3, sources=(HOSTILE,), tags=("a&b", '"quoted"'), author=HOSTILE),
        make_post(2, sources=("联合早报",), tags=("a&b",)),
        make_post(1, sources=("联合早报",)),
    ]
    feeds, _ = planner.plan(posts, settings)
    return listings(feeds, settings), settings


# ---------------------------------------------------------------------------
# OPML


def test_opml_is_valid_and_lists_exactly_the_feeds_that_exist(
    sample: tuple[Path, list[Listing], Settings],
) -> None:
    out, feeds, settings = sample
    path = out / pages.OPML_FILE
    assert check_opml(path) == []
    body = etree.parse(str(path)).getroot().find("body")
    assert body is not None
    assert [g.get("text") for g in body] == ["Site", "Sources", "Tags", "Authors"]
    listed = [o.get("xmlUrl") for o in body.iter("outline") if o.get("type") == "rss"]
    atom_files = [f for f in feed_files(out) if f.endswith("feed.xml")]
    assert sorted(set(listed)) == sorted(url_of(settings, f) for f in atom_files)
    assert len(listed) == len(feeds)  # a feed that is another's is listed as it
    site = body[0][0]
    assert site.get("text") == site.get("title") == "feedpub sample"
    assert site.get("htmlUrl") == "https://example.org/feeds/"
    head = etree.parse(str(path)).getroot().find("head")
    assert head is not None
    assert head.findtext("dateModified") == "Fri, 16 Apr 2021 01:00:00 GMT"  # newest entry


def test_opml_escapes_hostile_names(tmp_path: Path) -> None:
    feeds, settings = hostile_feeds()
    path = tmp_path / "feeds.opml"
    path.write_bytes(pages.opml(feeds, settings))
    assert check_opml(path) == []
    root = etree.parse(str(path)).getroot()
    titles = {o.get("text") for o in root.iter("outline")}
    clean = HOSTILE.replace("\x01", "")  # XML cannot carry control characters
    assert clean in titles  # the source's own name
    assert root.findtext("head/title") == f"Site {clean}"


def test_opml_of_no_feeds_is_still_valid(tmp_path: Path) -> None:
    settings = Settings(url="https://example.org")
    feeds, _ = planner.plan([], settings)
    path = tmp_path / "feeds.opml"
    path.write_bytes(pages.opml(listings(feeds, settings), settings))
    assert check_opml(path) == []
    assert b"<dateModified>Thu, 01 Jan 1970 00:00:00 GMT</dateModified>" in path.read_bytes()


# ---------------------------------------------------------------------------
# index.html


def test_index_lists_every_feed(sample: tuple[Path, list[Listing], Settings]) -> None:
    out, feeds, _ = sample
    doc = lxml.html.parse(str(out / pages.INDEX_FILE)).getroot()
    rows = doc.xpath("//tbody/tr")
    in_order = sorted(feeds, key=lambda f: (planner.order(f.kind), f.folder))
    assert len(rows) == len(feeds)
    for feed, row in zip(in_order, rows, strict=True):
        hrefs = row.xpath(".//a/@href")
        assert hrefs == [quote(feed.file(fmt)) for fmt in ("atom", "rss", "json")]
        cells = [c.text_content() for c in row.xpath("td")]
        name = feed.title if feed.kind.name == "site" else feed.name
        assert cells[0] == name + (f" = {feed.title}" if feed.alias else "")
        assert cells[1] == str(feed.total)
        assert cells[2] == feed.updated.strftime("%Y-%m-%d")
    hrefs = doc.xpath("//body//a/@href")
    for href in hrefs:
        assert (out / unquote(href)).is_file(), href
    assert hrefs.count(pages.OPML_FILE) == 1
    assert doc.xpath("//script") == []
    assert doc.xpath("//meta[@name='viewport']")


def test_index_autodiscovery(sample: tuple[Path, list[Listing], Settings]) -> None:
    out, feeds, _ = sample
    doc = lxml.html.parse(str(out / pages.INDEX_FILE)).getroot()
    links = [(x.get("type"), x.get("href")) for x in doc.xpath("/html/head/link[@rel='alternate']")]
    sources = sorted(f.file("atom") for f in feeds if f.kind.name == "source")
    assert links == [
        ("application/atom+xml", "feed.xml"),
        ("application/rss+xml", "rss.xml"),
        ("application/feed+json", "feed.json"),
        *(("application/atom+xml", quote(s)) for s in sources),
    ]
    for _, href in links:
        assert (out / unquote(href)).is_file()
    assert doc.xpath("/html/head/link[@rel='outline']/@href") == [pages.OPML_FILE]


def test_index_escapes_hostile_names() -> None:
    feeds, settings = hostile_feeds()
    data = pages.index_html(feeds, settings)
    assert b"<script" not in data and b"<b>" not in data
    doc = lxml.html.fromstring(data)
    clean = HOSTILE.replace("\x01", "")
    assert doc.findtext(".//h1") == f"Site {clean}"
    names = [a.text for a in doc.xpath("//td[@class='name']/a")]
    assert clean in names and '"quoted"' in names and "a&b" in names
    titles = doc.xpath("/html/head/link[@rel='alternate']/@title")
    assert clean in titles  # the source's own name


def test_index_groups_tags_and_authors_in_details() -> None:
    feeds, settings = hostile_feeds()
    doc = lxml.html.fromstring(pages.index_html(feeds, settings))
    assert doc.xpath("//section/@id") == ["sites", "sources"]
    assert doc.xpath("//details/@id") == ["tags", "authors"]
    tags = doc.xpath("//details[@id='tags']//td[@class='name']/a/text()")
    assert sorted(tags) == sorted(f.name for f in feeds if f.kind.name == "tag")


def test_index_of_an_empty_site() -> None:
    settings = Settings(url="https://example.org")
    feeds, _ = planner.plan([], settings)
    doc = lxml.html.fromstring(pages.index_html(listings(feeds, settings), settings))
    assert [c.text_content() for c in doc.xpath("//tbody/tr/td")][1:3] == ["0", "–"]
    assert "Newest entry" not in doc.findtext(".//footer")


def test_pages_are_deterministic() -> None:
    feeds, settings = hostile_feeds()
    shuffled = list(feeds)
    random.Random(7).shuffle(shuffled)
    assert pages.index_html(feeds, settings) == pages.index_html(shuffled, settings)
    assert pages.opml(feeds, settings) == pages.opml(shuffled, settings)


def test_many_feeds_stay_compact() -> None:
    settings = Settings(url="https://example.org")
    posts = [
        make_post(1 + i % 28, id=f"https://e.com/{i}", tags=(f"tag {i}",)) for i in range(5000)
    ]
    posts.sort(key=lambda p: p.key, reverse=True)
    feeds = listings(planner.plan(posts, settings)[0], settings)
    data = pages.index_html(feeds, settings)
    assert len(data) < 300 * len(feeds)  # one compact row per feed
    assert len(lxml.html.fromstring(data).xpath("/html/head/link[@rel='alternate']")) == 3


# ---------------------------------------------------------------------------
# feed.xsl


def xsl() -> etree.XSLT:
    return etree.XSLT(etree.fromstring(pages.STATIC[pages.XSL_FILE]))


def test_static_is_the_package_data() -> None:
    data = (Path(pages.__file__).parent / "data" / "feed.xsl").read_bytes()
    assert {"feed.xsl": data} == pages.STATIC


def test_every_feed_points_at_the_stylesheet(sample: tuple[Path, list[Listing], Settings]) -> None:
    """The `<?xml-stylesheet?>` href of each Atom and RSS file is the written feed.xsl."""
    out, _, settings = sample
    assert (out / pages.XSL_FILE).read_bytes() == pages.STATIC[pages.XSL_FILE]
    expected = urlsplit(url_of(settings, pages.XSL_FILE)).path
    for rel in feed_files(out):
        if rel.endswith(".xml"):
            pi = etree.parse(str(out / rel)).getroot().getprevious()
            assert pi is not None and pi.target == "xml-stylesheet", rel
            assert pi.get("href") == expected, rel


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_stylesheet_renders_the_feed(
    sample: tuple[Path, list[Listing], Settings], name: str
) -> None:
    out, _, settings = sample
    feeds = planned(POSTS, out, settings)
    for feed in (feeds[0], next(f for f in feeds if f.name == "联合早报")):
        path = out / (f"{feed.folder}/{name}" if feed.folder else name)
        page = lxml.html.fromstring(str(xsl()(etree.parse(str(path)))))
        assert page.findtext(".//h1") == feed.title
        assert "This is a feed: copy its URL into your reader." in page.text_content()
        assert page.xpath("//li/h2/a/text()") == [p.title for p in feed.posts]
        assert page.xpath("//li/h2/a/@href") == [p.url for p in feed.posts]
        assert len(page.xpath("//p[@class='summary']")) == len(feed.posts)
        assert page.xpath("//script") == []


ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T &lt;i&gt;</title><id>urn:x</id>
<updated>2021-01-01T00:00:00Z</updated>
<entry><title>&lt;img src=x onerror=alert(1)&gt;</title><id>urn:1</id>
<link href="javascript:alert(1)"/><updated>2021-01-01T00:00:00Z</updated>
<summary>plain &lt;b&gt;text&lt;/b&gt;</summary>
<content type="html">&lt;p&gt;CONTENT&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</content>
</entry>
</feed>"""


def test_stylesheet_does_not_let_a_feed_inject_markup() -> None:
    page = str(xsl()(etree.fromstring(ATOM.encode())))
    doc = lxml.html.fromstring(page)
    assert doc.xpath("//img | //script | //b | //i") == []
    assert "javascript:" not in page
    assert "CONTENT" not in page  # entries' HTML content is never shown
    assert doc.findtext(".//h1") == "T <i>"
    assert doc.findtext(".//li/h2") == "<img src=x onerror=alert(1)>"
    assert doc.findtext(".//p[@class='summary']") == "plain <b>text</b>"
