"""Pages for subscribers: feeds.opml, index.html, each feed's page and feed.xsl."""

from __future__ import annotations

import html
import random
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from conftest import POSTS, published, run, tree
from lxml import etree
from validators import check_opml

from feedpub import build as builder
from feedpub import config, formats, normalizer, pages, planner, writer
from feedpub.config import Settings
from feedpub.formats import iso, url_of
from feedpub.html import Content
from feedpub.model import FILES, MIME, Feed, Listing, Post
from feedpub.settings import SourceSettings

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
    """The sample posts built: what the site's pages list."""
    out = tmp_path / "public"
    feeds, settings = build_site(POSTS, out)
    return out, feeds, settings


@pytest.fixture
def sample_feeds(tmp_path: Path) -> tuple[Path, list[Feed], Settings]:
    """The sample posts built: the feeds published, with their posts."""
    out = tmp_path / "public"
    _, settings = build_site(POSTS, out)
    return out, published(planned(POSTS, out, settings), settings), settings


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
    feeds, settings = hostile_plan()
    return listings(feeds, settings), settings


def hostile_plan() -> tuple[list[Feed], Settings]:
    settings = Settings(title=f"Site {HOSTILE}", description=HOSTILE, url="https://example.org")
    posts = [
        make_post(3, sources=(HOSTILE,), tags=("a&b", '"quoted"'), author=HOSTILE),
        make_post(2, sources=("联合早报",), tags=("a&b",)),
        make_post(1, sources=("联合早报",)),
    ]
    return planner.plan(posts, settings)[0], settings


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
    assert site.get("htmlUrl") == "https://example.org/feeds/feed.html"  # its page
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
        hrefs = row.xpath(".//a/@href")  # its name to its page, then its three files
        assert hrefs == [quote(feed.page), *(quote(feed.file(fmt)) for fmt in FILES)]
        cells = [c.text_content() for c in row.xpath("td")]
        name = feed.title if feed.kind.name == "site" else feed.name
        holder = f"{feed.folder.partition('/')[0].removesuffix('s')} feed"  # sources/x
        assert cells[0] == name + (f" = {holder} {feed.title}" if feed.alias else "")
        assert cells[1] == f"{min(feed.total, 50)} of {feed.total}"  # all 11 fit in 50
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


def test_index_counts_what_a_feed_holds_beside_its_archive() -> None:
    """A feed holds its newest `limit` entries: the index says so beside the total,
    which a reader would otherwise take for what the feed gives."""
    settings = Settings(url="https://example.org", limit=2)
    posts = [make_post(n, sources=("s",) if n % 2 else ()) for n in range(5, 0, -1)]
    feeds, _ = planner.plan(posts, settings)
    doc = lxml.html.fromstring(pages.index_html(listings(feeds, settings), settings))
    rows = {r.findtext("td/a"): r.xpath("td")[1].text_content() for r in doc.xpath("//tbody/tr")}
    assert rows[settings.title] == "2 of 5"
    assert rows["s"] == "2 of 3"
    assert "A feed holds its newest 2 entries" in doc.xpath("//p[@class='note']")[0].text_content()


def test_index_dates_are_the_days_of_the_feeds_pages() -> None:
    """The newest entry's day, in the zone each feed's page shows its times in (the
    trial's site in Asia/Shanghai showed 2025-03-01 beside a page's 2025-03-02 07:23),
    a source's own if it has one."""
    settings = Settings(
        url="https://example.org",
        zone="Asia/Shanghai",
        sources={"ny": SourceSettings(zone="America/New_York")},
    )
    when = datetime(2025, 3, 1, 23, 23, tzinfo=UTC)
    post = replace(make_post(1, sources=("ny", "s")), published=when, updated=when)
    feeds = listings(planner.plan([post], settings)[0], settings)
    doc = lxml.html.fromstring(pages.index_html(feeds, settings))
    days = {r.findtext("td/a"): r.xpath("td")[2].text_content() for r in doc.xpath("//tbody/tr")}
    assert days[settings.title] == days["s"] == "2025-03-02"
    assert days["ny"] == "2025-03-01"
    assert "Newest entry: 2025-03-02." in "".join(doc.xpath("//footer//text()"))


def test_index_of_an_empty_site() -> None:
    settings = Settings(url="https://example.org")
    feeds, _ = planner.plan([], settings)
    doc = lxml.html.fromstring(pages.index_html(listings(feeds, settings), settings))
    assert [c.text_content() for c in doc.xpath("//tbody/tr/td")][1:3] == ["0 of 0", "–"]
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
    assert len(data) < 350 * len(feeds)  # one compact row per feed: its page and its files
    assert len(lxml.html.fromstring(data).xpath("/html/head/link[@rel='alternate']")) == 3


