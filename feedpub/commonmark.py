"""Markdown bodies: CommonMark to HTML, which the cleaner then treats as any body."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _markdown(references: bool) -> Any:
    """The CommonMark renderer, made on first use: most archives are HTML, and
    importing markdown-it costs a quick build 30 ms."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "linkify": False})
    return md if references else md.disable("reference")


# What reference links may add to a body: each use copies its definition's URL and
# title, so a 20 KB definition used 40,000 times made gigabytes (MemoryError).
_EXPANSION = 10_000_000


def _expands(text: str) -> bool:
    """Whether `text`'s reference links could copy more than _EXPANSION characters
    (as written out: `&` as `&amp;`, a title's `"` as `&quot;`)."""
    from markdown_it.common.utils import escapeHtml

    env: dict[str, Any] = {}
    md = _markdown(True)
    md.block.parse(text, md, env, [])
    found = env.get("references", {}).values()
    size = (len(escapeHtml(r["href"])) + len(escapeHtml(r.get("title") or "")) for r in found)
    return max(size, default=0) * text.count("]") > _EXPANSION


def render_markdown(text: str) -> str:
    """CommonMark to HTML; raw HTML blocks pass through, since most bodies are HTML."""
    references = "]:" not in text or not _expands(text)  # else they stay as written
    markup: str = _markdown(references).render(text)
    return markup
