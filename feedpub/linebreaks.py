"""A line break between two Chinese or Japanese words shown as CSS Text 3 says: as nothing.

A scraper's pretty-printed HTML breaks the line around every link and phrase
(`收纳在\\n  <a>\\n  列表</a>`), and Markdown written by hand breaks its lines
where its author likes. CSS removes a line break between two wide characters,
but Chromium, and most feed readers with it, shows it as a space between the
words: the feeds remove it themselves (as Hugo's `eastAsianLineBreaks` does).
So they do beside a full-width bracket or mark, whatever is on its other side: no
text puts a space there, and the scraped `（\\n16\\n）日` and `《\\nOxu.Az\\n》` read
as `（ 16 ）日` (a reader's review: 97 corpus entries). So they do after an opening
curly quote and before a closing one where the break is a tag's, as a scraper
pretty-prints `“\\n<a>Hello</a>\\n”`; in text (German closes a quote with `“`,
Swedish opens one with `”`, English writes `’90s`) only beside a wide character.
A `<pre>` of prose, not code, is a paragraph.
"""

from __future__ import annotations

import re
from html import unescape
from unicodedata import east_asian_width

# Phrasing elements, which a line of text flows through: the break between `在` and
# `列` above is one, across the `<a>`. Any other element ends the line.
_INLINE = (
    "a|abbr|b|bdi|bdo|big|cite|code|data|del|dfn|em|font|i|ins|kbd|label|mark|nobr|q|s"
    "|samp|small|span|strike|strong|sub|sup|time|tt|u|var"
)
_TEXT = "[^ \t\r\n\f<>]"  # (tested by `_joins`)
# Full-width and CJK brackets and marks, whose glyphs hold their own space: a line
# break beside one is nothing (not beside `«»`: French spaces them).
_FULL_WIDTH = frozenset("（）［］｛｝｟｠《》〈〉「」『』【】〔〕〖〗〘〙〚〛、。，．；：！？")
_QUOTES = frozenset("“”‘’")
_BEFORE = _FULL_WIDTH | _QUOTES  # (a run before one may join whatever is before it)
_JOINING_CHAR = re.compile(f"[{''.join(sorted(_FULL_WIDTH))}“‘]")  # (what joins anything)
# A run of blanks and phrasing tags from its first line break on, and the character
# after it (the blanks and tags before it, back to the text, are `_text_before`'s).
# Each run is matched once, from a line break: a pattern that starts with one is
# searched at C speed, and the possessive `*+` gives each run one match (else a run
# would be tried again from each of its line breaks, in quadratic time).
_AFTER = re.compile(rf"\n(?:[ \t\r\n\f]|</?(?:{_INLINE})(?:\s[^>]*)?>)*+({_TEXT})?")
_PHRASING = re.compile(rf"</?(?:{_INLINE})[\s>]")
_PRE = re.compile(r"<(/?)pre\b[^>]*>")  # as written: its breaks are lines
_PRE_BLOCK = re.compile(r"<pre>(.*?)</pre>", re.S)  # (nh3 keeps no attribute of one)
# What code has and prose has not: braces, `;`, `=`, `<`, `$`, `()`, a line begun
# with a keyword of a programming language or of a shell.
_CODE = re.compile(
    r"[{};=$<>]|\(\)|^\s*(?:def|import|class|return|function|var|let|const|#include)\b", re.M
)
_TAG = re.compile(r"<[^>]*>")
_WIDE_LINE = 48  # columns: a phone shows about 22 CJK characters a line
_BLANK_OR_TAG = re.compile(r"(<[^>]*>)|[ \t\r\n\f]+")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff\uffa0-\uffdc]")


def joined(html: str) -> str:
    """`html`, as `html._sanitize` writes it (a `<` or `>` only ever delimits a tag: text
    and attribute values have theirs escaped), without its line breaks between two wide
    characters, after an opening or before a closing mark (`_joins`), and the blanks
    beside them, outside `<pre>`; a `<pre>` of prose is a paragraph (`prose`)."""
    if "<pre" in html:
        html = _PRE_BLOCK.sub(_prose, html)
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