# ---------------------------------------------------------------------------
# Each feed's page


def page_of(data: bytes) -> Any:
    """A feed's page, parsed strictly: a stray or unclosed tag fails (HTML5 tokenizer)."""
    assert data.startswith(b"<!DOCTYPE html>\n")
    return lxml.html.document_fromstring(data, lxml.html.HTMLParser(recover=False))


def test_every_feed_has_its_page(sample_feeds: tuple[Path, list[Feed], Settings]) -> None:
    out, feeds, settings = sample_feeds
    assert (out / "feed.html").is_file()  # the site's: index.html lists every feed
    for feed in feeds:
        doc = page_of((out / feed.page).read_bytes())
        assert doc.get("lang") == feed.lang != ""
        assert doc.findtext("head/title") == doc.findtext(".//h1") == feed.title
        assert doc.xpath("/html/head/meta[1]/@charset") == ["utf-8"]
        about = doc.xpath("/html/head/meta[@name='description']/@content")
        assert about == [feed.kind.description(feed.name, settings, feed.lang)]
        alternates = doc.xpath("/html/head/link[@rel='alternate']")
        assert [(x.get("type"), x.get("href")) for x in alternates] == [
            (MIME[fmt], name) for fmt, name in FILES.items()
        ]
        # The entries, newest first, each linked to its original.
        assert doc.xpath("//ol/li/h2/a/text()") == [p.title for p in feed.posts]
        assert doc.xpath("//ol/li/h2/a/@href") == [p.url for p in feed.posts]
        assert doc.xpath("//ol/li//time/@datetime") == [iso(p.published) for p in feed.posts]
        assert doc.xpath("//ol/li/@lang") == [p.lang for p in feed.posts]
        assert len(doc.xpath("//p[@class='summary']")) == len(feed.posts)
        assert doc.xpath("//script | //@*[starts-with(name(), 'on')]") == []
        # Every other link is relative and names a file of the output.
        entries = set(doc.xpath("//ol/li/h2/a/@href"))
        local = [h for h in doc.xpath("//@href | //@src") if h not in entries]
        assert len(local) == 2 * len(FILES) + 1  # its files, twice, and the site's index
        for href in local:
            assert not urlsplit(href).scheme and not href.startswith("/"), href
            assert (out / feed.page).parent.joinpath(unquote(href)).resolve().is_file(), href
        up = doc.xpath("//header//a/@href")[0]
        assert urljoin((out / feed.page).as_uri(), up) == (out / pages.INDEX_FILE).as_uri()


def test_page_times_are_the_feeds_zone(
    sample_feeds: tuple[Path, list[Feed], Settings],
) -> None:
    """联合早报's zone is Asia/Singapore (posts/feedpub.toml): its page shows its times
    there; the site and the tag of the same name show the site's zone, UTC."""
    out, feeds, _ = sample_feeds
    shown = 0
    for feed in (f for f in feeds if f.name == "联合早报" or f.kind is planner.SITE):
        zone = "Asia/Singapore" if feed.kind.name == "source" else "UTC"
        doc = page_of((out / feed.page).read_bytes())
        assert f"times in {zone}." in doc.findtext(".//main/p[@class='meta']")
        local = [p.published.astimezone(ZoneInfo(zone)) for p in feed.posts]
        assert doc.xpath("//ol/li//time/text()") == [f"{t:%Y-%m-%d %H:%M}" for t in local]
        shown += 1
    assert shown == 2  # the site and the source (its tag and author are the source's feed)


def test_pages_are_the_same_under_any_site_url(tmp_path: Path) -> None:
    """Every link of the HTML pages is relative: another URL or base path changes only
    the links of the entries that have no `from:` (to their page on the site)."""
    urls = {"first": "https://example.org/feeds/", "second": "http://localhost:8000/a/b/"}
    found = {}
    for name, url in urls.items():
        build_site(POSTS, tmp_path / name, "--site-url", url)
        found[name] = {
            rel: data.replace(url.encode(), b"SITE/")
            for rel, data in tree(tmp_path / name).items()
            if rel.endswith(".html")
        }
    assert len(found["first"]) == 1 + 31  # the index and a page per feed
    assert found["first"] == found["second"]
    assert b"SITE/" in found["first"]["feed.html"]  # hello-feedpub.md links to its page


def _page(feed: Feed, settings: Settings, contents: dict[str, Content]) -> bytes:
    frags = {p.id: formats.fragments(p, contents[p.id]) for p in feed.posts}
    files = formats.render(feed, settings, frags).files
    assert list(files) == list(feed.files)  # the three formats, then the page
    return files[feed.page]


