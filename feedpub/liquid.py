"""Jekyll's Liquid in post bodies: the part posts use, rendered as Jekyll renders it.

Jekyll renders a post as a Liquid template before its Markdown, so a blog's posts
hold `{% highlight %}` blocks, `{% raw %}` and links made of `{{ site.baseurl }}`.
feedpub renders what depends on nothing but the post, the site's settings and the
names of the other posts: `raw`, `comment`, `highlight` (a code block), `post_url`
(and `link` to a post), `include` of a file of the site's `_includes/` (`includes`)
and `{{ }}` of `page.title`, a quoted string or a `site.X` of the config, through
the `relative_url`, `absolute_url`, `escape` and `xml_escape` filters. A known
plugin's block (`{% notice %}…{% endnotice %}`, `plugins.BLOCKS`) shows its content
without its tags: the post's own text, which a reader would see inside its markup.
Anything else (`if`, a `for` loop and all in it, a variable of a layout or plugin) is
left as written, the first of it reported (FP203): a reader sees the template's text,
not a guess (Jekyll prints nothing for a tag it cannot parse).

A `post_url` is read twice: by the collector (`read`), which learns the names, and
when the body is rendered, with the URLs the normalizer found for them. Reading is
linear in the body (a hostile one is tested at megabytes): a tag is read to its first
closing delimiter, an unclosed one ends the scan (the rest is text, as written),
blocks nest at most MAX_NESTING deep, and `{{ }}` add at most MAX_ADDED.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from . import plugins, sitedata
from .commonmark import render_markdown
from .liquidsite import Site, filtered, url_filters
from .problems import Problem, printable
from .text import dedented, indent_at, printed

_OPEN = re.compile(r"\{[{%]")
_CLOSE = {"{{": "}}", "{%": "%}"}
_NAME = re.compile(r"\s*(\w+)")
_VALUE = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z_][\w.-]*))\s*""")
_FILTER = re.compile(r"""\s*([a-z_]+)\s*$""")
_NAMED = re.compile(r"[A-Za-z_][\w-]*")  # a variable: a capture's, one an include is passed
_BLOCKS = ("raw", "comment", "highlight")  # the blocks rendered: to their end tag
_LINKS = ("post_url", "link")  # the tags that give a post's URL
_OPENERS = frozenset({"if", "unless", "for", "case", "capture", "tablerow"})  # and `end`+
_LOOPS = ("for", "tablerow")  # not run: all in one is left as written
_LANGUAGE = re.compile(r"[\w+#.-]+")
# `{% link _posts/2021-04-10-x.md %}`: the post of that name, as `post_url` names it
_LINKED_POST = re.compile(r"/?(?:[^/]+/)*_posts/((?:[^/]+/)*[^/]+)\.(?:md|markdown|html)")
_POST_NAME = re.compile(r"/?(?:[^/]+/)*\d{4}-\d{1,2}-\d{1,2}-.+")  # [dir/]YYYY-MM-DD-title
MAX_MARKUP = 1_000  # a longer `{{ }}` or `{% %}` is text, as written
MAX_NESTING = 20  # blocks of one name inside each other: more are text, as written
MAX_PLUGINS = 4  # plugins' blocks inside each other: each reads what it holds again
MAX_ADDED = 1_000_000  # what `{{ }}` may add to a body: a 100 KB title 4,000 times made 400 MB
MAX_REFS = 1_000  # `post_url`s a post may give: each is a row of the cache, a link to find
_END = re.compile(r"\{%-?\s*end(\w+)")
_END_RAW = re.compile(r"\{%(-?)\s*endraw(?!\w)")
_INCLUDES = ("include", "include_cached")  # `includes.TAGS`


class _Tag(NamedTuple):
    start: int  # offset of `{{` or `{%`
    end: int  # offset after `}}` or `%}`
    output: bool  # `{{ }}`, not `{% %}`
    markup: str  # between the delimiters, without whitespace control
    trim_left: bool
    trim_right: bool


def has_liquid(text: str, start: int = 0) -> bool:
    """Whether `text` from `start` holds something Liquid would read. Most bodies
    have no `{` at all, which is found ten times quicker than a pair of characters."""
    at = text.find("{", start)
    return at >= 0 and (text.find("{{", at) >= 0 or text.find("{%", at) >= 0)


def _tags(text: str, start: int = 0) -> Iterator[_Tag]:
    at = start
    while found := _OPEN.search(text, at):
        opened = found.start()
        close = text.find(_CLOSE[found.group()], opened + 2)
        if close < 0:
            return
        markup = text[opened + 2 : close]
        left, right = markup.startswith("-"), markup.endswith("-")
        markup = markup[1 if left else 0 : len(markup) - 1 if right else len(markup)]
        yield _Tag(opened, close + 2, found.group() == "{{", markup, left, right)
        at = close + 2


