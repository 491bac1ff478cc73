"""Web addresses written as text in a body made links, as GitHub's extended autolinks
and Hugo's Linkify make them: a video's description scraped as text holds its
links as bare `https://…` (1,755 of the society archive's 3,104 entries), which a
feed reader shows as text no one can click.

What a link is follows GFM's extended autolinks (an `http://`, `https://` or `www.`
address of a domain with a dot; trailing punctuation, unbalanced parentheses and
brackets are the sentence's), with rules for scraped text that lost its line
breaks: a link is ASCII, so it ends where CJK text is glued to it, and it ends
before what _GLUED and _LABELS tell is glued to it. Each is a guess the corpus
bears out; about 30 of the 724 addresses in its feeds still hold a glued word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from lxml import etree

from .urls import MAX_URL, absolute

# An address starts with its scheme, or `www.` where an ASCII word does not (not
# "awww.", an e-mail's "@www."; "官网www." is one); it is ASCII, but `"`, `<` and `>`.
_CANDIDATE = re.compile(r"(?:https?://|(?<![A-Za-z0-9_.@-])www\.)[!#-;=?-~]+", re.I)
_NEXT_LINK = re.compile(r"(?<=[A-Za-z0-9:)])https?://", re.I)  # glued to the one before
_HOST = re.compile(r"(?:[A-Za-z0-9_-]+\.)+[A-Za-z0-9_-]+(?::[0-9]{1,5})?(?=[/?#]|\Z)")
# Where text lost its line breaks, what is glued to the end of a link (besides the next
# link: "…Oqhttps://t.me/…", "iOS:https://…Android:https://…"): a rule drawn of
# characters, a word glued to a host's last name ("blogspot.comTwitter": domains are
# written in lower case), to a video's id, or to a path if it is one of the names
# and calls a video's description puts before its links ("…/serpentzaPayPal",
# "…/EducatorKlausFollow"), glued to a name ("…/advpodcastsSupport": 50 in the
# corpus, where no account's name ended so; twitter.com/AppleSupport is cut too) or
# a path's segment of its own if a colon follows ("…/Instagram: https://…"), or
# another segment comes before it and the next address after it is on the site it
# names ("facebook.com/isuntvvr/Twitter  https://twitter.com/…": not
# en.wikipedia.org/wiki/Bitcoin, before another address or none).
_LABELS = (
    "Bitcoin Discord Email Facebook Follow For Get Instagram Join Line Links Live Music Our"
    " Patreon PayPal Signal Skype Spotify Stay Subscribe Support Telegram The This TikTok"
    " Twitter Watch WeChat Weibo WhatsApp YouTube"
)
_GLUED = re.compile(
    r"(?=[-=~]{4})|\A(?i:https?://|www\.)[^/?#]*?\.[a-z]{2,}(?=[A-Z][^./?#]*(?:[/?#]|\Z))"
    r"|(?:youtu\.be/|youtube\.com/watch\?v=)[\w-]{11}(?=[\w-])"  # a video's id: 11 characters
)
_LABEL_WORDS = frozenset(
    form(w) for w in _LABELS.split() for form in (str, str.upper, str.capitalize)
)
_LONGEST_LABEL = max(map(len, _LABEL_WORDS))
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
# The address after a link, and its host (`Twitter→   https://www.twitter.com/…`).
_NEXT_ADDRESS = re.compile(r"[^\w/]{0,4}(?:https?://|(?=www\.))([^/?#\s]*)", re.I)
_AFTER = 64  # characters after a link that `_link` looks at
_TRAILING = "?!.,:;*_~'\"#"  # a sentence's, not the link's (GFM's; quotes, a hashtag's)
_UNLINKED = {"a", "pre", "code", "kbd", "samp", "script", "style", "textarea", "button"}
_TEXT_WITH_ADDRESS = etree.XPath(
    "descendant::text()[contains(., '://') or contains(., 'www.') or contains(., 'WWW.')]"
)


def links_in(text: str) -> Iterator[tuple[int, int, str]]:
    """Where each web address in `text` starts and ends, and the URL it links to."""
    for m in _CANDIDATE.finditer(text):
        starts = [m.start(), *(m.start() + n.start() for n in _NEXT_LINK.finditer(m[0], 1))]
        for start, stop in zip(starts, [*starts[1:], m.end()], strict=True):
            if found := _link(text[start:stop], text[stop : stop + _AFTER]):
                yield start, start + len(found[0]), found[1]


def _link(candidate: str, after: str) -> tuple[str, str] | None:
    """The part of `candidate` (`after` the few characters after it in the text) that is
    a web address, and its URL; None if none is. Digits glued to the text after it are
    its own: a video's id, a short link's code, `?sub_confirmation=1` (the summaries'
    guess that one or two are a date's, "…/chan1月18日", was wrong for 116 of the
    corpus's links and right for 28)."""
    if len(candidate) > MAX_URL:
        return None  # (a megabyte of glued addresses: no link of it, as no `from:`)
    cut = _GLUED.search(candidate)
    link = candidate[: cut.end()] if cut else candidate
    if "..." in link:
        return None  # an address shortened for show ("vimeo.com/ondemand/conquering...")
    char = after[:1]
    glued = not cut and bool(char) and not char.isascii() and not char.isspace()
    link = _trimmed(link, _TRAILING.replace("_", "") if glued else _TRAILING)
    rest = candidate[len(link) :] if not cut else ""
    colon = rest[:1] == ":" or (not rest and bool(char) and char in ":：")
    listed = None if rest else _NEXT_ADDRESS.match(after)
    if label := _label(link, colon, listed[1].casefold() if listed else ""):
        link = link[:-label]
    url = link if link[:4].lower() == "http" else f"https://{link}"
    host = _HOST.match(url, url.index("://") + 3)
    if host is None or (link[:4].lower() == "www." and host[0].count(".") < 2):
        return None  # ("www.nevergetoveryou", a song's name)
    href = absolute(url, None)
    return (link, href) if href is not None else None


def _label(link: str, colon: bool, host: str) -> int:
    """The length of the label glued to the end of `link` (see _LABELS), or 0; after a
    `/` only if a `colon` follows it, or if a segment of the path comes before it and
    the next address after it is on the site it names (one of the labels of `host`,
    casefolded: `…/isuntvvr/Twitter→ https://www.twitter.com/…`, not `…/wiki/Bitcoin
    https://…`, nor `…/a/Live https://www.deliveroo.com/`)."""
    for size in range(min(_LONGEST_LABEL, len(link) - 1), 2, -1):
        before = link[-size - 1]
        if link[-size:] not in _LABEL_WORDS:
            continue
        named = bool(host) and link[-size:].casefold() in host.split(".")
        deep = named and link.count("/", 0, -size - 1) >= (3 if "://" in link else 1)
        if before in _WORD_CHARS or (before == "/" and (colon or deep)):
            return size
    return 0


def _trimmed(link: str, trailing: str) -> str:
    """`link` without what ends the sentence around it (GFM's `trailing` punctuation, a
    hashtag's `#`, and a closing parenthesis or bracket it does not open); an `_` glued
    to the text after it is the link's (a playlist's id: "…hE_瑪力音樂台")."""
    while True:
        link = link.rstrip(trailing)
        close = link[-1:]
        if close not in (")", "]") or link.count(close) <= link.count("(" if close == ")" else "["):
            return link
        link = link[:-1]


def link_bare_urls(body: Any, html: str) -> None:
    """Make each web address in the text of `body` (parsed from `html`) a link, but in a
    link already, code, or what nh3 drops whole."""
    if not _in_text(html, "://") and not _in_text(html, "www."):
        return
    for text in _TEXT_WITH_ADDRESS(body):
        owner = text.getparent()
        inside = owner.getparent() if text.is_tail else owner
        if (
            inside is None
            or inside.tag in _UNLINKED
            or any(above.tag in _UNLINKED for above in inside.iterancestors())
        ):
            continue
        if found := list(links_in(text)):
            links = []
            for start, end, href in found:
                link = owner.makeelement("a", {"href": href})
                link.text = text[start:end]
                links.append((start, end, link))
            _insert(owner, text.is_tail, str(text), links)


def _in_text(html: str, needle: str) -> bool:
    """Whether `needle` stands in `html` outside its tags, as far as the last `<` or `>`
    before it tells (a fifth of the cost of a regular expression, and most bodies'
    addresses are all in attributes); each stretch of `html` is looked at once."""
    at, since, in_text = html.find(needle), 0, True
    while at >= 0:
        opened, closed = html.rfind("<", since, at), html.rfind(">", since, at)
        if opened >= 0 or closed >= 0:
            in_text = closed > opened
        if in_text and html[at - 2 : at] != "//":
            return True
        since = at
        at = html.find(needle, at + len(needle))
    return False


def _insert(owner: Any, tail: bool, text: str, links: list[tuple[int, int, Any]]) -> None:
    """Put `links` into `text`, the text or the tail of `owner`, each with the text after
    it as its tail (a space between two the text glued: "…/airporthttps://…" showed as
    one address), each added after the one before (an index into the parent's children
    would take a walk along them each time: 20,000 links in one paragraph took 13 s)."""
    for i, (_, end, link) in enumerate(links):
        link.tail = (text[end : links[i + 1][0]] or " ") if i + 1 < len(links) else text[end:]
    if tail:
        owner.tail = text[: links[0][0]]
        owner.addnext(links[0][2])
    else:
        owner.text = text[: links[0][0]]
        owner.insert(0, links[0][2])
    for (_, _, before), (_, _, link) in pairwise(links):
        before.addnext(link)
