"""kramdown's Markdown (Jekyll's) where it reads otherwise than CommonMark, as
markdown-it rules (`commonmark` uses them): HTML blocks to their end tag, span
elements that start paragraphs, the `^` end of a block, `$$` math as written, and
definition lists whose terms are several lines.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from functools import partial
from typing import Any

# kramdown's HTML blocks: a block element's start tag at a line's start holds every
# line up to its end tag's, blank lines too (CommonMark's ends at a blank line, and
# the rest of a `<table>` with one came out as a code block). Elements without an end
# tag, or with none (`<hr>`, an unclosed `<p>`), end as CommonMark's do.
_BLOCK_NAMES = (
    "address|article|aside|audio|blockquote|body|canvas|caption|center|colgroup|dd|details"
    "|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frameset|h[1-6]|head"
    "|header|html|iframe|legend|li|main|math|menu|nav|noscript|object|ol|optgroup|option|p"
    "|picture|pre|script|section|style|summary|svg|table|tbody|td|textarea|tfoot|th|thead"
    "|title|tr|ul|video"
)
BACKTICKS = re.compile("`+")  # (`commonmark`'s too)
BLOCK_START = re.compile(f"[ \\t]*<({_BLOCK_NAMES})(?=[\\s/>]|$)", re.I)
# kramdown's span elements: one at a line's start begins a paragraph, not an HTML block
# (CommonMark's rule 7 showed the Markdown after a `<br>` or `<a href>` line as text).
# (Not `code`, `kbd`, `samp`, `var`: kramdown keeps their text raw, as this block does.)
_SPAN_START = re.compile(
    "</?(?:a|abbr|acronym|b|big|bdo|br|button|cite|del|dfn|em|i|img|input|ins|label|mark"
    "|option|q|rb|rbc|rp|rt|rtc|ruby|select|small|span|strong|sub|sup|tt|u)"
    "(?=[\\s/>]|$)",
    re.I,
)


def ends(text: str, name: str, found: dict[str, dict[int, int]]) -> dict[int, int]:
    """Where each `name` element of `text` that has an end tag starts, and where the
    name of that end tag ends: every tag of the name found in one pass (a nested start
    pairs with the nearest end), so that thousands of unclosed elements cost no square."""
    ends = found.get(name)
    if ends is None:
        ends = found[name] = {}
        opened: list[int] = []
        for tag in re.finditer(f"<(/?){name}(?=[\\s/>])", text, re.I):
            if not tag[1]:
                opened.append(tag.start())
            elif opened:
                ends[opened.pop()] = tag.end()  # (its `>` is on its line, as a rule)
    return ends


def html_block(state: Any, start: int, last: int, silent: bool) -> bool:
    """markdown-it's block rule for kramdown's HTML blocks (see `BLOCK_START`)."""
    if state.is_code_block(start):
        return False
    at = state.bMarks[start] + state.tShift[start]
    if at in state.env.get("markdown_ends", ()):  # the end tag of an element of Markdown
        return _tag_line(state, start, silent)
    block = BLOCK_START.match(state.src, at)
    if block is None or _all_hold_markdown(state.env, state.src):
        return False  # (`{::options parse_block_html="true" /}`: all as `markdown="1"`)
    found = state.env.setdefault("html_ends", {})
    close = ends(state.src, block[1].lower(), found).get(block.start(1) - 1)
    if close is not None and _holds_markdown(state, start, block, close):
        return _tag_line(state, start, silent)
    if close is None or _marked(state.env["markdown_at"], at, close):
        return False  # CommonMark's rule then: up to a blank line (Markdown after it)
    if silent:
        return True
    line = start + 1
    while line < last and state.bMarks[line] < close:
        line += 1
    state.line = line
    token = state.push("html_block", "", 0)
    token.map = [start, line]
    token.content = state.getLines(start, line, state.blkIndent, True)
    return True


def _holds_markdown(state: Any, start: int, block: re.Match[str], close: int) -> bool:
    """Whether the element whose start tag is the line `start` asks for Markdown inside
    (`<div class="notice" markdown="1">`, minimal-mistakes' notices) and its end tag
    leads a line: the lines between are Markdown, blank lines around them or not, as
    in kramdown (CommonMark's rule held them all as HTML, `**Heads up:**` and all). The
    end tag's place goes to `env`: that line is HTML too."""
    line_end = state.eMarks[start]
    tag_end = state.src.find(">", block.end(), line_end)
    if tag_end < 0 or state.src[tag_end + 1 : line_end].strip():
        return False  # (the tag, or Markdown, goes on: as CommonMark reads it)
    if not asks_markdown(state.src, block.start(), tag_end + 1):
        return False
    end_tag = close - len(block[1]) - 2  # (`close` is where `</name` ends)
    if state.src[state.src.rfind("\n", 0, end_tag) + 1 : end_tag].strip():
        return False
    state.env.setdefault("markdown_ends", set()).add(end_tag)
    return True


def _tag_line(state: Any, start: int, silent: bool) -> bool:
    """The line `start` as an HTML block of its own (a tag around Markdown)."""
    if not silent:
        token = state.push("html_block", "", 0)
        token.map = [start, start + 1]
        token.content = state.getLines(start, start + 1, state.blkIndent, True)
        state.line = start + 1
    return True


# kramdown's `markdown="1"` (or "block", "span"): Markdown inside, even a nested element's
_MARKDOWN = re.compile(r"""<[A-Za-z][\w:-]*\s[^<>]*?(?<=\s)markdown\s*=\s*(?!["']?0)""", re.I)
_DEFINITION_LINE = re.compile(r"^[ \t>]*:[ \t]", re.M)
_BLOCK_HTML = re.compile(r"""\{::options\b[^}\n]*\bparse_block_html\s*=\s*["']?true""")


def asks_markdown(text: str, start: int, end: int) -> bool:
    """Whether a start tag between `start` and `end` of `text` asks for Markdown inside
    its element (`markdown="1"`, not `"0"`): an HTML block holding one is Markdown."""
    return _MARKDOWN.search(text, start, end) is not None


def _all_hold_markdown(env: dict[str, Any], src: str) -> bool:
    """Whether kramdown reads Markdown inside every HTML block from here (`options` saw
    its option: jalammar.github.io's tables in `<div>`s); the offsets of the start
    tags that ask for Markdown inside go to `env` the first time."""
    if "markdown_at" not in env:
        env["markdown_at"] = [found.start() for found in _MARKDOWN.finditer(src)]
    return bool(env.get("block_html"))


def options(state: Any, start: int, last: int, silent: bool) -> bool:
    """kramdown's `{::options parse_block_html="true" /}` line: the HTML blocks after it
    hold Markdown (`env`); it shows nothing. (One in a code block is code.)"""
    at = state.bMarks[start] + state.tShift[start]
    line = state.src[at : state.eMarks[start]]
    if state.is_code_block(start) or not line.startswith("{::options"):
        return False
    if not silent:
        state.env["block_html"] = state.env.get("block_html") or bool(_BLOCK_HTML.match(line))
        state.line = start + 1
    return True


def _marked(marked: list[int], start: int, end: int) -> bool:
    """Whether an element between `start` and `end` asks for Markdown inside it."""
    at = bisect_left(marked, start)
    return at < len(marked) and marked[at] < end


def not_span(rule: Any, state: Any, start: int, last: int, silent: bool) -> bool:
    """markdown-it's HTML block rule, but for a line led by a span element (`_SPAN_START`)."""
    if _SPAN_START.match(state.src, state.bMarks[start] + state.tShift[start]):
        return False
    return bool(rule(state, start, last, silent))


def end_of_block(state: Any, start: int, last: int, silent: bool) -> bool:
    """kramdown's end-of-block marker, `^` alone on a line: it ends the block before it
    (two lists apart, as ruby-lang.org's release notes write them) and shows nothing."""
    at = state.bMarks[start] + state.tShift[start]
    line = state.src[at : state.eMarks[start]].rstrip()
    if state.sCount[start] > state.blkIndent or line != "^":
        return False  # (indented, `  ^` is text, as in kramdown)
    if not silent:
        state.line = start + 1
    return True


def math(state: Any, silent: bool) -> bool:
    """kramdown's math, `$$…$$` (in a line or around a block), as written: its TeX's
    `\\\\` and `\\{` are no Markdown escapes, its `*` and `_` no emphasis."""
    src, at = state.src, state.pos
    if not src.startswith("$$", at) or (end := src.find("$$", at + 2, state.posMax)) < 0:
        return False
    if src.find("](", at, end) >= 0:
        return False  # (`[a $$](url) b $$`: a link's text, as kramdown reads it)
    if not silent:
        state.push("text", "", 0).content = src[at : end + 2]
    state.pos = end + 2
    return True


def terms(deflist: Any, state: Any, start: int, last: int, silent: bool) -> bool:
    """kramdown's definition list whose terms are several lines: every line of the
    paragraph right before a `: definition` line is a term (ruby-lang.org's release
    notes list a file's URL, then `SIZE`, then `: 8495472 bytes`). `deflist` (the
    plugin's rule, which takes one line) reads the last term and the definitions;
    the lines before it are put in its list as terms."""
    if silent or state.is_code_block(start) or not _maybe_definition(state, start):
        return False
    line = _paragraph_end(state, start, last) - 1  # its last line, if a definition follows
    if line == start or line + 1 >= last or not _definition(state, line + 1):
        return False
    opened = len(state.tokens)
    if not deflist(state, line, last, False):
        return False
    from markdown_it.token import Token

    top = state.tokens[opened]
    top.map = [start, top.map[1]] if top.map else None
    made = []
    for term in range(start, line):
        text = state.getLines(term, term + 1, state.blkIndent, False).strip()
        made += [
            Token("dt_open", "dt", 1, map=[term, term + 1], level=top.level + 1),
            Token("inline", "", 0, map=[term, term + 1], level=top.level + 2, content=text),
            Token("dt_close", "dt", -1, level=top.level + 1),
        ]
        made[-2].children = []
        for token in made[-3:]:
            token.block = True
    state.tokens[opened + 1 : opened + 1] = made
    return True


def _maybe_definition(state: Any, start: int) -> bool:
    """Whether a line after `start` may start a definition (`:` and a space, after
    spaces or `>`): most bodies have none, and no paragraph is read for one."""
    found = state.env.get("definition_lines")
    if found is None:
        at = [m.start() for m in _DEFINITION_LINE.finditer(state.src)]
        found = state.env["definition_lines"] = [bisect_right(state.bMarks, a) - 1 for a in at]
    return bisect_right(found, start) < len(found)


def _paragraph_end(state: Any, start: int, last: int) -> int:
    """The line after the paragraph that starts at `start`, as markdown-it's paragraph
    rule finds it (the rules that may end one are asked of each line), or the
    definition line that ends it: a paragraph's lines are read once, whatever ends
    them (`^`, `***`, a heading)."""
    ends = state.md.block.ruler.getRules("paragraph")
    parent, state.parentType = state.parentType, "paragraph"
    line = start + 1
    while line < last and not state.isEmpty(line) and not _definition(state, line):
        if state.sCount[line] < state.blkIndent and _starts_definition(state, line):
            break  # an outer block's (else 10,000 definitions' each read to the end)
        if (
            state.sCount[line] >= 0
            and state.sCount[line] - state.blkIndent <= 3
            and any(end(state, line, last, True) for end in ends)
        ):
            break
        line += 1
    state.parentType = parent
    return line


def _line(state: Any, line: int) -> bool:
    """Whether `line` is a line of text of the block being read (not blank, not code)."""
    return not state.isEmpty(line) and state.blkIndent <= state.sCount[line] < state.blkIndent + 4


def _definition(state: Any, line: int) -> bool:
    """Whether `line` starts a definition: `:` and a space, at the block's indent."""
    return _line(state, line) and _starts_definition(state, line)


def _starts_definition(state: Any, line: int) -> bool:
    at = state.bMarks[line] + state.tShift[line]
    return state.src[at : at + 2] in (": ", ":\t")


# kramdown's extensions that hide or keep text: `{::comment}…{:/comment}` (an author's
# note, "TODO: ask Bob before…", which must not be published) and `{::nomarkdown}…`
# (HTML as written); `{:/}` ends either, and `{::comment /}` is one empty.
_EXTENSION = re.compile(r"\{::(comment|nomarkdown)(?:\s[^}\n]*?)?\s*(/)?\}")


def _extension_end(state: Any, name: str, start: int, stop: int) -> tuple[int, int] | None:
    """Where the nearest `{:/name}` or `{:/}` of `state.src` from `start` (before `stop`)
    starts and ends. Every end tag is found once per state (kept on it): a post of a
    million `{::comment}` lines with none costs no square."""
    held = vars(state).setdefault("kramdown_ends", {})
    if name not in held:
        held[name] = [m.span() for m in re.finditer(f"\\{{:/(?:{name})?\\}}", state.src)]
    ends = held[name]
    at = bisect_left(ends, (start, 0))
    return ends[at] if at < len(ends) and ends[at][1] <= stop else None


def extension_block(state: Any, start: int, last: int, silent: bool) -> bool:
    """A block of kramdown's `{::comment}` (nothing shown) or `{::nomarkdown}` (its HTML
    as written), from its line to the line of its end tag (none: not an extension)."""
    at = state.bMarks[start] + state.tShift[start]
    if state.is_code_block(start) or not state.src.startswith("{::", at):
        return False
    tag = _EXTENSION.match(state.src, at)
    if tag is None or state.src[tag.end() : state.eMarks[start]].strip():
        return False
    line, end = start + 1, None
    if not tag[2]:
        end = _extension_end(state, tag[1], tag.end(), _container_end(state, start, last))
        if end is None:
            return False
        while line < last and state.bMarks[line] <= end[0]:
            line += 1
    if not silent:
        if tag[1] == "nomarkdown" and end is not None:
            state.push("html_block", "", 0).content = (
                state.src[tag.end() : end[0]].strip("\n") + "\n"
            )
        state.line = line
    return True


def _container_end(state: Any, start: int, last: int) -> int:
    """Where the block holding line `start` ends in the source: at its first line after it
    that is not blank and is indented less (kramdown reads a list item's lines alone: a
    `{::comment}` in one, closed after the list, hid the next item), else at `last`. The
    lines found inside are kept on the state, so that many starts read them once."""
    held = vars(state).setdefault("kramdown_inside", {})
    lo, hi = held.get((state.blkIndent, last), (-1, -1))
    if not lo <= start < hi:
        hi = start + 1
        while hi < last and (state.isEmpty(hi) or state.sCount[hi] >= state.blkIndent):
            hi += 1
        held[(state.blkIndent, last)] = (start, hi)  # (the same for every start before it)
    return state.bMarks[hi] if hi < state.lineMax else len(state.src)


def extension_span(state: Any, silent: bool) -> bool:
    """kramdown's `{::comment}…{:/}` in a line (nothing shown) or `{::nomarkdown}…{:/}`
    (its HTML as written)."""
    src, at = state.src, state.pos
    if not src.startswith("{::", at) or (tag := _EXTENSION.match(src, at, state.posMax)) is None:
        return False
    end = (
        (tag.end(), tag.end()) if tag[2] else _extension_end(state, tag[1], tag.end(), state.posMax)
    )
    if end is None:
        return False
    if not silent and tag[1] == "nomarkdown":
        state.push("html_inline", "", 0).content = src[tag.end() : end[0]]
    state.pos = end[1]
    return True


def table(rule: Any, module: Any, state: Any, start: int, last: int, silent: bool) -> bool:
    """markdown-it's table rule (`rule`, of `module`) with kramdown's cells: a `|` in a
    code span is the code's (`` `a|b` ``, a shell's pipe, a regex), as kramdown reads
    code before it splits a row; GFM's rule split the cell there and lost the last."""
    split = module.escapedSplit
    module.escapedSplit = partial(_cells, split)
    try:
        return bool(rule(state, start, last, silent))
    finally:
        module.escapedSplit = split


def _cells(split: Callable[[str], list[str]], row: str) -> list[str]:
    """`split` (GFM's: `\\|` is a `|` of the cell) of `row`, whose code spans' `|` are
    the cells' own. (No NUL is left in markdown-it's source: it is the stand-in.)"""
    if "`" not in row or "|" not in row:
        return split(row)
    held, at = [], 0
    for begin, end in _code_spans(row):
        held += [row[at:begin], row[begin:end].replace("|", "\0")]
        at = end
    return [cell.replace("\0", "|") for cell in split("".join(held) + row[at:])]


def _code_spans(row: str) -> list[tuple[int, int]]:
    """Where each code span of `row` starts and ends: a run of backticks to the next of
    the same length (one escaped with `\\` opens none). The next run of each length is
    looked up, not searched for: a row of many runs costs no square."""
    runs = [(m.start(), m.end()) for m in BACKTICKS.finditer(row)]
    following: list[int | None] = [None] * len(runs)
    seen: dict[int, int] = {}
    for n in range(len(runs) - 1, -1, -1):
        length = runs[n][1] - runs[n][0]
        following[n] = seen.get(length)
        seen[length] = n
    spans, n = [], 0
    while n < len(runs):
        after = following[n]
        if after is None or row[runs[n][0] - 1 : runs[n][0]] == "\\":
            n += 1
            continue
        spans.append((runs[n][0], runs[after][1]))
        n = after + 1
    return spans


def line_break(state: Any, silent: bool) -> bool:
    """kramdown's other hard line break, two backslashes ending a line (CommonMark reads
    an escaped `\\` there, and showed it)."""
    src, at = state.src, state.pos
    if not src.startswith("\\\\\n", at):
        return False
    if not silent:
        state.push("hardbreak", "br", 0)
    at += 3
    while at < state.posMax and src[at] in " \t":  # (as markdown-it's own line break)
        at += 1
    state.pos = at
    return True