class _Done(NamedTuple):
    piece: str  # what the tag renders to
    at: int  # the offset after it (after its block's end)
    trim: bool  # whether it trims the white space that follows
    left: int | None = None  # the offset of Liquid left as written inside it


class _Page(NamedTuple):
    """What a post's Liquid reads of the post, and where `post_url` names go."""

    title: str
    links: Mapping[str, str] | None  # post name -> URL; None: collect the names
    refs: list[tuple[str, int]]  # the names `post_url` gave and where, when collecting
    added: list[int]  # the characters `{{ }}` have added so far (see MAX_ADDED)
    assigned: dict[str, Any]  # the variables its `assign`s of site data gave (`sitedata`)
    blocks: list[int]  # blocks (`if`) open, left as written, no `assign` read; [1]: loops
    dropped: list[int]  # the offsets of plugins' blocks shown without their tags
    ends: Mapping[str, list[int]]  # the offsets of the `{% endX %}`s of each X in the body
    scans: list[int]  # what looking for plugins' block ends may still read (characters)
    spent: list[int]  # the work its includes did (see includes.MAX_POST_WORK)
    base: int = 0  # the offset of the text rendered in the body (a block's is inside it)
    depth: int = 0  # plugins' blocks this text is inside (at most MAX_PLUGINS)


def _page(body: str, title: str = "", links: Mapping[str, str] | None = None) -> _Page:
    ends: dict[str, list[int]] = {}
    for found in _END.finditer(body):
        ends.setdefault(found[1], []).append(found.start())
    scans = [MAX_PLUGINS * len(body)]  # each depth of well-nested blocks read once
    return _Page(title, links, [], [0], {}, [0, 0], [], ends, scans, [0])


def _plugin_block(text: str, name: str, tag: _Tag, page: _Page) -> _Tag | None:
    """The end of a plugin's block (`{% figure %}`) opened by `tag`, if one follows
    it in `text`; a plugin's tag without one is looked past in constant time."""
    ends, start = page.ends.get(name, ()), page.base + tag.end
    at = bisect_left(ends, start)
    if page.depth >= MAX_PLUGINS or at == len(ends) or ends[at] >= page.base + len(text):
        return None  # none in this text, or too deep (each block is a call deeper)
    if page.scans[0] <= 0:
        return None  # hostile nesting (openers whose ends another block holds)
    end = _block_end(text, name, tag.end)
    page.scans[0] -= (end.end if end else len(text)) - tag.end
    return end


class Found(NamedTuple):
    """What the collector keeps of a post's Liquid."""

    rendered: bool  # whether rendering changes the body
    refs: tuple[tuple[str, int], ...] = ()  # the posts its `post_url`s name, with a line of each
    problems: tuple[Problem, ...] = ()  # FP203 at the first tag left as written; FP204


NOTHING = Found(False)


# Attributes whose value a reader of the cleaned content may see (a link, a picture,
# its text): Liquid left in any other (React's `dangerouslysetinnerhtml="{{…}}"`, a
# scraped page's) goes with the attribute, and is no problem to report.
_SHOWN_ATTRIBUTES = frozenset({"href", "src", "srcset", "alt", "title", "poster"})
_ATTRIBUTE_BEFORE = re.compile(r"""([A-Za-z_:][-\w:.]*)\s*=\s*["']?[^"'<>=]*\Z""")
_HIDDEN_TRIES = 4  # leftovers looked past at most (each renders the rest again)


def _hidden(text: str, at: int) -> bool:
    """Whether Liquid at `at` sits in an attribute of a tag that the cleaner drops."""
    start = text.rfind("<", max(0, at - 2000), at)
    if start < 0 or text.find(">", start, at) >= 0:
        return False  # not inside a tag (looked for 2,000 characters back)
    found = _ATTRIBUTE_BEFORE.search(text[start:at])
    return found is not None and found[1].lower() not in _SHOWN_ATTRIBUTES


