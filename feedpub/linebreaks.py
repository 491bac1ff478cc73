"""A line break between two Chinese or Japanese words shown as CSS Text 3 says: as nothing.

A scraper's pretty-printed HTML breaks the line around every link and phrase
(`收纳在\\n  <a>\\n  列表</a>`), and Markdown written by hand breaks its lines
where its author likes. CSS removes a line break between two wide characters,
but Chromium, and most feed readers with it, shows it as a space between the
words: the feeds remove it themselves (as Hugo's `eastAsianLineBreaks` does).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from unicodedata import east_asian_width

# Phrasing elements, which a line of text flows through: the break between `在` and
# `列` above is one, across the `<a>`. Any other element ends the line.
_INLINE = (
    "a|abbr|b|bdi|bdo|big|cite|code|data|del|dfn|em|font|i|ins|kbd|label|mark|nobr|q|s"
    "|samp|small|span|strike|strong|sub|sup|time|tt|u|var"
)
_REVERSED = "|".join(name[::-1] for name in _INLINE.split("|"))
_MAYBE_WIDE = "[\u1100-\U0010ffff]"  # (tested by `_wide`)
# A run of blanks and phrasing tags from its first line break on, and the character
# after it if it may be wide; searched in the text (the run's end) and in the text
# reversed (its start). Each run is matched once, from a line break: a pattern that
# starts with one is searched at C speed, and the possessive `*+` gives each run one
# match (a run it cannot end at a wide character would be tried again from each of
# its line breaks, in quadratic time).
_AFTER = re.compile(rf"\n(?:[ \t\r\n\f]|</?(?:{_INLINE})(?:\s[^>]*)?>)*+({_MAYBE_WIDE})?")
_BEFORE = re.compile(rf"\n(?:[ \t\r\n\f]|>(?:[^<]*\s)?(?:{_REVERSED})/?<)*+({_MAYBE_WIDE})?")
_PHRASING = re.compile(rf"</?(?:{_INLINE})[\s>]")
_PRE = re.compile(r"<(/?)pre\b[^>]*>")  # as written: its breaks are lines
_BLANK_OR_TAG = re.compile(r"(<[^>]*>)|[ \t\r\n\f]+")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff\uffa0-\uffdc]")


def joined(html: str) -> str:
    """`html`, as `html._sanitize` writes it (a `<` or `>` only ever delimits a tag: text
    and attribute values have theirs escaped), without its line breaks between two wide
    characters, and the blanks beside them, outside `<pre>`."""
    if "\n" not in html:
        return html
    if "<pre" not in html:
        return _joined(html)
    parts: list[str] = []
    at = 0
    for start, end in _outside_pre(html):
        parts += (html[at:start], _joined(html[start:end]))
        at = end
    return "".join(parts) + html[at:]


def _outside_pre(html: str) -> list[tuple[int, int]]:
    """The spans of `html` outside its `<pre>` elements (which may nest)."""
    spans: list[tuple[int, int]] = []
    depth = start = 0
    for tag in _PRE.finditer(html):
        if not tag[1]:
            if not depth:
                spans.append((start, tag.start()))
            depth += 1
        elif depth:
            depth -= 1
            start = tag.end()
    if not depth:
        spans.append((start, len(html)))
    return spans


def _joined(html: str) -> str:
    breaks = [b for b in _AFTER.finditer(html) if b[1] and _wide(b[1]) and _after(html, b.start())]
    if not breaks:
        return html
    # Where each run ending in a line break after a wide character starts, and where
    # its last line break ends.
    size, starts, ends = len(html), [], []
    for found in _BEFORE.finditer(html[::-1]):
        if found[1] and _wide(found[1]):
            starts.append(size - found.start(1))
            ends.append(size - found.start())
    starts.reverse()
    ends.reverse()
    kept: list[str] = []
    at = seen = 0
    opened = closed = -1  # where the last `<` and `>` before `seen` are
    for found in breaks:
        first = found.start()
        opened = max(opened, html.rfind("<", seen, first))
        closed = max(closed, html.rfind(">", seen, first))
        seen = first
        if opened > closed:
            continue  # in an attribute's value
        n = bisect_right(starts, first) - 1
        if n < 0 or ends[n] <= first or starts[n] < at:
            continue  # (no wide character before it)
        start, end = starts[n], found.start(1)
        kept += (html[at:start], _BLANK_OR_TAG.sub(_tag, html[start:end]))
        at = end
    return "".join(kept) + html[at:] if kept else html


def _after(html: str, first: int) -> bool:
    """Whether the run whose first line break is at `first` may follow a wide character,
    told by the character before it (a block's start tag, most often: `<div>\n…`)."""
    before = html[first - 1] if first else "\0"
    if before == ">":
        return _PHRASING.match(html, html.rfind("<", 0, first)) is not None
    return before in " \t\r\f" or _wide(before)


def _tag(part: re.Match[str]) -> str:
    return part[1] or ""


def _wide(char: str) -> bool:
    """Whether a line break beside `char` and another such shows as nothing: a wide
    character that is no Hangul (Korean puts spaces between its words)."""
    return east_asian_width(char) in "FWH" and not _HANGUL.match(char)
