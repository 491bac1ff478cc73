"""The spec checkers in validators.py pass good documents and catch real faults.

Each checker gets one small valid document written here by hand, then broken
copies of it, each made by one text substitution, that it must reject with a
message naming the fault.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from validators import check_atom, check_feedparser, check_jsonfeed, check_opml, check_rss

Checker = Callable[[Path], list[str]]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _broken(doc: str, old: str, new: str) -> str:
    assert old in doc, f"test is stale: {old!r} is not in the valid document"
    return doc.replace(old, new, 1)


def _assert_catches(check: Checker, path: Path, expected: str) -> None:
    problems = check(path)
    assert problems, f"{check.__name__} passed a broken document"
    joined = "\n".join(problems)
    assert expected.lower() in joined.lower(), f"expected {expected!r} in:\n{joined}"


# ---------------------------------------------------------------------------
# Atom

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:fh="http://purl.org/syndication/history/1.0"
      xmlns:media="http://search.yahoo.com/mrss/"
      xmlns:x="urn:example:x"
      xml:lang="en" xml:base="https://example.org/blog/" x:flavour="plain">
  <title>Example Feed</title>
  <subtitle type="html">A &lt;em&gt;lot&lt;/em&gt; of effort</subtitle>
  <link rel="self" type="application/atom+xml" href="https://example.org/blog/feed.atom"/>
  <link rel="alternate" type="text/html" href="https://example.org/blog/"/>
  <fh:complete/>
  <updated>2024-01-02T03:04:05Z</updated>
  <author><name>Ada</name><uri>https://example.org/ada</uri><email>ada@example.org</email></author>
  <id>tag:example.org,2024:blog</id>
  <generator uri="https://example.org/feedpub" version="0.1.0">feedpub</generator>
  <entry>
    <title>First post</title>
    <link rel="alternate" type="text/html" href="2024/01/first.html"/>
    <id>tag:example.org,2024:blog/first</id>
    <updated>2024-01-02T03:04:05+01:00</updated>
    <published>2024-01-01T23:59:59.25Z</published>
    <category term="notes" label="Notes"/>
    <media:thumbnail url="https://example.org/t.png" width="64" height="64"/>
    <summary>A first post.</summary>
    <content type="xhtml" xml:lang="de">
      <div xmlns="http://www.w3.org/1999/xhtml"><p>Hallo <b>Welt</b></p></div>
    </content>
  </entry>
  <entry>
    <title type="text">Second post</title>
    <link href="https://example.org/blog/2024/01/second.html"/>
    <id>https://example.org/blog/2024/01/second.html</id>
    <updated>2024-01-03T00:00:00-05:00</updated>
  </entry>
</feed>
"""

# The second example of RFC 4287 section 1.1, as printed there.
RFC4287_EXAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">dive into mark</title>
  <subtitle type="html">
    A &lt;em&gt;lot&lt;/em&gt; of effort
    went into making this effortless
  </subtitle>
  <updated>2005-07-31T12:29:29Z</updated>
  <id>tag:example.org,2003:3</id>
  <link rel="alternate" type="text/html"
   hreflang="en" href="http://example.org/"/>
  <link rel="self" type="application/atom+xml"
   href="http://example.org/feed.atom"/>
  <rights>Copyright (c) 2003, Mark Pilgrim</rights>
  <generator uri="http://www.example.com/" version="1.0">
    Example Toolkit
  </generator>
  <entry>
    <title>Atom draft-07 snapshot</title>
    <link rel="alternate" type="text/html"
     href="http://example.org/2005/04/02/atom"/>
    <link rel="enclosure" type="audio/mpeg" length="1337"
     href="http://example.org/audio/ph34r_my_podcast.mp3"/>
    <id>tag:example.org,2003:3.2397</id>
    <updated>2005-07-31T12:29:29Z</updated>
    <published>2003-12-13T08:29:29-04:00</published>
    <author>
      <name>Mark Pilgrim</name>
      <uri>http://example.org/</uri>
      <email>f8dy@example.com</email>
    </author>
    <contributor>
      <name>Sam Ruby</name>
    </contributor>
    <contributor>
      <name>Joe Gregorio</name>
    </contributor>
    <content type="xhtml" xml:lang="en"
     xml:base="http://diveintomark.org/">
      <div xmlns="http://www.w3.org/1999/xhtml">
        <p><i>[Update: The Atom draft is finished.]</i></p>
      </div>
    </content>
  </entry>