def test_page_escapes_hostile_entries() -> None:
    feeds, settings = hostile_plan()
    hostile = make_post(4, url="javascript:alert(1)", title=HOSTILE, sources=(HOSTILE,))
    feeds, _ = planner.plan([hostile, *(p for p in feeds[0].posts)], settings)
    summary = Content("", f"{HOSTILE} <img src=x onerror=alert(1)>", None)
    for feed in feeds:
        data = _page(feed, settings, {p.id: summary for p in feed.posts})
        assert b"<script" not in data and b"<b>" not in data and b"<img" not in data
        assert b"javascript:" not in data  # a link that is not http(s) is not made
        doc = page_of(data)
        clean = HOSTILE.replace("\x01", "")
        assert doc.findtext(".//h1") == feed.title.replace("\x01", "")
        assert doc.xpath("//p[@class='summary']/text()")[0].startswith(clean)
        if hostile in feed.posts:
            assert doc.findtext(".//ol/li/h2") == clean


def test_page_stays_within_the_byte_budget() -> None:
    """Long summaries: the oldest entries are left out, as the feeds drop theirs."""
    settings = Settings(url="https://example.org", feed_bytes=20_000)
    posts = [make_post(n, title=f"Post {n} " + "長" * 200) for n in range(28, 0, -1)]
    feeds, _ = planner.plan(posts, settings)
    long = Content("", "字" * 300, None)
    data = _page(feeds[0], settings, {p.id: long for p in feeds[0].posts})
    assert 15_000 < len(data) <= settings.feed_bytes
    titles = page_of(data).xpath("//ol/li/h2/a/text()")
    assert 0 < len(titles) < len(posts)
    assert titles == [p.title for p in posts[: len(titles)]]  # the newest
    assert f"{len(titles)} entries, newest first" in data.decode()


def test_page_of_a_feed_with_no_entries() -> None:
    settings = Settings(url="https://example.org")
    feeds, _ = planner.plan([], settings)
    doc = page_of(_page(feeds[0], settings, {}))
    assert doc.xpath("//ol/li") == []
    assert "No entries yet" in doc.text_content()
    assert doc.get("lang") == "und"


def test_corpus_every_feed_has_its_page(corpus_build: tuple[Path, str]) -> None:
    """Each feed of the corpus build has its page, listed in the manifest, holding the
    entries its Atom feed holds, in its language."""
    out, _ = corpus_build
    listed = writer.read_manifest(out).files
    atoms = [rel for rel in feed_files(out) if rel.endswith("feed.xml")]
    assert len(atoms) > 200  # 270
    for rel in atoms:
        folder = rel.rpartition("/")[0]
        page = f"{folder}/index.html" if folder else "feed.html"
        assert page in listed, page
        doc = page_of((out / page).read_bytes())
        atom = etree.parse(str(out / rel)).getroot()
        ns = {"a": "http://www.w3.org/2005/Atom"}
        assert doc.get("lang") == atom.get("{http://www.w3.org/XML/1998/namespace}lang"), page
        assert doc.findtext("head/title") == atom.findtext("a:title", namespaces=ns), page
        titles = doc.xpath("//ol/li/h2/a/text()")
        assert titles == atom.xpath("a:entry/a:title/text()", namespaces=ns), page


# ---------------------------------------------------------------------------
# feed.xsl


def xsl() -> etree.XSLT:
    return etree.XSLT(etree.fromstring(pages.STATIC[pages.XSL_FILE]))


def test_static_is_the_package_data() -> None:
    data = (Path(pages.__file__).parent / "data" / "feed.xsl").read_bytes()
    assert {"feed.xsl": data} == pages.STATIC


def test_every_feed_points_at_the_stylesheet(sample: tuple[Path, list[Listing], Settings]) -> None:
    """The `<?xml-stylesheet?>` href of each Atom and RSS file, archive documents
    included, is the written feed.xsl, relative: on the feed's own origin (browsers
    run no stylesheet from another) under any base path."""
    out, _, _ = sample
    assert (out / pages.XSL_FILE).read_bytes() == pages.STATIC[pages.XSL_FILE]
    documents = [p.relative_to(out).as_posix() for p in out.rglob("*.xml")]
    assert len(documents) > len([f for f in feed_files(out) if f.endswith(".xml")])  # archives
    for rel in documents:
        pi = etree.parse(str(out / rel)).getroot().getprevious()
        assert pi is not None and pi.target == "xml-stylesheet", rel
        href = pi.get("href")
        assert href.endswith("feed.xsl") and not urlsplit(href).scheme and href[0] != "/", rel
        assert urljoin((out / rel).as_uri(), href) == (out / pages.XSL_FILE).as_uri(), rel


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
        # the header's link is the feed's page (the trial's said "All feeds of this site";
        # beside a Jekyll site, the site feed's is the site's home: "its web page" both)
        assert page.xpath("//header//a") == page.xpath("//header//a[text()='Its web page']")
        assert page.xpath("//header//a/@href") == [url_of(settings, feed.page)]
        # both formats show a time alike, as UTC: RSS's pubDate is no other text
        shown = [p.published.strftime("%Y-%m-%d %H:%M UTC") for p in feed.posts]
        assert page.xpath("//p[@class='meta']/time/text()") == shown
        assert page.xpath("//p[@class='meta']/time/@datetime") == [
            p.published.strftime("%Y-%m-%dT%H:%M:%SZ") for p in feed.posts
        ]


