"""Edits of a parsed body that lxml lacks, for the cleaner (`html`): elements dropped
with their text's tail kept, many at once, the wrappers left empty collapsed, and a
headline that repeats the title."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

# Elements that show something even when empty.
_VISIBLE_EMPTY = {"img", "video", "audio", "iframe", "br", "hr", "source", "td", "th"}
_SPACERS = {"p", "div"}  # empty but for line breaks: a blank gap (see `collapse_empty`)
_BLOCK_LEVEL = {  # what a spacer may stand between
    *("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "li", "blockquote"),
    *("table", "figure", "pre", "hr", "section", "article", "header", "footer", "aside"),
}
_BLANK = " \t\n\r\f\v\u00a0\u200b\u3000\ufeff"
_MEDIA = ("img", "picture", "video", "audio", "iframe", "object", "embed", "svg", "canvas")


def drop(node: Any) -> None:
    """Remove `node` and its subtree, keeping the text that follows it."""
    parent = node.getparent()
    if parent is None:
        return
    if node.tail:
        previous = node.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + node.tail
        else:
            previous.tail = (previous.tail or "") + node.tail
    parent.remove(node)


def drop_all(body: Any, nodes: Iterable[Any]) -> None:
    """`_drop` each of `nodes` at once: one by one, each drop lengthened the tail of
    the one before, in quadratic time and memory (60,000 empty spans: 3.5 GB)."""
    for node in nodes:
        if isinstance(node.tag, str):
            node.tag = "feedpub-gone"  # no HTML element's name
        else:  # a comment: no name to mark it by
            drop(node)
    etree.strip_elements(body, "feedpub-gone", with_tail=False)


def collapse_empty(body: Any) -> None:
    """Remove elements left with no text and nothing visible, innermost first.

    Walking the elements backwards reaches every child before its parent, so
    wrappers that only held empty wrappers go too: an element is empty when all its
    children go and its text, with their tails, is blank. (8x faster than
    repeating an XPath query for empty leaves.) A paragraph or a division of line
    breaks alone between blocks is a spacer (Matters' `<p><br></p>`, 1,875 in the
    corpus's feeds: a reader shows each as a blank gap) and goes too."""
    gone: set[Any] = set()  # lxml keeps one proxy per element while `walk` holds it
    walk = list(body.iterdescendants())
    for element in reversed(walk):
        text = element.text
        if element.tag in _VISIBLE_EMPTY:
            continue
        kept = len(element) and any(c not in gone for c in element)
        if kept and (element.tag not in _SPACERS or not _spacer(element, gone)):
            continue
        if len(element):
            text = (text or "") + "".join(c.tail or "" for c in element)
        if not text or not text.strip(_BLANK):
            gone.add(element)
    if gone:
        drop_all(body, (e for e in walk if e in gone))


def _spacer(element: Any, gone: set[Any]) -> bool:
    """Whether `element` (a `<p>` or `<div>`) holds line breaks alone and stands between
    blocks, so that no text is joined when it goes (`第一段<div><br></div>第二段` keeps it)."""
    if any(c not in gone and c.tag != "br" for c in element) or (element.tail or "").strip(_BLANK):
        return False
    before, after = element.getprevious(), element.getnext()
    if before is None:
        beside = (element.getparent().text or "").strip(_BLANK)
    else:
        beside = before.tag not in _BLOCK_LEVEL or (before.tail or "").strip(_BLANK)
    return not beside and (after is None or after.tag in _BLOCK_LEVEL)


def drop_title(body: Any, title: str) -> None:
    """Remove what `body` starts with if it is `title` again (its letters and digits,
    case aside) and more follows: a scraped page's headline (`<h1 class="entry-title">`,
    32 corpus entries), which a reader shows above the content already. Readability
    drops such a heading too (`_headerDuplicatesTitle`)."""
    named = _letters(title)
    node = body
    while named and len(node) and not (node.text or "").strip(_BLANK):
        node = node[0]
    if node is body or not _headline(node, named):
        return
    while node.getparent() is not body and _headline(node.getparent(), named):
        node = node.getparent()
    if node.tag in _BLOCK_LEVEL and not _says(body.text_content(), named):
        drop(node)


def _headline(element: Any, named: str) -> bool:
    """Whether `element` shows the text `named` (`_letters`) and nothing else: no image,
    video or player (a featured image beside the headline, in its wrapper, stays)."""
    if not isinstance(element.tag, str) or not _says(element.text_content(), named):
        return False
    return next(element.iter(*_MEDIA), None) is None


def _says(text: str, named: str) -> bool:
    """Whether `text`'s letters and digits are `named`; a text much longer (a body's
    whole text, when its first element holds it) is not walked a character at a time."""
    return len(text) <= 2 * len(named) + 40 and _letters(text) == named


def _letters(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


# HTML elements that end an `<svg>` or `<math>` they stand in, for a browser (the HTML
# standard's "breakout" start tags in foreign content).
_BREAKOUT = frozenset((
    "b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em",
    "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing",
    "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong",
    "strike", "sub", "sup", "table", "tt", "u", "ul", "var",
))  # fmt: skip


def break_out(body: Any) -> None:
    """What follows the first HTML block or phrase in an `<svg>` or `<math>`, moved
    out after it, as a browser reads it: libxml2 holds all of a body that follows
    an unclosed `<svg>` in it, and the cleaner drops a drawing with what it holds."""
    for drawing in reversed(list(body.iter("svg", "math"))):
        first = next((e for e in drawing.iterdescendants() if e.tag in _BREAKOUT), None)
        if first is None:
            continue
        moved = [first, *first.itersiblings()]
        above = first.getparent()
        while above is not drawing:
            if above.tail:  # the text after an element it closed
                moved[-1].tail, above.tail = (moved[-1].tail or "") + above.tail, None
            moved += above.itersiblings()
            above = above.getparent()
        tail, drawing.tail = drawing.tail, None
        after = drawing
        for element in moved:
            after.addnext(element)  # (with its tail: the text after it)
            after = element
        after.tail = (after.tail or "") + (tail or "")
