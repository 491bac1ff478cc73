"""Web addresses written as text in a body made links, as GitHub's extended autolinks
and Hugo's Linkify make them: a video's description scraped as text holds its
links as bare `https://…` (1,755 of the society archive's 3,104 entries), which a
feed reader shows as text no one can click.

What a link is follows GFM's extended autolinks (an `http://`, `https://` or `www.`
address of a domain with a dot; trailing punctuation, unbalanced parentheses and
brackets are the sentence's), with two rules for scraped text that lost its line
breaks: a link is ASCII, so it ends where CJK text is glued to it, and it ends
before a rule drawn of characters (`https://bit.ly/x=====`), or one or two digits
glued to text after it (a date's "…/chan1月18日", a list's "…/support1，").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .urls import absolute

_CANDIDATE = re.compile(r"(?:https?://|www\.)[!#-;=?-~]+", re.I)  # ASCII: no `"`, `<`, `>`
_NEXT_LINK = re.compile(r"(?<=[A-Za-z0-9])https?://", re.I)  # glued to the one before
_HOST = re.compile(r"(?:[A-Za-z0-9_-]+\.)+[A-Za-z0-9_-]+(?::[0-9]{1,5})?(?=[/?#]|\Z)")
# Where text lost its line breaks, what is glued to the end of a link (besides the next
# link: "…Oqhttps://t.me/…"): a rule drawn of characters, a word glued
# to a host's domain ("blogspot.comTwitter": domains are written in lower case), to a
# video's id, or to a path if it is one of the labels a video's description puts
# before its links ("…/serpentzaPayPal").
_LABELS = (
    "Bitcoin Blog Check Contact Discord Donate Email Facebook Follow For Get Instagram Join Line"
    " Links Live Merch Music Our Patreon PayPal Podcast Shop Signal Skype Spotify Stay Store"
    " Subscribe Support Telegram The This TikTok Twitter Watch Website WeChat Weibo WhatsApp"
    " YouTube"
)
_GLUED = re.compile(
    r"(?=[-=~]{4})|\A(?i:https?://|www\.)[^/?#]*?\.[a-z]{2,}(?=[A-Z])"
    r"|(?:youtu\.be/|youtube\.com/watch\?v=)[\w-]{11}(?=[\w-])"  # a video's id: 11 characters
)
_LABEL_WORDS = frozenset(
    form(w) for w in _LABELS.split() for form in (str, str.upper, str.capitalize)
)
_LONGEST_LABEL = max(map(len, _LABEL_WORDS))
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_TRAILING = "?!.,:;*_~'\"#"  # a sentence's, not the link's (GFM's; quotes, a hashtag's)
_GLUED_DIGITS = 2
_UNLINKED = {"a", "pre", "code", "kbd", "samp", "script", "style", "textarea", "button"}
_TEXT_WITH_ADDRESS = etree.XPath(
    "descendant::text()[contains(., '://') or contains(., 'www.') or contains(., 'WWW.')]"
)


def links_in(text: str) -> Iterator[tuple[int, int, str]]:
    """Where each web address in `text` starts and ends, and the URL it links to."""
    for m in _CANDIDATE.finditer(text):
        starts = [m.start(), *(m.start() + n.start() for n in _NEXT_LINK.finditer(m[0], 1))]
        for start, stop in zip(starts, [*starts[1:], m.end()], strict=True):
            after = text[stop : stop + 1] if stop == m.end() else ""
            if found := _link(text[start:stop], after):
                yield start, start + len(found[0]), found[1]


def _link(link: str, after: str) -> tuple[str, str] | None:
    """The part of `link`, a candidate followed by `after` in the text, that is a web
    address, and its URL; None if none is."""
    if "..." in link:
        return None  # an address shortened for show ("vimeo.com/ondemand/conquering...")
    cut = _GLUED.search(link)
    link = _trimmed(link[: cut.end()] if cut else link)
    if label := _label(link):
        link = link[:-label]
    elif not cut and after and not after.isascii():
        unnumbered = link.rstrip("0123456789")  # a date's or a list's number glued to
        if len(link) - len(unnumbered) <= _GLUED_DIGITS:  # the text after, mostly
            link = unnumbered
    url = link if link[:4].lower() == "http" else f"https://{link}"
    if not _HOST.match(url, url.index("://") + 3):
        return None
    href = absolute(url, None)
    return (link, href) if href is not None else None


def _label(link: str) -> int:
    """The length of the label glued to the end of `link` (see _LABELS), or 0."""
    for size in range(min(_LONGEST_LABEL, len(link) - 1), 2, -1):
        if link[-size:] in _LABEL_WORDS and link[-size - 1] in _WORD_CHARS:
            return size
    return 0


def _trimmed(link: str) -> str:
    """`link` without what ends the sentence around it (GFM's trailing punctuation, a
    hashtag's `#`, and a closing parenthesis or bracket it does not open)."""
    while True:
        link = link.rstrip(_TRAILING)
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
    """Whether `needle` stands in `html` outside its tags, as far as a look back to the
    nearest `<` or `>` tells (a fifth of the cost of a regular expression, and most
    bodies' addresses are all in attributes)."""
    at = html.find(needle)
    while at >= 0:
        if html.rfind(">", 0, at) >= html.rfind("<", 0, at) and html[at - 2 : at] != "//":
            return True
        at = html.find(needle, at + len(needle))
    return False


def _insert(owner: Any, tail: bool, text: str, links: list[tuple[int, int, Any]]) -> None:
    """Put `links` into `text`, the text or the tail of `owner`, each with the text after
    it as its tail."""
    head = text[: links[0][0]]
    for i, (_, end, link) in enumerate(links):
        link.tail = text[end : links[i + 1][0]] if i + 1 < len(links) else text[end:]
    if tail:
        owner.tail = head
        parent, at = owner.getparent(), owner.getparent().index(owner) + 1
    else:
        owner.text = head
        parent, at = owner, 0
    for i, (_, _, link) in enumerate(links):
        parent.insert(at + i, link)