</feed>
"""


SCHEMAS = Path(__file__).parent / "schemas"


@pytest.mark.skipif(shutil.which("trang") is None, reason="trang is not installed")
def test_atom_rng_is_trang_output_of_rnc(tmp_path: Path) -> None:
    """atom.rng is atom.rnc (RFC 4287 Appendix B) through Trang, plus one header comment."""
    out = tmp_path / "atom.rng"
    subprocess.run(
        ["trang", "-I", "rnc", "-O", "rng", str(SCHEMAS / "atom.rnc"), str(out)], check=True
    )
    committed = (SCHEMAS / "atom.rng").read_text(encoding="utf-8")
    decl, rest = committed.split("\n", 1)
    assert rest.startswith("<!--")
    without_header = decl + "\n" + rest.split("-->\n", 1)[1]
    assert without_header == out.read_text(encoding="utf-8")


def test_atom_valid(tmp_path: Path) -> None:
    assert check_atom(_write(tmp_path, "feed.atom", ATOM)) == []


def test_atom_rfc_example_is_valid(tmp_path: Path) -> None:
    assert check_atom(_write(tmp_path, "feed.atom", RFC4287_EXAMPLE)) == []


ATOM_FAULTS = {
    "feed id missing": ("<id>tag:example.org,2024:blog</id>", "", "exactly one atom:id"),
    "entry id missing": ("<id>tag:example.org,2024:blog/first</id>", "", "exactly one atom:id"),
    "two titles": (
        "<title>First post</title>",
        "<title>First post</title><title>Again</title>",
        "exactly one atom:title",
    ),
    "naive date": (
        "<updated>2024-01-02T03:04:05Z</updated>",
        "<updated>2024-01-02T03:04:05</updated>",
        "no time zone",
    ),
    "not a real date": (
        "<updated>2024-01-02T03:04:05Z</updated>",
        "<updated>2024-02-30T03:04:05Z</updated>",
        "2024-02-30",
    ),
    "space instead of T": (
        "<updated>2024-01-02T03:04:05Z</updated>",
        "<updated>2024-01-02 03:04:05Z</updated>",
        "RFC 3339",
    ),
    "relative id": (
        "<id>tag:example.org,2024:blog/first</id>",
        "<id>2024/01/first.html</id>",
        "not an absolute IRI",
    ),
    "id with space": (
        "<id>tag:example.org,2024:blog/first</id>",
        "<id>tag:example.org,2024:blog first</id>",
        "not an absolute IRI",
    ),
    "relative href without xml:base": (
        ' xml:base="https://example.org/blog/"',
        "",
        "no xml:base is in scope",
    ),
    "duplicate entry id": (
        "<id>https://example.org/blog/2024/01/second.html</id>",
        "<id>tag:example.org,2024:blog/first</id>",
        "used by 2 entries",
    ),
    "no content and no alternate link": (
        '<link href="https://example.org/blog/2024/01/second.html"/>',
        '<link rel="related" href="https://example.org/blog/2024/01/second.html"/>',
        "neither atom:content nor a rel=alternate link",
    ),
    "no author anywhere": (
        "<author><name>Ada</name><uri>https://example.org/ada</uri>"
        "<email>ada@example.org</email></author>",
        "",
        "no atom:author",
    ),
    "out-of-line content without summary": (
        "<updated>2024-01-03T00:00:00-05:00</updated>",
        '<updated>2024-01-03T00:00:00-05:00</updated><content type="audio/mpeg" src="a.mp3"/>',
        "needs an atom:summary",
    ),
    "unknown atom element": ("<fh:complete/>", "<complete/>", "RELAX NG"),
    "xhtml content without div": (
        '<div xmlns="http://www.w3.org/1999/xhtml"><p>Hallo <b>Welt</b></p></div>',
        "Hallo Welt",
        "RELAX NG",
    ),
    "bad xml:lang": ('xml:lang="de"', 'xml:lang="de_DE"', "RELAX NG"),
    "two alternate links alike": (
        '<link rel="alternate" type="text/html" href="https://example.org/blog/"/>',
        '<link rel="alternate" type="text/html" href="https://example.org/blog/"/>'
        '<link type="text/html" href="https://example.org/blog/2"/>',
        "rel=alternate links",
    ),
    "control character": ("<title>First post</title>", "<title>First\x01post</title>", "U+0001"),
    "control character reference": (
        "<title>First post</title>",
        "<title>First&#x1b;post</title>",
        "&#x1b;",
    ),
    "not UTF-8": ('encoding="utf-8"', 'encoding="iso-8859-1"', "not UTF-8"),
    "not well-formed": ("</feed>", "</fed>", "not well-formed"),
}


@pytest.mark.parametrize("case", ATOM_FAULTS, ids=list(ATOM_FAULTS))
def test_atom_faults(tmp_path: Path, case: str) -> None:
    old, new, expected = ATOM_FAULTS[case]
    _assert_catches(check_atom, _write(tmp_path, "feed.atom", _broken(ATOM, old, new)), expected)


# ---------------------------------------------------------------------------
# RSS 2.0

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"
     xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:media="http://search.yahoo.com/mrss/">
  <channel>
    <title>Example Feed</title>
    <link>https://example.org/blog/</link>
    <description>Notes &amp; such</description>
    <language>en</language>
    <lastBuildDate>Wed, 03 Jan 2024 05:00:00 GMT</lastBuildDate>
    <generator>feedpub 0.1.0</generator>
    <ttl>60</ttl>
    <atom:link href="https://example.org/blog/feed.rss" rel="self" type="application/rss+xml"/>
    <image>
      <url>https://example.org/logo.png</url>
      <title>Example Feed</title>
      <link>https://example.org/blog/</link>
      <width>88</width>
    </image>
    <item>
      <title>First post</title>
      <link>https://example.org/blog/2024/01/first.html</link>
      <description>&lt;p&gt;Hello&lt;/p&gt;</description>
      <content:encoded><![CDATA[<p>Hello <b>world</b></p>]]></content:encoded>
      <dc:creator>Ada</dc:creator>
      <author>ada@example.org (Ada)</author>
      <category>notes</category>
      <category domain="https://example.org/tags">misc</category>
      <guid>https://example.org/blog/2024/01/first.html</guid>
      <pubDate>Tue, 02 Jan 2024 03:04:05 +0100</pubDate>
      <media:thumbnail url="https://example.org/t.png"/>
    </item>
    <item>
      <description>A post with no title.</description>
      <enclosure url="https://example.org/a.mp3" length="1337" type="audio/mpeg"/>
      <guid isPermaLink="false">tag:example.org,2024:blog/second</guid>
      <pubDate>3 Jan 2024 00:00 -0500</pubDate>
    </item>
  </channel>
</rss>
"""

