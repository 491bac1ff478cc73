"""kramdown's typography, which Jekyll's Markdown applies to every post's text: curly
quotes and apostrophes, dashes, ellipses and guillemets, so that a feed reads as the
site's page. A port of kramdown's own rules (`smart_quotes.rb`, after RubyPants, and
`typographic_symbol.rb`), quirks and all: after a letter of any script a quote closes
(`说"你好"` gives `说”你好”`, as the site shows it): Ruby's `\\w` and `\\s` are
ASCII's, written out here as classes."""

from __future__ import annotations

import re

_PUNCT = r"""[!"#$%'()*+,\-./:;<=>?@\[\\\]^_`{|}~]"""
_CLOSE = r"[^ \\\t\r\n\[{(-]"  # a character after which a quote closes
# Ruby's `\\w` and `\\s`, which are ASCII's (its `\\b` is Unicode's, as Python's is).
_WORD = "[0-9A-Za-z_]"
_BLANK = " \t\n\r\f\v"
_LEFT = {'"': "\u201c", "'": "\u2018"}
_RIGHT = {'"': "\u201d", "'": "\u2019"}

# kramdown's rules, tried in this order where a quote is found (with the character
# before it, if that is not a backslash): the text each group keeps (an int), or the
# quote that a group (`left`/`right` of group 1 or 2) or a fixed string becomes.
_RULES: tuple[tuple[re.Pattern[str], tuple[int | str, ...]], ...] = tuple(
    (re.compile(pattern, re.DOTALL), parts)
    for pattern, parts in (
        (rf"(\"|')(?=[_*]{{1,2}}[^{_BLANK}])", ("left1",)),
        (rf"(\"|')(?={_PUNCT}(?!\.\.)\B)", ("right1",)),
        (rf"([{_BLANK}]?)\"'(?={_WORD})", (1, "\u201c\u2018")),  # "'Quoted' words in a quote."
        (rf"([{_BLANK}]?)'\"(?={_WORD})", (1, "\u2018\u201c")),
        (rf"([{_BLANK}]?)'(?=[0-9][0-9]s)", (1, "\u2019")),  # the '80s
        (rf"([{_BLANK}])('|\")(?={_WORD})", (1, "left2")),
        (rf"({_CLOSE})('|\")", (1, "right2")),
        (rf"(\"|')(?=[{_BLANK}]|s\b|$)", ("right1",)),  # <i>Custer</i>'s Last Stand.
        (r"(.?)'", (1, "\u2018")),
        (r'(.?)"', (1, "\u201c")),
    )
)
_SYMBOLS = {
    "---": "\u2014",
    "--": "\u2013",
    "...": "\u2026",
    "<< ": "\u00ab\u00a0",
    " >>": "\u00a0\u00bb",
    "<<": "\u00ab",
    ">>": "\u00bb",
}
# Where the next quote (with the character before it) or symbol starts; a quote first
# where both could (kramdown tries its quotes' parser before its symbols'). A quote
# after a backslash, or after a character that starts another element, sees none:
# kramdown's parser took that one, as text, when the element was not there.
_NEXT = re.compile(
    r"""(?P<quote>[^\\*_\[`<]?["'])|(?P<symbol>---|--|\.\.\.|<< | >>|<<|>>)""", re.DOTALL
)
_ANY = re.compile(r"""["']|--|\.\.\.|<<|>>""")


def smarten(text: str, before: str = "", after: str = "") -> str:
    """`text` with kramdown's typography. `before` is the character kramdown would see
    before it in the same run of text ("" where another element ends), `after` the
    first few characters of what follows it ("" at the end of a paragraph)."""
    if not _ANY.search(text):
        return text
    source = before + text + after
    end = len(before) + len(text)
    parts: list[str] = []
    at = 0
    while (found := _NEXT.search(source, at, end)) is not None:
        parts.append(source[at : found.start()])
        if (symbol := found["symbol"]) is not None:
            parts.append(_SYMBOLS[symbol])
            at = found.end()
        else:
            at = _quote(source, found.start(), end, parts)
    parts.append(source[at:end])
    return "".join(parts)[len(before) :]


def _quote(source: str, start: int, end: int, parts: list[str]) -> int:
    """Apply the first of kramdown's rules that matches at `start` (a quote, or the
    character before one); return where the text after what it took starts."""
    for rule, made in _RULES:
        found = rule.match(source, start)
        if found is None or found.end() > end:
            continue
        for part in made:
            if isinstance(part, int):
                parts.append(found[part])
            elif part in ("left1", "right1", "left2", "right2"):
                quote = found[int(part[-1])]
                parts.append((_LEFT if part[0] == "l" else _RIGHT)[quote])
            else:
                parts.append(part)
        return found.end()
    parts.append(source[start])  # (the last two rules take any quote: a safe default)
    return start + 1
