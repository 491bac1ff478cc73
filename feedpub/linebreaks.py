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
from unicodedata import category, east_asian_width

# Phrasing elements, which a line of text flows through: the break between `在` and
# `列` above is one, across the `<a>`. Any other element ends the line.
_INLINE = (
    "a|abbr|b|bdi|bdo|big|cite|code|data|del|dfn|em|font|i|ins|kbd|label|mark|nobr|q|s"
    "|samp|small|span|strike|strong|sub|sup|time|tt|u|var"
)
_MAYBE_WIDE = "[\u00a1\u00a7\u00b6\u00b7\u00bf\u1100-\U0010ffff]"  # tested by `_joins`
# A line break, then blanks and phrasing tags up to a wide character, searched in the
# text (the breaks before a wide character) and in the text reversed (after one): a
# pattern that starts with a line break is searched at C speed, one that starts with
# any CJK character is tried at every character of a Chinese post.
_AFTER = re.compile(rf"\n(?:[ \t\r\n\f]|</?(?:{_INLINE})(?:\s[^>]*)?>)*(?={_MAYBE_WIDE})")
_REVERSED = "|".join(name[::-1] for name in _INLINE.split("|"))
_BEFORE = re.compile(rf"\n(?:[ \t\r\n\f]|>(?:[^<]*\s)?(?:{_REVERSED})/?<)*(?={_MAYBE_WIDE})")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL)  # as written: its breaks are lines
_BLANK_OR_TAG = re.compile(r"(<[^>]*>)|[ \t\r\n\f]+")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff\uffa0-\uffdc]")


def joined(html: str) -> str:
    """`html` (serialized: `<` only starts tags) without its line breaks between wide
    characters, and the blanks beside them, outside `<pre>`."""
    if "\n" not in html:
        return html
    if "<pre" not in html:
        return _joined(html)
    parts = _PRE.split(html)
    return "".join(p if n % 2 else _joined(p) for n, p in enumerate(parts))


def _joined(html: str) -> str:
    breaks = list(_AFTER.finditer(html))
    if not breaks:
        return html
    # Where each run of blanks and tags before a line break starts (after a wide
    # character), and where its last line break ends.
    size, starts, ends = len(html), [], []
    for found in _BEFORE.finditer(html[::-1]):
        starts.append(size - found.end())
        ends.append(size - found.start())
    starts.reverse()
    ends.reverse()
    kept: list[str] = []
    at = 0
    for found in breaks:
        n = bisect_right(starts, found.start()) - 1
        if n < 0 or ends[n] <= found.start():  # a line break after no wide character
            continue
        start, end = starts[n], found.end()
        if _joins(html[start - 1], html[end]):
            kept += (html[at:start], _BLANK_OR_TAG.sub(_tag, html[start:end]))
            at = end
    return "".join(kept) + html[at:] if kept else html


def _tag(part: re.Match[str]) -> str:
    return part[1] or ""


def _joins(before: str, after: str) -> bool:
    """Whether a line break between `before` and `after` shows as nothing: between two
    wide characters, neither of them Hangul (Korean puts spaces between its words).
    Punctuation of ambiguous width (`“”…—`) is wide beside a wide character: a
    Chinese font draws it so."""
    wide_before, wide_after = _wide(before), _wide(after)
    if wide_before and wide_after:
        return True
    return (wide_before and _wide_punctuation(after)) or (wide_after and _wide_punctuation(before))


def _wide(char: str) -> bool:
    return east_asian_width(char) in "FWH" and not _HANGUL.match(char)


def _wide_punctuation(char: str) -> bool:
    return east_asian_width(char) == "A" and category(char)[0] == "P"
