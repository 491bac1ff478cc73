"""Markdown bodies to HTML, which the cleaner then treats as any body: CommonMark, with
what kramdown (Jekyll's Markdown) adds that blogs use: tables, footnotes, definition
lists, and attribute lists (`{: .notice}`, `{:toc}`, `## Title {#id}`), dropped: they
tell the site's styles, and CommonMark would print them as text."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# A line of attribute lists alone (`{: .notice--info}`, `{:toc}`), or one ending a
# heading (`## Title {#title}`).
_ATTRIBUTE_LINE = re.compile(r"^ {0,3}(?:\{:[^}\n]*\}[ \t]*)+$\n?", re.M)
_ATTRIBUTE_END = re.compile(r"[ \t]*\{(?::[^}\n]*|#[\w-]+)\}[ \t]*\Z")


@cache
def _markdown(references: bool) -> Any:
    """The renderer, made on first use: most archives are HTML, and importing
    markdown-it costs a quick build 30 ms."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")
    md.use(footnote_plugin).use(deflist_plugin)
    md.core.ruler.after("block", "attribute_lists", _drop_attribute_lists)
    return md if references else md.disable("reference")


def _drop_attribute_lists(state: Any) -> None:
    """kramdown's attribute lists out of the text of every block (not code: it is no
    inline text); a `{:toc}` takes the list it makes a table of contents of with it."""
    before = None
    for token in state.tokens:
        if token.type == "inline" and "{" in token.content:
            if "{:toc}" in token.content:
                token.content = ""  # `* TOC` then `{:toc}`: an item the cleaner drops
                continue
            token.content = _ATTRIBUTE_LINE.sub("", token.content).rstrip("\n")
            if before is not None and before.type == "heading_open":
                token.content = _ATTRIBUTE_END.sub("", token.content)
        before = token


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