RSS_FAULTS = {
    "bad version": ('<rss version="2.0"', '<rss version="0.91"', 'must be "2.0"'),
    "channel link missing": (
        "<link>https://example.org/blog/</link>\n    <description>",
        "<description>",
        "exactly one <link>",
    ),
    "channel description missing": (
        "<description>Notes &amp; such</description>",
        "",
        "exactly one <description>",
    ),
    "relative item link": (
        "<link>https://example.org/blog/2024/01/first.html</link>",
        "<link>/blog/2024/01/first.html</link>",
        "not an absolute http(s) URL",
    ),
    "relative atom:link": (
        'href="https://example.org/blog/feed.rss"',
        'href="feed.rss"',
        "not an absolute http(s) URL",
    ),
    "duplicate guid": (
        '<guid isPermaLink="false">tag:example.org,2024:blog/second</guid>',
        "<guid>https://example.org/blog/2024/01/first.html</guid>",
        "used by 2 items",
    ),
    "missing guid": (
        '<guid isPermaLink="false">tag:example.org,2024:blog/second</guid>',
        "",
        "no <guid>",
    ),
    "permalink guid that is not a URL": (
        '<guid isPermaLink="false">',
        "<guid>",
        "isPermaLink defaults to true",
    ),
    "date with no zone": (
        "Tue, 02 Jan 2024 03:04:05 +0100",
        "Tue, 02 Jan 2024 03:04:05",
        "not an RFC 822 date-time",
    ),
    "date with unknown zone": (
        "Tue, 02 Jan 2024 03:04:05 +0100",
        "Tue, 02 Jan 2024 03:04:05 -0000",
        "no time zone",
    ),
    "ISO date": ("Tue, 02 Jan 2024 03:04:05 +0100", "2024-01-02T03:04:05Z", "RFC 822"),
    "wrong weekday": (
        "Wed, 03 Jan 2024 05:00:00 GMT",
        "Thu, 03 Jan 2024 05:00:00 GMT",
        "is a Wed, not a Thu",
    ),
    "item with neither title nor description": (
        "<description>A post with no title.</description>",
        "",
        "neither <title> nor <description>",
    ),
    "unnamespaced extension": (
        "<dc:creator>Ada</dc:creator>",
        "<creator>Ada</creator>",
        "has no namespace",
    ),
    "two pubDates": (
        "<pubDate>3 Jan 2024 00:00 -0500</pubDate>",
        "<pubDate>3 Jan 2024 00:00 -0500</pubDate><pubDate>3 Jan 2024 00:00 -0500</pubDate>",
        "at most one",
    ),
    "author without email": (
        "<dc:creator>Ada</dc:creator>",
        "<dc:creator>Ada</dc:creator><author>Ada</author>",
        "has no email address",
    ),
    "mistyped namespace": (
        'xmlns:media="http://search.yahoo.com/mrss/"',
        'xmlns:media="http://search.yahoo.com/mrss"',
        "binds media:",
    ),
    "enclosure without length": ('length="1337" ', "", "no length="),
    "control character": ("<title>First post</title>", "<title>First\x0bpost</title>", "U+000B"),
    "two channels": ("</channel>", "</channel><channel/>", "exactly one <channel>"),
    "not UTF-8": ('encoding="UTF-8"', 'encoding="windows-1252"', "not UTF-8"),
}


