"""Markdown bodies to HTML, which the cleaner then treats as any body: CommonMark, with
what kramdown (Jekyll's Markdown, GFM by default) adds that blogs use: tables (their
separator lines too), strikethrough, footnotes, definition lists; and, dropped, as they
tell the site's styles or its tooltips and CommonMark would print them as text:
attribute lists (`{: .notice}`, `{:toc}`, `## Title {#id}`, `![a](b){: .right}`) and
abbreviations' definitions (`*[HTML]: HyperText Markup Language`). Its typography too:
curly quotes, dashes and ellipses (`typography`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, partial
from importlib import import_module
from typing import Any

from . import kramdown
from .emphasis import emphasis
from .typography import smarten

# A line of attribute lists alone (`{: .notice--info}`, `{:toc}`), or of an
# abbreviation's definition; or one ending a heading (`## Title {#title}`).
_ATTRIBUTE_LINE = re.compile(r"^ {0,3}(?:(?:\{:[^}\n]*\}[ \t]*)+|\*\[[^\]\n]+\]:.*)$\n?", re.M)
_ATTRIBUTE_END = re.compile(r"\{(?::[^{}\n]*|#[\w-]+)\}[ \t]*")  # matched at the last `{`
_TOC = re.compile(r"\{:\s*toc\b[^{}\n]*\}")  # `{:toc}`, `{:toc .large-only}`
# A span's attribute list, right after a link or an image (`](url)`, `][ref]`), a span
# element's end tag (`<kbd>K</kbd>`) or a code span (`_outside_code` gives what follows
# one apart: `_SPAN_ATTRIBUTES_LEAD`), which kramdown gives the attributes: Chirpy's
# `` `_config.yml`{: .filepath} ``. (Not after `_` or `*`: TeX's `W_{:,j}` is no list.)
_SPAN_NAMES = "a abbr b cite code em i kbd mark q s samp small span strong sub sup u var"
_SPAN_ENDS = "|".join(f"(?<=</{name}>)" for name in _SPAN_NAMES.split())
_SPAN_LIST = r"\{:(?![:/])[^{}\n]*(?:\n[^{}\n]*)?\}"  # a line end in it too; no extension's
_SPAN_ATTRIBUTES = re.compile(f"(?:(?<=[)\\]])|{_SPAN_ENDS}){_SPAN_LIST}")
_SPAN_ATTRIBUTES_LEAD = re.compile(_SPAN_LIST)
# A link's or an image's destination with spaces (`![a](/img/step 1.png)`): kramdown
# takes it, CommonMark's is then no link; written `<…>` it is one (not Liquid left as
# written, `({% post_url x %})`). Bounded, so that a line of `](a b c` costs no square.
_SPACED_DESTINATION = re.compile(
    r"""(?<!\\)\]\("""
    r"""([^\s()<>"'{}]{1,500}(?:[ \t]{1,10}[^\s()<>"'{}]{1,500}){1,20})"""
    r"""((?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'))?\))"""
)
_SPACED_REFERENCE = re.compile(r"(?<![\]\\])\[([^\[\]\n]*)\] \[([^\[\]\n]+)\](?![(\[:])")
# Elements whose text kramdown leaves as written (its typography does not reach it).
_RAW_START = re.compile(r"<(code|kbd|samp|var|math|script|style|pre|tt)(?=[\s>])(?![^>]*/>)", re.I)
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.M)
_NOSCRIPT = re.compile(r"<(/)?noscript(?=[\s/>])[^>]*>", re.I)
_NOT_FALLBACK = re.compile(r"<(?:img|iframe|picture|video)\b|javascript", re.I)
MAX_CELLS = 50_000  # table cells a body's tables may fill in all (`_padded`)
# Footnote references a body may make (`[^a]`): each use of a note adds a link back to
# it in the note, so 250,000 uses of one (1 MB) made 30 MB of HTML and 1.5 GB to clean.
MAX_NOTES = 5_000
_TABLE_LINE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*(?::?-+:?[ \t]*)?)+$", re.M)
_TASK = re.compile(r"\[([ xX])\][ \t]+")  # a task list item's mark: `[ ]`, `[x]`
_SEPARATOR_CELL = re.compile(r"[-=+: \t]+")  # of `|---|---|`, `|===|` (with a - or =)