def _prose(pre: re.Match[str]) -> str:
    """A `<pre>` of prose as a paragraph, its lines ended by `<br>`: Matters' editor
    (Quill) gives prose a code block's `pre.ql-syntax`, and a phone's reader scrolled
    sideways along a paragraph's one line (a reader's review: 81 corpus entries). Prose
    is at least half CJK (the Chinese comments of the corpus's 25 blocks of code are
    less), holds none of the marks of code (`_CODE`), and has a line wider than a
    phone (_WIDE_LINE columns, a CJK character two)."""
    inner = pre[1]
    text = unescape(_TAG.sub("", inner))
    if "<pre" in inner or _CODE.search(text):
        return pre[0]
    chars = "".join(text.split())
    if sum(map(_wide, chars)) * 2 < len(chars) or not chars:
        return pre[0]
    if max(map(_columns, text.split("\n"))) < _WIDE_LINE:
        return pre[0]  # (short lines, a poem's or a list's: as written, on any screen)
    return "<p>" + inner.strip("\n").replace("\n", "<br>\n") + "</p>"


def _columns(line: str) -> int:
    return len(line) + sum(map(_wide, line))


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
    marks = _JOINING_CHAR.search(html) is not None  # (else text after a run must be wide)
    breaks = [
        b
        for b in _AFTER.finditer(html)
        if b[1] and (b[1] in _BEFORE or ((marks or _wide(b[1])) and _after(html, b)))
    ]
    if not breaks:
        return html
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
        text = _text_before(html, first)
        end = found.start(1)
        if text < at or not _joins(html[text], found[1], _quoted(html, text, end)):
            continue  # (no text before it that joins the text after it)
        kept += (html[at : text + 1], _BLANK_OR_TAG.sub(_tag, html[text + 1 : end]))
        at = end
    return "".join(kept) + html[at:] if kept else html


def _text_before(html: str, first: int) -> int:
    """Where the character of text before the run whose first line break is at `first`
    is, past its blanks and phrasing tags; -1 if another tag, or nothing, is first."""
    i = first - 1
    while i >= 0:
        if html[i] in " \t\r\f":
            i -= 1
        elif html[i] == ">":
            i = html.rfind("<", 0, i)
            if i < 0 or not _PHRASING.match(html, i):
                return -1
            i -= 1
        else:
            return i
    return -1


def _after(html: str, run: re.Match[str]) -> bool:
    """Whether the `run` may join the text before it to the character after it, told by
    the character before its first line break (a block's start tag, most often:
    `<div>\n…`); a first sift, which a run with a tag passes as if quoted (`_joined`
    tells it with `_quoted`)."""
    first = run.start()
    before = html[first - 1] if first else "\0"
    if before == ">":
        return _PHRASING.match(html, html.rfind("<", 0, first)) is not None
    return before in " \t\r\f" or _joins(before, run[1], "<" in run[0])


def _quoted(html: str, text: int, end: int) -> bool:
    """Whether the run from `text` (the character before it) to `end` (the one after
    it) holds a tag, and a quote beside it opens or closes as a scraper's pretty-printed
    `said “\\n<a>Hello</a>\\n” to` and `使用了“\\n</span><span>VPN` do: after a wide
    character or none of a word, or before one (not German's closing `„Hallo“\\n<a>hier`,
    nor `the\\n<a>’90s`)."""
    if "<" not in html[text:end]:
        return False
    if html[text] in "“‘" and _apart(html[text - 1 : text]):
        return True
    return html[end] in "”’" and _apart(html[end + 1 : end + 2])


def _apart(char: str) -> bool:
    """Whether a quote beside `char` stands apart from a word of spaced script."""
    return not char.isalnum() or _wide(char)


def _joins(before: str, after: str, quoted: bool = False) -> bool:
    """Whether a line break between the characters `before` and `after` shows as nothing:
    two wide characters (a curly quote beside a wide one is wide: CJK fonts draw it so),
    a full-width mark beside anything, or, across a `quoted` run (`_quoted`), an
    opening quote before anything and a closing one after it."""
    if before in _FULL_WIDTH or after in _FULL_WIDTH:
        return True
    if quoted and (before in "“‘" or after in "”’"):
        return True
    if _wide(before):
        return _wide(after) or after in _QUOTES
    return before in _QUOTES and _wide(after)


def _tag(part: re.Match[str]) -> str:
    return part[1] or ""


def _wide(char: str) -> bool:
    """Whether a line break beside `char` and another such shows as nothing: a wide
    character that is no Hangul (Korean puts spaces between its words)."""
    return east_asian_width(char) in "FWH" and not _HANGUL.match(char)
