"""Emphasis in Markdown bodies: markdown-it's rule with the CommonMark CJK-friendly
amendment's delimiter runs (github.com/tats-u/markdown-cjk-friendly, GitLab's and
Markdig's), so that Chinese and Japanese emphasis reads as kramdown makes it."""

from __future__ import annotations

import unicodedata
from typing import Any


def emphasis(delimiter: Any, state: Any, silent: bool) -> bool:
    """markdown-it's emphasis rule with the CommonMark CJK-friendly amendment's
    delimiter runs (github.com/tats-u/markdown-cjk-friendly, GitLab's and Markdig's):
    `**不能这样。**我觉得` is bold, as kramdown makes it, not four stray asterisks
    (CommonMark's `**` cannot close after `。` before a letter)."""
    start, marker = state.pos, state.src[state.pos]
    if silent or marker not in "*_":
        return False
    can_open, can_close, length = _delimiters(state.src, start, state.posMax, marker == "*")
    for _ in range(length):
        token = state.push("text", "", 0)
        token.content = marker
        opened = (ord(marker), length, len(state.tokens) - 1, -1, can_open, can_close)
        state.delimiters.append(delimiter(*opened))
    state.pos += length
    return True


def _delimiters(src: str, start: int, end: int, star: bool) -> tuple[bool, bool, int]:
    """Whether the run of markers at `start` can open and close emphasis, and its length
    (`StateInline.scanDelims`, but a CJK character beside a `*` run lets it flank)."""
    from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace

    pos = start
    while pos < end and src[pos] == src[start]:
        pos += 1
    last = src[start - 1] if start else " "
    before = src[start - 2] if start > 1 else " "  # a variation selector's base
    after = src[pos] if pos < end else " "
    varied = "\ufe00" <= last <= "\ufe0e" and unicodedata.category(before) != "Zs"
    main = before if varied else last
    if isWhiteSpace(ord(main)) or isWhiteSpace(ord(after)):
        return not isWhiteSpace(ord(after)), not isWhiteSpace(ord(main)), pos - start
    last_punct = isMdAsciiPunct(ord(main)) or isPunctChar(main)
    next_punct = isMdAsciiPunct(ord(after)) or isPunctChar(after)
    left, right = last_punct, next_punct
    if star:
        if varied:  # a left-justified fullwidth quotation mark: `“` + U+FE01
            cjk = _cjk(before)
            beside = cjk if cjk is not None else last == "\ufe01" and before in "‘’“”"
        else:
            cjk = _cjk(last)
            beside = cjk if cjk is not None else "\U000e0100" <= last <= "\U000e01ef"
        beside = beside or _cjk(after) is True
        left = left or beside or not next_punct
        right = right or beside or not last_punct
    return left, right, pos - start


def _cjk(char: str) -> bool | None:
    """Whether `char` is Chinese, Japanese or Korean by its East Asian width (wide but
    not an emoji, full- or halfwidth, a Hangul filler); None if ambiguous."""
    if char < "\u1100":
        return False
    width = unicodedata.east_asian_width(char)
    if width in ("F", "H"):
        return True
    if width == "W":  # emoji are wide: most are in these blocks, but squared CJK (🈂)
        emoji = "\U0001f000" <= char <= "\U0001faff" or "\u2300" <= char <= "\u2bff"
        return not emoji or "\U0001f200" <= char <= "\U0001f2ff" or char in "\u2329\u232a"
    if width == "A":
        return None
    return "\u1160" <= char <= "\u11ff" or "\ud7b0" <= char <= "\ud7ff"  # Hangul, neutral