def html_only(text: str, start: int = 0) -> bool:
    """Whether `text` from `start` is HTML, not Markdown: no paragraph of text (after
    a blank line) outside its block elements, as a scraped page's lines are tags or
    inside one. A Markdown post led by `<div class="message">` or an image is not."""
    found: dict[str, dict[int, int]] = {}
    at, blank = start, True
    asks = text.find("markdown", start) >= 0  # (most bodies: no block to search for one)
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        first = text[at:end].lstrip()
        if not first:
            at, blank = end + 1, True
            continue
        if first[0] != "<" and blank:
            return False
        blank = False
        block = kramdown.BLOCK_START.match(text, at)
        if block is None:
            at = end + 1
            continue
        close = kramdown.ends(text, block[1].lower(), found).get(block.start(1) - 1, end + 1)
        if asks and kramdown.asks_markdown(text, at, close):
            return False  # kramdown's `<div markdown="1">`, at any depth: Markdown inside
        at = close
    return True


@cache
def _markdown(references: bool, tables: bool = True, notes: bool = True) -> Any:
    """The renderer, made on first use: most archives are HTML, and importing
    markdown-it costs a quick build 30 ms."""
    from markdown_it import MarkdownIt
    from markdown_it.rules_block.html_block import html_block
    from markdown_it.rules_block.reference import reference
    from markdown_it.rules_inline.state_inline import Delimiter
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": True, "linkify": False})
    md.enable(["table", "strikethrough"])
    # (no inline notes, `^[x]`: kramdown has none, and they escaped MAX_NOTES)
    (md.use(footnote_plugin, inline=False) if notes else md).use(deflist_plugin)
    ends = ["paragraph", "reference", "blockquote"]  # what it may end, as CommonMark's
    md.block.ruler.before("html_block", "kramdown_html", kramdown.html_block, {"alt": ends})
    md.block.ruler.before("paragraph", "kramdown_options", kramdown.options)
    md.block.ruler.before("table", "extension", kramdown.extension_block, {"alt": ends})
    rules = import_module("markdown_it.rules_block.table")  # (the package's is its rule)
    table = partial(kramdown.table, rules.table, rules)
    md.block.ruler.at("table", table, {"alt": ["paragraph", "reference"]})
    md.block.ruler.at("html_block", partial(kramdown.not_span, html_block), {"alt": ends})
    md.block.ruler.before(
        "paragraph", "end_of_block", kramdown.end_of_block, {"alt": [*ends, "list"]}
    )
    md.block.ruler.at("reference", partial(_last_reference, reference))
    deflist = next(rule.fn for rule in md.block.ruler.__rules__ if rule.name == "deflist")
    md.block.ruler.before("deflist", "kramdown_terms", partial(kramdown.terms, deflist))
    md.add_render_rule("s_open", lambda *_: "<del>")  # as kramdown's GFM writes it
    md.add_render_rule("s_close", lambda *_: "</del>")
    md.add_render_rule("footnote_anchor_name", _footnote_name)
    md.add_render_rule("footnote_caption", _footnote_caption)
    md.add_render_rule("footnote_anchor", _footnote_anchor)
    md.core.ruler.after("block", "attribute_lists", _drop_attribute_lists)
    md.inline.ruler.before("autolink", "guillemets", _guillemets)
    md.inline.ruler.before("escape", "math", kramdown.math)
    md.inline.ruler.before("escape", "extension", kramdown.extension_span)
    md.inline.ruler.before("escape", "line_break", kramdown.line_break)
    md.inline.ruler.at("emphasis", partial(emphasis, Delimiter))
    md.core.ruler.before("text_join", "typography", _typography)  # escapes stay as written
    md.core.ruler.after("inline", "task_lists", _task_lists)
    md = md if references else md.disable("reference")
    return md if tables else md.disable("table")