def read(path: str, text: str, at: int, site: Site) -> Found:
    """What the body (`text` from `at`) holds: whether feedpub renders any of it,
    the names its `post_url`s give (their URLs are known once every post is read)."""
    if not has_liquid(text, at):
        return NOTHING
    page = _page(body := text[at:])
    rendered, left = _render(body, site, page)
    for _ in range(_HIDDEN_TRIES):  # the first a reader would see, if any (not a square)
        if left is None or not _hidden(text, at + left):
            break
        _, more = _render(body[left + 2 :], site, _page(body[left + 2 :]))
        left = None if more is None else left + 2 + more
    places = (("FP203", left), ("FP204", page.dropped[0] if page.dropped else None))
    found = [(c, w) for c, w in places if w is not None]
    problems = tuple(_problem(path, text, at + w, c, site, page) for c, w in found)
    first: dict[str, int] = {}
    line, counted = text.count("\n", 0, at) + 1, at
    for name, offset in sorted(page.refs, key=lambda ref: ref[1]):  # lines counted once
        line += text.count("\n", counted, at + offset)
        counted = at + offset
        first.setdefault(name, line)
    return Found(rendered != body, tuple(first.items()), problems)  # (by line, as found)


def _problem(path: str, text: str, at: int, code: str, site: Site, page: _Page) -> Problem:
    """FP203 (Liquid left as written) or FP204 (a plugin's block) at `at` (a post may have both)."""
    msg = f"Liquid feedpub does not render, shown as written: {_shown(text, at)}"
    if code == "FP204":
        msg = f"{_group(text, at)} is a plugin's block: what it holds is shown, not what the"
        msg += " plugin adds around it"
    line, col = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    msg += _why(text, at, site, page.spent)
    return Problem(path, line, col, code, msg, group=f"at {_group(text, at)}")


def render(
    text: str, site: Site, title: str, links: Mapping[str, str] | None = None
) -> tuple[str, int | None]:
    """`text` with the Liquid feedpub knows rendered, and the offset of the first
    tag it left as written (None if none); `{% post_url name %}` is the URL `links`
    gives the name, left as written if it gives none."""
    return _render(text, site, _page(text, title, links or {}))


def _render(text: str, site: Site, page: _Page) -> tuple[str, int | None]:
    out: list[str] = []
    left: int | None = None
    at = 0
    trim_next = False
    unclosed: set[str] = set()  # blocks no end follows: none after them closes either
    base = -1  # from where `out` holds `{{ site.url }}{{ site.baseurl }}` right before
    while tag := next(_tags(text, at), None):
        before = text[at : tag.start]
        before = before.lstrip() if trim_next else before
        out.append(before.rstrip() if tag.trim_left else before)
        base = base if not out[-1] else -1
        done = _rendered(text, tag, site, page, unclosed)
        if done is None:
            left = tag.start if left is None else left
            out.append(text[tag.start : tag.end])
            at, trim_next, base = tag.end, False, -1
            name = "" if tag.output else _name(tag)  # a block's start or end, shown as is
            closed = name[:3] == "end" and name[3:] in _OPENERS and page.blocks[0] > 0
            step = (name in _OPENERS) - closed
            page.blocks[0] += step
            page.blocks[1] = max(0, page.blocks[1] + step * (name.removeprefix("end") in _LOOPS))
        else:
            if base >= 0 and _name(tag) in _LINKS and done.piece.startswith("http"):
                out[base:] = [""] * (len(out) - base)  # Jekyll 3's, GitHub Pages': the URL
            out.append(done.piece)
            at, trim_next = done.at, done.trim
            left = done.left if left is None else left
            prefix = tag.output and tag.markup.strip() in ("site.url", "site.baseurl")
            base = (base if base >= 0 else len(out) - 1) if prefix else -1
    rest = text[at:]
    out.append(rest.lstrip() if trim_next else rest)
    return "".join(out), left


def _why(text: str, at: int, site: Site, spent: list[int]) -> str:
    """Why the include at `at`, if the tag there is one, is not rendered ("" else)."""
    tag = next(_tags(text, at))
    name = _name(tag)
    if tag.output or name not in _INCLUDES:
        return ""
    if site.includes is None:
        return " (the site has no _includes/ folder beside its _config.yml)"
    return f" ({site.includes.why(tag.markup.strip()[len(name) :], spent)})"


def _group(text: str, at: int) -> str:
    """What the tag at `at` is, for a summary of many alike: `{% figure %}`, `{% include
    video.html %}`, `{{ page.image }}`."""
    tag = next(_tags(text, at))
    if tag.output:
        return _shown(text, at)
    words = tag.markup.split()
    named = words[:2] if words and words[0] in _INCLUDES else words[:1]
    return printable("{% " + " ".join(named)[:80] + " %}")


def _shown(text: str, at: int) -> str:
    """The tag at `at` as a message shows it: on one line, cut at 80 characters."""
    end = text.find("}}" if text[at + 1] == "{" else "%}", at + 2) + 2
    one = printable(" ".join(text[at:end].split()))
    return one if len(one) <= 80 else one[:79] + "…"