def test_rss_valid(tmp_path: Path) -> None:
    assert check_rss(_write(tmp_path, "feed.rss", RSS)) == []


@pytest.mark.parametrize("case", RSS_FAULTS, ids=list(RSS_FAULTS))
def test_rss_faults(tmp_path: Path, case: str) -> None:
    old, new, expected = RSS_FAULTS[case]
    _assert_catches(check_rss, _write(tmp_path, "feed.rss", _broken(RSS, old, new)), expected)


# ---------------------------------------------------------------------------
# JSON Feed 1.1

JSONFEED = """{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Example Feed",
  "home_page_url": "https://example.org/blog/",
  "feed_url": "https://example.org/blog/feed.json",
  "description": "Notes & such",
  "language": "en-GB",
  "authors": [{"name": "Ada", "url": "mailto:ada@example.org"}],
  "_feedpub": {"about": "https://example.org/feedpub", "build": 7},
  "items": [
    {
      "id": "https://example.org/blog/2024/01/first.html",
      "url": "https://example.org/blog/2024/01/first.html",
      "title": "First post",
      "content_html": "<p>Hello <b>world</b> \\u00e9\\t</p>",
      "summary": "A first post.",
      "image": "https://example.org/t.png",
      "date_published": "2024-01-02T03:04:05+01:00",
      "date_modified": "2024-01-02T03:04:05.250Z",
      "authors": [{"avatar": "https://example.org/ada.png"}],
      "tags": ["notes", "misc"],
      "attachments": [
        {"url": "https://example.org/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 1337}
      ]
    },
    {
      "id": "tag:example.org,2024:blog/second",
      "content_text": "No title here.",
      "_source": {"from": "elsewhere"}
    }
  ]
}
"""

JSONFEED_FAULTS = {
    "bad version": (
        '"https://jsonfeed.org/version/1.1"',
        '"https://jsonfeed.org/version/1"',
        "version",
    ),
    "missing title": ('"title": "Example Feed",', "", "'title' is a required property"),
    "missing items": ('"items": [', '"_items": [', "'items' is a required property"),
    "missing item id": (
        '"id": "tag:example.org,2024:blog/second",',
        "",
        "'id' is a required property",
    ),
    "numeric item id": (
        '"id": "tag:example.org,2024:blog/second"',
        '"id": 2',
        "not of type 'string'",
    ),
    "no content": (
        '"content_text": "No title here.",',
        "",
        "needs at least one of content_html, content_text",
    ),
    "relative url": (
        '"url": "https://example.org/blog/2024/01/first.html"',
        '"url": "/blog/2024/01/first.html"',
        "not an absolute URL",
    ),
    "relative attachment url": (
        '"url": "https://example.org/a.mp3"',
        '"url": "a.mp3"',
        "attachments/0/url",
    ),
    "relative avatar": (
        '"avatar": "https://example.org/ada.png"',
        '"avatar": "ada.png"',
        "avatar",
    ),
    "naive date": (
        '"2024-01-02T03:04:05+01:00"',
        '"2024-01-02T03:04:05"',
        "no time zone",
    ),
    "not a real date": ('"2024-01-02T03:04:05.250Z"', '"2024-13-02T03:04:05Z"', "2024-13-02"),
    "duplicate item id": (
        '"id": "tag:example.org,2024:blog/second"',
        '"id": "https://example.org/blog/2024/01/first.html"',
        "used by 2 items",
    ),
    "misspelt key": ('"date_modified"', '"date_modifed"', "unknown member"),
    "extension without underscore": ('"_feedpub"', '"feedpub"', "unknown member"),
    "empty author": (
        '"authors": [{"avatar": "https://example.org/ada.png"}]',
        '"authors": [{}]',
        "needs at least one of name",
    ),
    "authors not an array": (
        '"authors": [{"name": "Ada", "url": "mailto:ada@example.org"}]',
        '"authors": "Ada"',
        "not of type 'array'",
    ),
    "tag not a string": (
        '"tags": ["notes", "misc"]',
        '"tags": ["notes", 3]',
        "not of type 'string'",
    ),
    "control character": ('"No title here."', '"No title\\u0001here."', "U+0001"),
    "raw control character": ('"No title here."', '"No title\x01here."', "not valid JSON"),
    "duplicate key": (
        '"title": "First post",',
        '"title": "First post", "title": "Again",',
        "duplicate",
    ),
    "not JSON": ('"misc"]', '"misc",]', "not valid JSON"),
}


