"""index.html, the feeds' pages and feed.xsl in a real browser: headless Chromium
over HTTP on 127.0.0.1, and from the folder (file://).

The sample site lives under the base path /feeds, so the output is served as
`<root>/feeds/`, as it would be on the real site. Every link of the pages and
the feeds' `<?xml-stylesheet href="../../feed.xsl"?>` are relative, so they
resolve there and under any other base path. From file:// Chromium runs no
stylesheet at all (each file is an origin of its own): the pages need none.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import lxml.html
import pytest
from conftest import POSTS, ROOT
from lxml import etree
from test_pages import build_site, planned

from feedpub import pages
from feedpub.config import Settings
from feedpub.model import Listing

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (`apt-get install chromium`)"
)
FEED_LINKS = ("application/atom+xml", "application/rss+xml", "application/feed+json")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass(frozen=True)
class Site:
    root: Path  # served as http://127.0.0.1:port/
    out: Path  # root/feeds, the build's output
    base: str  # http://127.0.0.1:port/feeds/
    feeds: list[Listing]
    settings: Settings
    tmp: Path

    def file(self, url: str) -> Path:
        """The served file a URL on this server points at."""
        assert url.startswith(self.base), url
        return self.root / unquote(urlsplit(url).path).lstrip("/")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "www"
    out = root / "feeds"
    feeds, settings = build_site(POSTS, out)
    assert urlsplit(settings.site_url).path == "/feeds/"
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/feeds/"
        yield Site(root, out, base, feeds, settings, tmp_path)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def chromium(tmp: Path, url: str, *args: str) -> str:
    """Run headless Chromium on `url` with a fresh profile; return its stdout."""
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
        url,
    ]
    result = subprocess.run(command, capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return result.stdout.decode()


def dom(site: Site, url: str) -> Any:
    """The DOM Chromium rendered, parsed."""
    return lxml.html.fromstring(chromium(site.tmp, url, "--dump-dom"))


def test_index_in_chromium(site: Site) -> None:
    url = site.base + pages.INDEX_FILE
    doc = dom(site, url)
    assert doc.findtext(".//h1") == site.settings.title
    discovery = doc.xpath("/html/head/link[@rel='alternate']")
    types = [link.get("type") for link in discovery]
    assert types[:3] == list(FEED_LINKS)  # the site feed in every format
    sources = [f for f in site.feeds if f.kind.name == "source" and not f.alias]
    assert types[3:] == ["application/atom+xml"] * len(sources)
    for link in discovery:
        assert site.file(urljoin(url, link.get("href"))).is_file(), link.get("href")
    # Every link on the page (feeds and the OPML list) resolves to a served file.
    hrefs = [urljoin(url, h) for h in doc.xpath("//body//a/@href")]
    assert len(hrefs) == 4 * len(site.feeds) + 1  # each feed's page and files, and the OPML
    for href in hrefs:
        assert site.file(href).is_file(), href
    opml = site.base + pages.OPML_FILE
    assert hrefs.count(opml) == 1
    assert [urljoin(url, h) for h in doc.xpath("/html/head/link[@rel='outline']/@href")] == [opml]
    screenshot(site, url, "index.png")


_RUNS_XSLT: dict[str, bool] = {}


def chromium_runs_xslt(site: Site) -> bool:
    """Chromium is removing XSLT: find out (once) whether this one still runs it."""
    if "answer" in _RUNS_XSLT:
        return _RUNS_XSLT["answer"]
    (site.out / "probe.xsl").write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:template match="/"><html><body><p id="probe">ran</p></body></html></xsl:template>'
        "</xsl:stylesheet>",
        encoding="utf-8",
    )
    (site.out / "probe.xml").write_text(
        '<?xml-stylesheet type="text/xsl" href="probe.xsl"?><probe/>', encoding="utf-8"
    )
    _RUNS_XSLT["answer"] = bool(dom(site, site.base + "probe.xml").xpath("//p[@id='probe']"))
    return _RUNS_XSLT["answer"]


@pytest.mark.parametrize("name", ["feed.xml", "rss.xml"])
def test_feeds_render_with_the_stylesheet_in_chromium(site: Site, name: str) -> None:
    if not chromium_runs_xslt(site):
        pytest.skip("this Chromium no longer runs XSLT; tests/test_pages.py checks feed.xsl")
    feeds = planned(POSTS, site.out, site.settings)
    source = next(f for f in feeds if f.kind.name == "source" and len(f.posts) > 1)
    for feed in (feeds[0], source):
        path = f"{feed.folder}/{name}" if feed.folder else name
        url = site.base + path
        xml = etree.parse(str(site.file(url)))
        pi = xml.getroot().getprevious()
        assert site.file(urljoin(url, pi.get("href"))) == site.out / pages.XSL_FILE
        doc = dom(site, url)
        assert doc.findtext(".//h1") == feed.title
        assert "This is a feed: copy its URL into your reader." in doc.text_content()
        assert doc.xpath("//li/h2/a/text()") == [p.title for p in feed.posts]
        assert doc.xpath("//script") == []


@pytest.mark.parametrize("where", ["http", "file"])
def test_feed_page_in_chromium(site: Site, where: str) -> None:
    """A source's page, served under the base path and opened from the folder: its
    title, language and entries, in order, and links that lead to the site's files."""
    feeds = planned(POSTS, site.out, site.settings)
    feed = next(f for f in feeds if f.name == "联合早报" and f.kind.name == "source")
    assert len(feed.posts) > 1
    url = site.base + quote(feed.page) if where == "http" else (site.out / feed.page).as_uri()
    doc = dom(site, url)
    assert doc.findtext(".//title") == doc.findtext(".//h1") == feed.title
    assert doc.get("lang") == feed.lang
    assert doc.xpath("//ol/li/h2/a/text()") == [p.title for p in feed.posts]
    assert doc.xpath("//ol/li/h2/a/@href") == [p.url for p in feed.posts]
    assert doc.xpath("//script") == []
    folder = site.out / feed.folder
    for href in [
        *doc.xpath("/html/head/link[@rel='alternate']/@href"),
        *doc.xpath("//header//a/@href"),
    ]:
        target = urljoin(url, href)
        path = site.file(target) if where == "http" else Path(unquote(urlsplit(target).path))
        assert path.is_file() and site.out in path.parents, href
    assert site.file(urljoin(site.base + quote(feed.page), "feed.xml")) == folder / "feed.xml"
    if where == "http":
        screenshot(site, url, "feed-page.png")


def screenshot(site: Site, url: str, name: str) -> None:
    """A phone-sized screenshot, to look at; `UPDATE_SCREENSHOTS=1` puts it in docs/,
    where the README shows it."""
    shot = site.tmp / name
    chromium(site.tmp, url, f"--screenshot={shot}", "--window-size=412,915")
    assert shot.read_bytes().startswith(b"\x89PNG")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copyfile(shot, ROOT / "docs" / name)