def _name(tag: _Tag) -> str:
    """The name of a `{% %}` tag ("" if it has none)."""
    found = _NAME.match(tag.markup)
    return found.group(1) if found else ""


def _raw_end(text: str, at: int) -> _Tag | None:
    """The `{% endraw %}` after `at`. Liquid reads a raw block's text to the first
    one, whatever braces come before it (a post explaining Liquid writes `{{`)."""
    found = _END_RAW.search(text, at)
    close = text.find("%}", found.end()) if found else -1
    if found is None or close < 0:
        return None
    trim_left, trim_right = found.group(1) == "-", text[close - 1] == "-"
    return _Tag(found.start(), close + 2, False, "endraw", trim_left, trim_right)


def _block_end(text: str, name: str, at: int) -> _Tag | None:
    """The tag that ends the block `name` opened before `at`: blocks of the same
    name nest (to MAX_NESTING), raw blocks are skipped whole, and anything after
    the end tag's name is ignored, as Liquid does."""
    depth = 0
    while tag := next(_tags(text, at), None):
        found = _name(tag) if not tag.output and len(tag.markup) <= MAX_MARKUP else ""
        at = tag.end
        if found == "raw":
            end = _raw_end(text, tag.end)
            if end is None:
                return None
            at = end.end
        elif found == name:
            depth += 1
            if depth > MAX_NESTING:
                return None
        elif found == "end" + name:
            if not depth:
                return tag
            depth -= 1
    return None


def _rendered(text: str, tag: _Tag, site: Site, page: _Page, unclosed: set[str]) -> _Done | None:
    """What `tag` renders to; None if feedpub does not render it."""
    if len(tag.markup) > MAX_MARKUP or page.blocks[1]:  # (in a loop: `…/issues/{{ n }}`)
        return None
    if tag.output:
        value = _output(tag.markup, site, page)
        if value is None or page.added[0] + len(value) > MAX_ADDED:
            return None
        page.added[0] += len(value)
        return _Done(value, tag.end, tag.trim_right)
    if tag.markup.lstrip().startswith("#"):  # an inline comment
        return _Done("", tag.end, tag.trim_right)
    name = _name(tag)
    args = tag.markup.strip()[len(name) :].strip()
    if name == "post_url" and _POST_NAME.fullmatch(args):
        return _post_url(args.lstrip("/"), tag, page)
    if name == "link" and (found := _LINKED_POST.fullmatch(args)):  # a post's file
        whole = args.lstrip("/")  # `fr/news/_posts/x.md`: that folder's, not `en/`'s
        named = found.group(1) if whole.startswith("_posts/") else whole.rpartition(".")[0]
        return _post_url(named, tag, page)
    if name in plugins.PLAYERS and (player := plugins.player(name, args)):
        return _Done(player, tag.end, tag.trim_right)
    if name in _INCLUDES and site.includes is not None:
        return _included(args, tag, site, page)
    if name == "assign" and (named := sitedata.ASSIGN.match(args)):  # it prints nothing,
        if page.blocks[0]:  # but in a block shown as written, whose logic is not run
            page.assigned.pop(named[1], None)
            return None
        value = _output(args[named.end() :], site, page)  # `update | markdownify`, too
        sitedata.assign(named[1], args[named.end() :], site.data, page.assigned)
        if value is not None and named[1] not in page.assigned:
            page.assigned[named[1]] = value
        return _Done("", tag.end, tag.trim_right)
    if name == "capture" and _NAMED.fullmatch(args) and name not in unclosed:
        return _captured(text, args, tag, site, page, unclosed)
    if name in unclosed or name in _OPENERS or not (name in _BLOCKS or name in plugins.BLOCKS):
        return None
    if name not in _BLOCKS:
        end = _plugin_block(text, name, tag, page)
    else:
        end = _raw_end(text, tag.end) if name == "raw" else _block_end(text, name, tag.end)
    if end is None:
        unclosed.add(name)
        return None
    inner = text[tag.end : end.start]
    if name not in _BLOCKS:  # a plugin's (`{% figure %}`): what it holds, rendered
        if name != "figure":  # (before those it holds: the first a note names)
            page.dropped.append(page.base + tag.start)
        inner_page = page._replace(base=page.base + tag.end, depth=page.depth + 1)
        piece, left = _render(inner, site, inner_page)
        if page.links is not None:  # what it shows around its content (read: not shown)
            piece = plugins.around(name, args, piece)
        return _Done(piece, end.end, end.trim_right, None if left is None else tag.end + left)
    if name == "raw":
        return _Done(inner, end.end, end.trim_right)
    if name == "comment":
        return _Done("", end.end, end.trim_right)
    language = _LANGUAGE.fullmatch(args.split(" ")[0]) if args else None
    if args and not language:
        return None
    lead = len(inner) - len(inner.lstrip("\n"))
    code, left = _render(inner.strip("\n"), site, page._replace(base=page.base + tag.end + lead))
    lang = language.group() if language else ""
    attrs = f' class="language-{lang}" data-lang="{lang}"' if lang else ""
    code = html.escape(dedented(code, indent_at(text, tag.start)).rstrip("\n"), quote=False)
    # On one line, its line ends as references: CommonMark then keeps it whole (blank
    # lines and all) in any paragraph or list item, and lxml reads them as line ends.
    piece = f"<pre><code{attrs}>{code.replace(chr(10), '&#10;')}</code></pre>"
    return _Done(piece, end.end, end.trim_right, None if left is None else tag.end + lead + left)


