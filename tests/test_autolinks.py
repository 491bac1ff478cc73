"""Web addresses written as text become links: where a link ends in scraped text that
lost its line breaks, what is never linked, and the corpus's feeds as readers get them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
import nh3
import pytest

from feedpub.autolinks import links_in
from feedpub.html import clean


def linked(text: str) -> list[str]:
    return [text[start:end] for start, end, _ in links_in(text)]


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("see https://example.com/a.", ["https://example.com/a"]),
        ("(https://example.com/a)", ["https://example.com/a"]),
        (
            "https://en.wikipedia.org/wiki/Foo_(bar), next",
            ["https://en.wikipedia.org/wiki/Foo_(bar)"],
        ),
        ("“https://example.com/a”", ["https://example.com/a"]),
        ("'https://example.com/a'?", ["https://example.com/a"]),
        ("www.example.com/search?q=1, and", ["www.example.com/search?q=1"]),
        ("官网www.isuntv.com，歡迎", ["www.isuntv.com"]),
        (
            "https://example.com/?u=https://other.org/x",
            ["https://example.com/?u=https://other.org/x"],
        ),
        # scraped descriptions whose line breaks were lost (the society archive's)
        ("微信：https://bit.ly/3gozLAy赏我杯咖啡", ["https://bit.ly/3gozLAy"]),
        ("https://bit.ly/41JvFcx=====================罗宾频道", ["https://bit.ly/41JvFcx"]),
        (
            "https://t.me/+0Rg1eahLDhttps://signal.group/#CjQK2",
            ["https://t.me/+0Rg1eahLD", "https://signal.group/#CjQK2"],
        ),
        ("https://chinaluobin.blogspot.comTwitter: @x", ["https://chinaluobin.blogspot.com"]),
        ("https://bit.ly/3n63BeyWhatsapp: +1", ["https://bit.ly/3n63Bey"]),
        ("https://paypal.me/serpentzaPayPal", ["https://paypal.me/serpentza"]),
        ("https://youtu.be/aBTDvlteZcsEpisode 2", ["https://youtu.be/aBTDvlteZcs"]),
        (
            "https://www.youtube.com/watch?v=KFAejbtB5W0Episode",
            ["https://www.youtube.com/watch?v=KFAejbtB5W0"],
        ),
        ("https://x.com/chan1月18日", ["https://x.com/chan1"]),  # a guess either way
        ("上集：https://youtu.be/dQw4w9WgXc1下集", ["https://youtu.be/dQw4w9WgXc1"]),
        (
            "订阅https://www.youtube.com/c/x?sub_confirmation=1欢迎",
            ["https://www.youtube.com/c/x?sub_confirmation=1"],
        ),
        (
            "iOS:https://apple.co/abcAndroid:https://play.google.com/x",
            ["https://apple.co/abcAndroid", "https://play.google.com/x"],
        ),
        (
            "https://en.wikipedia.org/wiki/A_(b)https://c.com/d",
            ["https://en.wikipedia.org/wiki/A_(b)", "https://c.com/d"],
        ),
        (
            "https://web.archive.org/web/2020/https://c.com/d",
            ["https://web.archive.org/web/2020/https://c.com/d"],
        ),
        ("Visit https://www.myWebsite.com/about today", ["https://www.myWebsite.com/about"]),
        ("https://twitter.com/AppleNews", ["https://twitter.com/AppleNews"]),  # not a label
        ("https://youtu.be/4vbcC4TcMGc1+2+3+...=-1/12", ["https://youtu.be/4vbcC4TcMGc"]),
        ("https://x.com/groups/471141690573865#苗华", ["https://x.com/groups/471141690573865"]),
        ("https://x.com/episode-10 Episode 11", ["https://x.com/episode-10"]),
        (
            "list=https://y.com/p?list=PLab_瑪力 https://y.com/c_ ok",
            ["https://y.com/p?list=PLab_", "https://y.com/c"],
        ),
        # a label after a path's segment, before the next address on the site it names
        # (a reader's review: 28 corpus entries linked "facebook.com/isuntvvr/Twitter");
        # not as the first segment, nor at the end of an address of its own, nor before
        # an address elsewhere (the code reviews)
        (
            "https://x.com/isuntvvr/Twitter  https://twitter.com/y",
            ["https://x.com/isuntvvr/", "https://twitter.com/y"],
        ),
        ("www.x.com/isuntvvr/Twitter→ www.twitter.com", ["www.x.com/isuntvvr/", "www.twitter.com"]),
        (
            "https://en.wikipedia.org/wiki/Bitcoin https://en.wikipedia.org/wiki/Ethereum",
            ["https://en.wikipedia.org/wiki/Bitcoin", "https://en.wikipedia.org/wiki/Ethereum"],
        ),
        (
            "https://x.com/genre/Music\nhttps://y.org",
            ["https://x.com/genre/Music", "https://y.org"],
        ),
        (
            "https://x.com/a/Live https://www.deliveroo.com/x",
            ["https://x.com/a/Live", "https://www.deliveroo.com/x"],
        ),
        (
            "https://twitter.com/Twitter https://y.com",
            ["https://twitter.com/Twitter", "https://y.com"],
        ),
        ("https://x.com/isuntvvr/Twitter", ["https://x.com/isuntvvr/Twitter"]),
        ("https://en.wikipedia.org/wiki/Bitcoin and", ["https://en.wikipedia.org/wiki/Bitcoin"]),
        ("www.reddit.com/r/Music, https://y.com", ["www.reddit.com/r/Music", "https://y.com"]),
        ("https://x.net/Instagram: https://y.com/z", ["https://x.net/", "https://y.com/z"]),
        ("https://www.youtube.com/serpentzaSupport Sasha", ["https://www.youtube.com/serpentza"]),
        # not addresses
        ("http://vimeo.com/ondemand/conqueringn...Tune", []),  # shortened for show
        ("http://localhost:8000/ and https:// and www. alone", []),
        ("https://example.com:99999/", []),
        ("ftp://example.com/file javascript://example.com/", []),
        ("https://中文.com/x", []),
        ("https://example.com/" + "a" * 5_000, []),  # longer than a `from:` may be
        ("awww.cute.com, info@www.example.com, “www.nevergetoveryou”", []),
    ],
)
def test_where_links_end(text: str, links: list[str]) -> None:
    assert linked(text) == links


def test_the_url_of_a_www_address_is_https() -> None:
    assert [href for _, _, href in links_in("www.example.com/a")] == ["https://www.example.com/a"]


def test_bare_addresses_in_text_become_links() -> None:
    body = (
        "<p>Subscribe: https://bit.ly/abc and www.example.com<br>"
        "<b>Shop</b> https://shop.example.com/x?a=1&amp;b=2.</p>"
    )
    html = clean(body, None).html
    assert html == (
        '<p>Subscribe: <a href="https://bit.ly/abc">https://bit.ly/abc</a> and '
        '<a href="https://www.example.com">www.example.com</a><br>'
        '<b>Shop</b> <a href="https://shop.example.com/x?a=1&amp;b=2">'
        "https://shop.example.com/x?a=1&amp;b=2</a>.</p>"
    )
    assert nh3.clean(html, link_rel=None) == html  # markup nh3 would keep as it is
    glued = clean("<p>https://a.com/x-airporthttps://b.com/y ok</p>", None).html
    assert glued == (  # (a space between addresses glued together: a reader's review)
        '<p><a href="https://a.com/x-airport">https://a.com/x-airport</a> '
        '<a href="https://b.com/y">https://b.com/y</a> ok</p>'
    )


@pytest.mark.parametrize(
    "body",
    [
        '<p><a href="https://example.com/">https://example.com/</a></p>',
        '<p><a href="https://example.com/">see <b>https://other.org/</b></a></p>',
        "<pre>curl https://example.com/api</pre>",
        "<p>run <code>pip download https://example.com/x.whl</code></p>",
        '<p><img src="https://example.com/a.png" alt="https://example.com/b"></p>',
        "<p>https://example.com/a...</p>",
    ],
)
def test_what_is_never_linked(body: str) -> None:
    before = lxml.html.fragment_fromstring(body, create_parent="div")
    after = lxml.html.fragment_fromstring(clean(body, None).html, create_parent="div")
    assert [a.get("href") for a in after.iter("a")] == [a.get("href") for a in before.iter("a")]


def test_links_leave_the_summary_as_it_was() -> None:
    body = "<p>The trip https://bit.ly/abc and more of its story, told at length.</p>"
    content = clean(body, None)
    assert "<a " in content.html
    assert content.summary == "The trip https://bit.ly/abc and more of its story, told at length."


def test_corpus_feeds_have_no_bare_addresses(corpus_build: tuple[Path, str]) -> None:
    """In every source feed, an address in text is a link (1,755 of the society
    archive's entries had one that was not), but those shortened for show."""
    out, _ = corpus_build
    bare = re.compile(r"https?://[!#-;=?-~]+")
    found, links = [], 0
    for feed in sorted((out / "sources").glob("*/feed.json")):
        for item in json.loads(feed.read_text(encoding="utf-8"))["items"]:
            markup = item.get("content_html") or ""
            if not markup.strip():
                continue
            root = lxml.html.fragment_fromstring(markup, create_parent="div")
            links += sum(1 for _ in root.iter("a"))
            for text in root.xpath("//text()[not(ancestor::a or ancestor::pre or ancestor::code)]"):
                found += [m[0] for m in bare.finditer(text) if "..." not in m[0]]
    assert links > 4_000
    assert found == []


def test_many_addresses_cost_linear_time() -> None:
    """50,000 addresses on lines of one paragraph, and an attribute of 4 MB of `://`:
    each insertion looked its place up along the paragraph's children (20,000 took
    13 s), and each `://` looked back over the attribute (2 MB: 16 s). Now about a
    second each; quadratic, minutes."""
    lines = "<p>" + "<br>".join(f"https://example.com/{i}" for i in range(50_000)) + "</p>"
    assert clean(lines, None).html.count("<a href=") == 50_000
    attribute = '<p title="' + "://" * 1_400_000 + '">no address</p>'
    assert "<a " not in clean(attribute, None).html