def test_jsonfeed_valid(tmp_path: Path) -> None:
    assert check_jsonfeed(_write(tmp_path, "feed.json", JSONFEED)) == []


@pytest.mark.parametrize("case", JSONFEED_FAULTS, ids=list(JSONFEED_FAULTS))
def test_jsonfeed_faults(tmp_path: Path, case: str) -> None:
    old, new, expected = JSONFEED_FAULTS[case]
    path = _write(tmp_path, "feed.json", _broken(JSONFEED, old, new))
    _assert_catches(check_jsonfeed, path, expected)


# ---------------------------------------------------------------------------
# feedparser


@pytest.mark.parametrize(("name", "doc"), [("feed.atom", ATOM), ("feed.rss", RSS)])
def test_feedparser_valid(tmp_path: Path, name: str, doc: str) -> None:
    assert check_feedparser(_write(tmp_path, name, doc)) == []


def test_feedparser_ignores_file_name(tmp_path: Path) -> None:
    assert check_feedparser(_write(tmp_path, "feed.json", ATOM)) == []


@pytest.mark.parametrize(
    ("doc", "old", "new"),
    [
        (ATOM, "</feed>", "</fed>"),
        (RSS, "<dc:creator>Ada</dc:creator>", "<zz:creator>Ada</zz:creator>"),
        (RSS, "<title>First post</title>", "<title>First\x01post</title>"),
    ],
    ids=["mismatched tag", "undeclared prefix", "control character"],
)
def test_feedparser_bozo(tmp_path: Path, doc: str, old: str, new: str) -> None:
    problems = check_feedparser(_write(tmp_path, "feed.xml", _broken(doc, old, new)))
    assert len(problems) == 1
    assert problems[0].startswith("bozo: ")


# ---------------------------------------------------------------------------
# OPML 2.0

OUTLINES = """
    <outline text="Blogs">
      <outline type="rss" text="Example Feed" title="Example Feed"
               xmlUrl="https://example.org/blog/feed.rss" htmlUrl="https://example.org/blog/"/>
    </outline>
    <outline type="rss" text="Other" xmlUrl="http://other.example/feed.atom"/>
  """
OPML = f"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>Subscriptions</title>
    <dateCreated>Tue, 02 Jan 2024 03:04:05 GMT</dateCreated>
  </head>
  <body>{OUTLINES}</body>
</opml>
"""

OPML_FAULTS = {
    "bad version": ('<opml version="2.0">', '<opml version="1.0">', 'must be "2.0"'),
    "no title": ("<title>Subscriptions</title>", "", "<title>"),
    "no body": (f"<body>{OUTLINES}</body>", "", "exactly one <body>"),
    "empty body": (OUTLINES, "", "has no <outline>"),
    "foreign element in body": ("<body>", "<body><feed/>", "only <outline>"),
    "rss outline without xmlUrl": (
        ' xmlUrl="http://other.example/feed.atom"',
        "",
        "no xmlUrl",
    ),
    "rss outline without text": (' text="Other"', "", "no text="),
    "relative xmlUrl": (
        'xmlUrl="https://example.org/blog/feed.rss"',
        'xmlUrl="feed.rss"',
        "not an absolute http(s) URL",
    ),
    "naive dateCreated": ("03:04:05 GMT", "03:04:05", "RFC 822"),
    "control character": ('text="Other"', 'text="Oth&#x2;er"', "&#x2;"),
}


def test_opml_valid(tmp_path: Path) -> None:
    assert check_opml(_write(tmp_path, "feeds.opml", OPML)) == []


@pytest.mark.parametrize("case", OPML_FAULTS, ids=list(OPML_FAULTS))
def test_opml_faults(tmp_path: Path, case: str) -> None:
    old, new, expected = OPML_FAULTS[case]
    _assert_catches(check_opml, _write(tmp_path, "feeds.opml", _broken(OPML, old, new)), expected)


def test_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.xml"
    for check in (check_atom, check_rss, check_jsonfeed, check_opml):
        assert check(missing), check.__name__