def test_stylesheet_shows_another_rss_date_as_it_is() -> None:
    rss = (
        '<rss version="2.0"><channel><title>T</title><link>https://e.org/</link>'
        "<description>d</description><item><title>a</title><pubDate>Tue, 2 Mar 2021"
        " 04:05:06 +0800</pubDate></item></channel></rss>"
    )
    page = lxml.html.fromstring(str(xsl()(etree.fromstring(rss.encode()))))
    assert page.xpath("//li/p[@class='meta']/text()") == ["Tue, 2 Mar 2021 04:05:06 +0800"]
    assert page.xpath("//time") == []


def test_stylesheet_shows_an_rss_description_as_its_text() -> None:
    """An RSS description is HTML: feedpub's summaries are its text escaped once more
    ("AT&amp;T"), shown as the text (the trial's page read "檢索 &amp; 應用"); a
    description of markup (an item's content: a video's still) is not shown."""
    rss = (
        '<rss version="2.0"><channel><title>T</title><link>https://e.org/</link>'
        "<description>d</description>"
        "<item><title>a</title>"
        "<description>AT&amp;amp;T &amp;lt;3 &amp;amp;lt;</description></item>"
        "<item><title>b</title>"
        "<description>&lt;p&gt;&lt;img src=x&gt;&lt;/p&gt;</description></item>"
        "</channel></rss>"
    )
    page = lxml.html.fromstring(str(xsl()(etree.fromstring(rss.encode()))))
    assert page.xpath("//p[@class='summary']/text()") == ["AT&T <3 &lt;"]
    assert page.xpath("//img") == []
    # decoded in pieces: one call per entity ran out of depth at 1,500 (the review's
    # description of 2,500 "Q&A <"s blanked the page), and no entity is cut in two
    for text in ("Q&A <" * 2500, "x" + "&<>" * 3000, "ab&lt;" * 997):
        escaped = html.escape(html.escape(text, quote=False), quote=False)
        doc = rss.replace("AT&amp;amp;T &amp;lt;3 &amp;amp;lt;", escaped)
        page = lxml.html.fromstring(str(xsl()(etree.fromstring(doc.encode()))))
        assert page.xpath("//p[@class='summary']/text()") == [text]


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


def test_index_is_english_and_says_the_language_of_each_name() -> None:
    """Its own words are English (as a feed's redirect page says), so the page is; the
    site's title and each feed's name say their language, by their script or else the
    settings' and the feed's (the trial's index was marked zh-Hans while every heading
    and note was English)."""
    settings = Settings(title="时事", description="新闻", url="https://example.org")
    posts = [
        make_post(3, sources=("联合早报",), lang="zh-Hans"),
        make_post(2, sources=("联合早报",), lang="zh-Hans"),
        make_post(1, sources=("bbc",), lang="en"),
        make_post(4, sources=("泡泡",), lang="zh-Hans"),  # says "zh": its feed says more
        make_post(5, sources=("Matters",), lang="zh-Hant"),  # a name: no Chinese voice
    ]
    feeds = listings(planner.plan(posts, settings)[0], settings)
    doc = lxml.html.fromstring(pages.index_html(feeds, settings))
    assert doc.get("lang") == "en"
    assert doc.find("body/header/h1").get("lang") == "zh-Hans"
    assert doc.find("body/header/p").get("lang") == "zh-Hans"
    names = {a.text: a.get("lang") for a in doc.xpath("//tbody/tr/td[@class='name']/a")}
    assert names == {
        "时事": "zh-Hans", "联合早报": "zh-Hans", "bbc": None, "泡泡": "zh-Hans", "Matters": None,
    }  # fmt: skip
    english = replace(settings, title="Op-Ed Archive", description="Scraped")
    doc = lxml.html.fromstring(pages.index_html(feeds, english))
    assert doc.find("body/header/h1").get("lang") is None  # not Dutch for its "op"
    assert doc.find("body/header/p").get("lang") is None  # one word: the settings' (none)
    french = replace(english, lang="fr")
    doc = lxml.html.fromstring(pages.index_html(feeds, french))
    assert doc.find("body/header/h1").get("lang") == "fr"  # what the settings say
    assert doc.find("body/header/p").get("lang") == "fr"