def _last_reference(rule: Any, state: Any, start: int, last: int, silent: bool) -> bool:
    """markdown-it's rule of reference definitions, but the last of a label's wins, as
    in kramdown (`[CFG]: https://…` then `[cfg]: /cfg.svg`: the picture of `![g][cfg]`
    was the Wikipedia page, on blog.rust-lang.org)."""
    before = state.env.get("references", {})
    state.env["references"] = {}
    try:
        return bool(rule(state, start, last, silent))
    finally:
        before.update(state.env["references"])  # (in place: 100,000 definitions cost no square)
        state.env["references"] = before


def _without_span_attributes(text: str) -> str:
    """`text` without the attribute lists that follow a span (`_SPAN_ATTRIBUTES`), but
    in code."""
    return _outside_code(text, lambda part: _SPAN_ATTRIBUTES.sub("", part), _SPAN_ATTRIBUTES_LEAD)


def _spaced_destinations(text: str) -> str:
    """`text` with each destination that holds spaces written `<…>` (`_SPACED_DESTINATION`)
    if it is a path or a URL: `(see ](a b) here)` stays text."""
    return _SPACED_DESTINATION.sub(_spaced, text)


def _spaced(found: re.Match[str]) -> str:
    path = found[1]
    return f"](<{path}>{found[2]}" if "/" in path or "." in path else found[0]


def _spaced_reference(defined: dict[str, Any], found: re.Match[str]) -> str:
    """`[text] [ref]` as kramdown reads it, a link, if `ref` is defined (ruby-lang.org's
    `[RubyConf 2003][2] [presentation][3]`, `[respective] [announcements][x]`)."""
    from markdown_it.common.utils import normalizeReference

    return f"[{found[1]}][{found[2]}]" if normalizeReference(found[2]) in defined else found[0]


def _outside_code(
    text: str, change: Callable[[str], str], after: re.Pattern[str] | None = None
) -> str:
    """`text` with `change` made to what is not in a code span (from a run of backticks
    to the next run as long; after a run that none closes, nothing is changed), and
    what `after` matches right after a code span taken out."""
    parts, at, code = [], 0, ""
    for run in kramdown.BACKTICKS.finditer(text):
        if not code:
            parts.append(change(text[at : run.start()]))
            at, code = run.start(), run.group()
        elif run.group() == code:
            parts.append(text[at : run.end()])
            at, code = run.end(), ""
            if after is not None and (lead := after.match(text, at)):
                at = lead.end()
    parts.append(text[at:] if code else change(text[at:]))
    return "".join(parts)


