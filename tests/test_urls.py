"""Canonical URLs: copies of one story map to one id, nothing else changes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub.urls import absolute, canonical_id, canonical_url, is_absolute_http

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(" https://a.org/x\n", "https://a.org/x", id="strip whitespace"),
        pytest.param(
            "https://matters.news/@m/%25E9%2594%2590-x",
            "https://matters.news/@m/%E9%94%90-x",
            id="double percent-encoding",
        ),
        pytest.param("https://a.org/%252541", "https://a.org/%41", id="triple encoding"),
        pytest.param("https://a.org/?q=%2541", "https://a.org/?q=%41", id="double in query"),
        pytest.param("https://a.org/100%25", "https://a.org/100%25", id="lone %25 kept"),
        pytest.param("HTTPS://WWW.A.Org/Path", "https://www.a.org/Path", id="scheme and host case"),
        pytest.param("https://User:PW@A.org/", "https://User:PW@a.org/", id="userinfo kept"),
        pytest.param(
            "https://xn--mnchen-3ya.DE/x", "https://xn--mnchen-3ya.de/x", id="IDNA host not decoded"
        ),
        pytest.param("https://münchen.de/x", "https://münchen.de/x", id="unicode host not encoded"),
        pytest.param("http://a.org:80/x", "https://a.org/x", id="http default port"),
        pytest.param("https://a.org:443/x", "https://a.org/x", id="https default port"),
        pytest.param("https://a.org:/x", "https://a.org/x", id="empty port"),
        pytest.param("https://a.org:8443/x", "https://a.org:8443/x", id="other port kept"),
        pytest.param("https://[::1]:443/x", "https://[::1]/x", id="IPv6 host"),
        pytest.param("https://a.org/x#comments", "https://a.org/x", id="fragment"),
        pytest.param(
            "https://a.org/x?utm_source=rss&id=3&UTM_Medium=feed&fbclid=A&gclid=B&b=%2F",
            "https://a.org/x?id=3&b=%2F",
            id="tracking parameters",
        ),
        pytest.param("https://a.org/x?b=2&a=1&b=1", "https://a.org/x?b=2&a=1&b=1", id="order kept"),
        pytest.param(
            "https://medium.com/@u/x-92842f10c4e8?source=rss-85307064eb48------2",
            "https://medium.com/@u/x-92842f10c4e8?source=rss-85307064eb48------2",
            id="other parameters kept",
        ),
        pytest.param("https://a.org/x?utm_source=rss", "https://a.org/x", id="empty query dropped"),
        pytest.param("https://a.org/x?", "https://a.org/x", id="bare question mark"),
        pytest.param("https://a.org", "https://a.org/", id="empty path"),
        pytest.param("http://a.org/x", "https://a.org/x", id="http is https"),
        pytest.param("https://a.org/x/", "https://a.org/x", id="trailing slash"),
        pytest.param("https://a.org/x//", "https://a.org/x", id="trailing slashes"),
        pytest.param("https://a.org/", "https://a.org/", id="root kept"),
        pytest.param(
            "https://www.iyouport.org/%e6%b2%a1-%e4%bb%80/",
            "https://www.iyouport.org/%e6%b2%a1-%e4%bb%80",
            id="path encoding case kept",
        ),
        pytest.param("https://a.org/x/ #top", "https://a.org/x", id="rules expose each other"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("", id="empty"),
        pytest.param("/2021/04/10/x.html", id="relative"),
        pytest.param("//a.org/%2541", id="protocol-relative"),
        pytest.param("mailto:A@B.org", id="other scheme"),
        pytest.param("ftp://A.org/%2541", id="ftp"),
        pytest.param("http://", id="no host"),
        pytest.param("http:///x", id="empty host"),
        pytest.param("https://:443/x", id="port only"),
        pytest.param("http:a.org", id="no slashes"),
    ],
)
def test_not_absolute_http_is_only_stripped(url: str) -> None:
    assert not is_absolute_http(url)
    assert canonical_url(f"  {url}\t") == url


@pytest.mark.parametrize(
    "url",
    ["http://a.org", "HTTPS://a.org/x?y#z", " https://u@a.org:8080/ ", "https://[::1]/"],
)
def test_is_absolute_http(url: str) -> None:
    assert is_absolute_http(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://news example.com/x",
        "https://news.example.com/j k",
        "https://news.example.com:99999/n",
        'https://news.example.com/a"b',
        "https://a<b>.example.com/x",
        "https://host/a\x7fb",
        "https://Host/a\x7fb",
        "https://a.b/\\x",  # (the hostile-input review's: RFC 3987 has no backslash)
    ],
)
def test_an_id_is_never_a_url_no_client_can_follow(url: str) -> None:
    """These would be written as entry ids and links (FP402 gives a permalink)."""
    assert canonical_id(url) is None


@pytest.mark.parametrize(
    "url", ["https://例子.中国/新闻", "https://a.org/x?q=%20&r=|", "https://a.org:8080/x"]
)
def test_an_iri_is_an_id(url: str) -> None:
    assert canonical_id(url) == url


def test_copies_of_one_story_agree() -> None:
    copies = [
        "http://Matters.news/@m/%25E9%2594%2590/",
        "https://matters.news:443/@m/%E9%94%90?utm_source=rss#x",
        " https://matters.news/@m/%25E9%94%90?fbclid=1 ",
    ]
    assert {canonical_url(u) for u in copies} == {"https://matters.news/@m/%E9%94%90"}


# --- properties -------------------------------------------------------------------

_SEGMENT = st.lists(
    st.sampled_from(["a", "Z", "-", "%e9", "%25E9", "%2525", "%25", "%", "/", " ", "@", ":"]),
    max_size=4,
).map("".join)
_PARAM = st.tuples(
    st.sampled_from(["id", "utm_source", "UTM_x", "fbclid", "gclid", "q", "", "a%2525"]),
    st.sampled_from(["", "=", "=1", "=%2541", "=a b", "=%25"]),
).map("".join)
URLS = st.builds(
    lambda scheme, user, host, port, path, query, frag: (
        f"{scheme}://{user}{host}{port}{path}{'?' + '&'.join(query) if query else ''}{frag}"
    ),
    st.sampled_from(["http", "https", "HTTP", "hTTps"]),
    st.sampled_from(["", "u@", "U:p@", "%25@"]),
    st.sampled_from(["a.org", "WWW.A.ORG", "[::1]", "münchen.DE", "%2541", "x "]),
    st.sampled_from(["", ":", ":80", ":443", ":0443", ":8080", ":x"]),
    st.lists(_SEGMENT, max_size=4).map(lambda parts: "".join("/" + p for p in parts)),
    st.none() | st.lists(_PARAM, max_size=4),
    st.sampled_from(["", "#", "#x", "#/ ", " #a"]),
)


@FAST
@given(st.one_of(URLS, st.text()))
def test_canonical_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


@FAST
@given(st.text())
def test_never_raises_and_leaves_other_text_alone(text: str) -> None:
    result = canonical_url(text)
    if not is_absolute_http(text):
        assert result == text.strip()


@FAST
@given(URLS)
def test_shape_of_canonical_urls(url: str) -> None:
    result = canonical_url(url)
    assert result.startswith("https://")
    assert "#" not in result
    assert not re.search("%25[0-9a-f]{2}", result, re.IGNORECASE)
    assert canonical_url("http" + url[url.index(":") :]) == result  # scheme does not matter


def test_a_link_under_an_international_host_gets_its_punycode() -> None:
    """The sanitizer would percent-encode the host's UTF-8 bytes (`b%C3%BCcher`),
    which no resolver reads; browsers send punycode."""
    base = "https://Bücher.example:8080/a/b"
    assert absolute("/x?q=中", base) == "https://xn--bcher-kva.example:8080/x?q=中"
    assert absolute("z", "https://u@bücher.example/a/b") == "https://u@xn--bcher-kva.example/a/z"
    assert absolute("/新闻", "https://example.org/a") == "https://example.org/新闻"


def test_a_host_where_idna_2003_and_browsers_differ_is_left_as_it_is() -> None:
    """Python's codec (IDNA 2003) turns `Straße.de` into `strasse.de`, another
    domain; browsers keep the ß (IDNA 2008). No conversion beats a wrong one."""
    from feedpub.checks import normal_url

    assert normal_url("https://Straße.de/") == ("https://straße.de/", "")
    assert absolute("/x", "https://straße.de/a") == "https://straße.de/x"


def test_a_feeds_own_url_fields_are_escaped_as_browsers_send_them() -> None:
    """A thumbnail's `url` and JSON Feed's `image` are read as written: a space, a quote
    or a backslash (the review's `image: "https://a.b/x y"`) made them invalid."""
    from feedpub.urls import escaped

    assert escaped("https://a.b/x y") == "https://a.b/x%20y"
    assert escaped('https://a.b/"><x\\\x01') == "https://a.b/%22%3E%3Cx%5C"
    assert escaped("https://例子.中国/新闻?q=|") == "https://例子.中国/新闻?q=|"