def _captured(
    text: str, name: str, tag: _Tag, site: Site, page: _Page, unclosed: set[str]
) -> _Done | None:
    """`{% capture name %}…{% endcapture %}`: what it holds, rendered, is the value of
    `name` (an include's `content=name`, `{{ name | markdownify }}`), and shows nothing.
    Inside a block left as written, or holding Liquid left so, it is left as written."""
    page.assigned.pop(name, None)
    end = _block_end(text, "capture", tag.end)
    if end is None:
        unclosed.add("capture")
    if end is None or page.blocks[0]:
        return None
    inner = text[tag.end : end.start]
    lead = len(inner) - len(inner.lstrip()) if tag.trim_right else 0
    inner = inner[lead:].rstrip() if end.trim_left else inner[lead:]
    value, left = _render(inner, site, page._replace(base=page.base + tag.end + lead))
    if left is not None:
        return None
    page.assigned[name] = value
    return _Done("", end.end, end.trim_right)


def _included(markup: str, tag: _Tag, site: Site, page: _Page) -> _Done | None:
    """A file of the site's `_includes/`, rendered (see `includes`)."""
    assert site.includes is not None
    values = sitedata.as_tables(site.config) | {"url": site.url, "baseurl": site.baseurl}
    variables = {**page.assigned, "page": {"title": page.title}, "site": values}
    passed = {v for v in _NAMED.findall(markup) if isinstance(page.assigned.get(v), str)}
    if page.added[0] + (given := sum(len(page.assigned[v]) for v in passed)) > MAX_ADDED:
        return None  # a capture passed whole to each of many includes (the review)
    page.added[0] += given
    piece = site.includes.render(markup, variables, url_filters(site.url, site.baseurl), page.spent)
    if piece is None or page.added[0] + len(piece) > MAX_ADDED:
        return None
    page.added[0] += len(piece)
    return _Done(piece, tag.end, tag.trim_right)


def _post_url(name: str, tag: _Tag, page: _Page) -> _Done | None:
    if page.links is None:
        if len(page.refs) >= MAX_REFS:
            return None  # a post naming thousands: the rest as written (FP203)
        page.refs.append((name, page.base + tag.start))
        return _Done("", tag.end, tag.trim_right)
    url = page.links.get(name)
    return _Done(url, tag.end, tag.trim_right) if url else None


def _output(markup: str, site: Site, page: _Page) -> str | None:
    parts = markup.split("|")
    found = _VALUE.fullmatch(parts[0])
    if not found:
        return None
    double, single, name = found.groups()
    if name is None:
        value = double if double is not None else single
    elif (value := _variable(name, site, page)) is None:
        return None
    for part in parts[1:]:
        step = _FILTER.match(part)
        if not step:
            return None
        if step.group(1) == "markdownify":  # Jekyll's: the site's Markdown, as the post's
            if page.added[0] + len(value) > MAX_ADDED:
                return None  # (what it reads counts: thousands of `assign`s of it)
            page.added[0] += len(value)
            value = value if page.links is None else render_markdown(value)  # (read: not shown)
            continue
        value = filtered(step.group(1), value, site)
        if value is None:
            return None
    return value


def _variable(name: str, site: Site, page: _Page) -> str | None:
    if name == "page.title":
        return page.title
    if page.blocks[0] and name.partition(".")[0] in page.assigned:
        return None  # inside a block shown as written: its loop or condition not run
    if (assigned := sitedata.printed_value(name, site.data, page.assigned)) is not None:
        return assigned
    if name in ("site.url", "site.baseurl"):
        return site.url if name == "site.url" else site.baseurl
    if not name.startswith("site.") or (key := name[5:]) not in site.config:
        return None  # a plugin's value, perhaps (`site.github`): shown as written
    return printed(site.config[key])