def _footnote_name(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """Footnote anchors as kramdown names them (`#fn:1`, `#fnref:1`): a feed keeps no
    ids, and its links to a note lead to the site's page, where the note has that id."""
    return ":" + str(tokens[idx].meta["id"] + 1)


def _footnote_anchor(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """A note's link back as kramdown writes it: `↩` (markdown-it adds U+FE0E to it),
    and for the second mark of a note on, `↩<sup>2</sup>`, so that links back to a
    note's several marks read apart."""
    name = _footnote_name(self, tokens, idx, options, env)
    sub = tokens[idx].meta["subId"]
    if sub > 0:
        return f' <a href="#fnref{name}:{sub}">\u21a9<sup>{sub + 1}</sup></a>'
    return f' <a href="#fnref{name}">\u21a9</a>'


def _footnote_caption(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    """A note's mark as kramdown writes it: `1` (each time), not markdown-it's `[1]`."""
    return str(tokens[idx].meta["id"] + 1)


def _drop_attribute_lists(state: Any) -> None:
    """kramdown's attribute lists out of the text of every block but code (whose text
    is not inline): lines of them alone, and one ending a heading; an item of `TOC`
    then `{:toc}` goes with it (kramdown makes a table of contents of it), and so does
    a table's row of one (`{: .table}` under a table, which GFM reads as a row) or of
    dashes (kramdown's line between the parts of a table's body)."""
    before = None
    emptied = []
    for n, token in enumerate(state.tokens):
        dropped = False  # its text was an attribute list, now gone
        if token.type == "inline" and "](" in token.content and "<code" not in token.content:
            token.content = _outside_code(token.content, _spaced_destinations)
        if token.type == "inline" and "] [" in token.content and "<code" not in token.content:
            spaced = partial(_spaced_reference, state.env.get("references", {}))
            token.content = _outside_code(token.content, partial(_SPACED_REFERENCE.sub, spaced))
        if token.type == "inline" and ("{" in token.content or "*[" in token.content):
            lines = token.content.split("\n", 2)
            if len(lines) == 2 and _TOC.fullmatch(lines[1].strip()):  # `* TOC`, `{:toc}`
                token.content = ""  # the item kramdown makes a table of contents of: dropped
                continue
            token.content = _ATTRIBUTE_LINE.sub("", token.content).rstrip("\n")
            dropped = not token.content
            if "{:" in token.content:
                token.content = _without_span_attributes(token.content)
            at = token.content.rfind("{")  # only the last: a heading of `{:` costs no square
            heading = before is not None and before.type == "heading_open" and at >= 0
            if heading and _ATTRIBUTE_END.fullmatch(token.content, at):
                token.content = token.content[:at].rstrip(" \t")
        first = (
            before is not None
            and before.type == "td_open"
            and state.tokens[n - 2].type == "tr_open"
        )
        if first and (dropped or _separator(token.content)):
            emptied.append(n)  # a row's first cell
        before = token
    for n in reversed(emptied):  # its row goes if its other cells are empty too
        start, end = n - 2, n
        while end < len(state.tokens) and state.tokens[end].type != "tr_close":
            end += 1
        if all(_spare(t) for t in state.tokens[start : end + 1] if t.type == "inline"):
            del state.tokens[start : end + 1]


def _guillemets(state: Any, silent: bool) -> bool:
    """`<<` is text, as kramdown reads it (a guillemet), and never starts a tag or a
    link: `<<quoted>>` is not an element `<quoted>` between two brackets."""
    if not state.src.startswith("<<", state.pos):
        return False
    if not silent:  # markdown-it 4's appends in place (`+=` copied all of it each time)
        append = getattr(state, "append_pending", None)
        if append is None:
            state.pending += "<<"
        else:
            append("<<")
    state.pos += 2
    return True


def _task_lists(state: Any) -> None:
    """GFM's task list items (`- [x] Done`, as Chirpy's and al-folio's posts write them)
    led by ☑ or ☐: kramdown's mark is a disabled checkbox, an `<input>`, which the
    cleaner drops as readers do, and `[x]` as written reads as a typo."""
    tokens = state.tokens
    for n in range(2, len(tokens)):
        block = tokens[n]
        if block.type != "inline" or not block.children or tokens[n - 2].type != "list_item_open":
            continue
        first = block.children[0]
        if first.type == "text" and (found := _TASK.match(first.content)):
            first.content = ("☐ " if found[1] == " " else "☑ ") + first.content[found.end() :]


def _typography(state: Any) -> None:
    """kramdown's typography on the text of every inline, but code (`<code>` and its
    kin too), math, raw HTML, links written as `<URL>` and images' alt text, which
    kramdown leaves as written. kramdown parses an element's text apart, so a quote
    sees no character before it but a line's end, and the end of its element's text
    after it."""
    for block in state.tokens:
        if block.type != "inline" or not block.children or "$$" in block.content:
            continue  # (kramdown's math, `$$…$$`, is as written: its parts are no text)
        tokens = block.children
        auto, raw = False, ""  # in a `<URL>`; in an element of raw text, its name
        for n, token in enumerate(tokens):
            if token.markup == "autolink":
                auto = token.type == "link_open"
            elif token.type == "html_inline":
                if raw and token.content.lower().startswith(f"</{raw}"):
                    raw = ""
                elif not raw and (found := _RAW_START.match(token.content)):
                    raw = found[1].lower()
            elif token.type == "text" and not auto and not raw:
                before = "\n" if n and tokens[n - 1].type == "softbreak" else ""
                token.content = smarten(token.content, before, _after(tokens, n + 1))


def _after(tokens: Any, start: int) -> str:
    """The first few characters of the source after `tokens[start - 1]`, as kramdown's
    rules look ahead: up to the end of the element it is in."""
    text = ""
    for n in range(start, len(tokens)):  # (not a slice: a copy of the rest for every text)
        token = tokens[n]
        kind = token.type
        if kind.endswith("_close"):
            break
        if kind in ("softbreak", "hardbreak"):
            text += "\n"
        elif kind == "link_open":
            text += "<" if token.markup == "autolink" else "["
        elif kind in ("image", "footnote_ref"):
            text += "!" if kind == "image" else "["
        elif kind == "code_inline" or kind.endswith("_open"):
            text += token.markup + token.content
        else:  # text, raw HTML; an escape or an entity as written
            text += token.markup or token.content
        if len(text) >= 4:
            break
    return text


def _spare(cell: Any) -> bool:
    """Whether a table's cell is empty or one of kramdown's separator lines' (`|---|`)."""
    return not cell.content or _separator(cell.content)


def _separator(text: str) -> bool:
    return bool(_SEPARATOR_CELL.fullmatch(text)) and ("-" in text or "=" in text)


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


def references(text: str, start: int) -> str:
    """The definitions of reference links (`[docs]: https://…`) in `text` from `start`,
    as Jekyll adds them to an excerpt that ends before them."""
    found = _DEFINITION.findall(text, start)
    return "\n\n" + "\n".join(found) + "\n" if found else ""


def render_markdown(text: str) -> str:
    """CommonMark to HTML; raw HTML blocks pass through, since most bodies are HTML.

    An author's `<noscript>` of text or links is the fallback of a script's embed
    (asciinema's link, a gist's code): what a feed reader, which runs no script, is
    to show, so its tags go and its content stays. One with a picture or a frame (a
    lazy image's copy, a tracker's) or that asks for JavaScript (Disqus') goes whole
    in the cleaner, as a scraped page's always does."""
    references = "]:" not in text or not _expands(text)  # else they stay as written
    tables = "|" not in text or not _padded(text)  # else as text
    notes = text.count("[^") <= MAX_NOTES  # else as text
    markup: str = _markdown(references, tables, notes).render(text)
    return _fallbacks(markup) if "<noscript" in markup else markup


def _padded(text: str) -> bool:
    """Whether `text`'s tables could fill more than MAX_CELLS cells: markdown-it pads
    every row to its table's width (181 columns of rows of one letter: 7 KB of
    Markdown made 3.3 MB of HTML, 383 MB and 5 s). Each separator line's cells, by
    the lines up to the next blank line or separator, in one pass."""
    cells, lines, blank = 0, _TABLE_LINE.finditer(text), -1
    line = next(lines, None)
    while line is not None:
        after = next(lines, None)
        if blank < line.end():  # (looked for again only past the last one found)
            blank = text.find("\n\n", line.end())
            blank = len(text) if blank < 0 else blank
        stop = blank if after is None else min(blank, after.start())
        cells += (line.group().count("|") + 1) * text.count("\n", line.end(), stop)
        if cells > MAX_CELLS:
            return True
        line = after
    return False


def _fallbacks(markup: str) -> str:
    """`markup` with the tags of its text-only `<noscript>`s taken off (see
    `render_markdown`): each start tag paired with the next end tag, in one pass."""
    out, at, opened = [], 0, None
    for tag in _NOSCRIPT.finditer(markup):
        if tag[1] is None:
            opened = tag if opened is None else opened
        elif opened is not None:
            inner = markup[opened.end() : tag.start()]
            if not _NOT_FALLBACK.search(inner):
                out += [markup[at : opened.start()], inner]
                at = tag.end()
            opened = None
    return "".join(out) + markup[at:]
