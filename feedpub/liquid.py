"""Jekyll's Liquid in post bodies: the part posts use, rendered as Jekyll renders it.

Jekyll renders a post as a Liquid template before its Markdown, so a blog's posts
hold `{% highlight %}` blocks, `{% raw %}` and links made of `{{ site.baseurl }}`.
feedpub renders what depends on nothing but the post and the site's settings:
`raw`, `comment`, `highlight` (a code block), and `{{ }}` of `site.url`,
`site.baseurl` and `page.title` or a quoted string, through the `relative_url`,
`absolute_url`, `escape` and `xml_escape` filters. Anything else (`include`,
`post_url`, `if`, a variable of a layout or plugin) is left as written, and the
first of it reported (FP203): a reader sees the template's text, not a guess.
Jekyll prints nothing for a tag it cannot parse; feedpub keeps its text.

Scanning is linear: a tag is read to its first closing delimiter, and an unclosed
one ends the scan (the rest is text, as written).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import NamedTuple

_OPEN = re.compile(r"\{[{%]")
_CLOSE = {"{{": "}}", "{%": "%}"}
_NAME = re.compile(r"\s*([a-z_]+)\s*(.*?)\s*$", re.S)
_VALUE = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z_][\w.-]*))\s*""")
_FILTER = re.compile(r"""\s*([a-z_]+)\s*$""")
_BLOCKS = ("raw", "comment", "highlight")  # their bodies are not read as tags
_LANGUAGE = re.compile(r"[\w+#.-]+")
MAX_MARKUP = 1_000  # a longer `{{ }}` or `{% %}` is text, as written


class Site(NamedTuple):
    """What a post's Liquid may read of the site."""

    url: str  # `url` of the site's config, "" if none
    baseurl: str


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


def render(text: str, site: Site, title: str) -> tuple[str, int | None]:
    """`text` with the Liquid feedpub knows rendered, and the offset of the first
    tag it left as written (None if none)."""
    out: list[str] = []
    left: int | None = None
    at = 0
    trim_next = False
    unclosed: set[str] = set()  # blocks no end follows: none after them closes either
    while tag := next(_tags(text, at), None):
        before = text[at : tag.start]
        before = before.lstrip() if trim_next else before
        out.append(before.rstrip() if tag.trim_left else before)
        done = _rendered(text, tag, site, title, unclosed)
        if done is None:
            left = tag.start if left is None else left
            out.append(text[tag.start : tag.end])
            at, trim_next = tag.end, False
        else:
            piece, at, trim_next = done
            out.append(piece)
    rest = text[at:]
    out.append(rest.lstrip() if trim_next else rest)
    return "".join(out), left


def _rendered(
    text: str, tag: _Tag, site: Site, title: str, unclosed: set[str]
) -> tuple[str, int, bool] | None:
    """What `tag` renders to, the offset after it and whether it trims what follows;
    None if feedpub does not render it."""
    if len(tag.markup) > MAX_MARKUP:
        return None
    if tag.output:
        value = _output(tag.markup, site, title)
        return None if value is None else (value, tag.end, tag.trim_right)
    found = _NAME.match(tag.markup)
    if not found or found.group(1) not in _BLOCKS or found.group(1) in unclosed:
        return None
    name, args = found.groups()
    end = next((t for t in _tags(text, tag.end) if t.markup.strip() == "end" + name), None)
    if end is None:
        unclosed.add(name)
        return None
    inner = text[tag.end : end.start]
    if name == "raw":
        return inner, end.end, end.trim_right
    if name == "comment":
        return "", end.end, end.trim_right
    language = _LANGUAGE.fullmatch(args.split(" ")[0]) if args else None
    if args and not language:
        return None
    code, _ = render(inner.strip("\n"), site, title)
    lang = language.group() if language else ""
    attrs = f' class="language-{lang}" data-lang="{lang}"' if lang else ""
    # A `<pre>` block: CommonMark keeps it whole to its `</pre>`, blank lines and all.
    code = html.escape(code, quote=False)
    return f"<pre><code{attrs}>{code}</code></pre>", end.end, end.trim_right


def _output(markup: str, site: Site, title: str) -> str | None:
    parts = markup.split("|")
    found = _VALUE.fullmatch(parts[0])
    if not found:
        return None
    double, single, name = found.groups()
    if name is None:
        value = double if double is not None else single
    elif (value := _variable(name, site, title)) is None:
        return None
    for part in parts[1:]:
        step = _FILTER.match(part)
        if not step:
            return None
        value = _filtered(step.group(1), value, site)
        if value is None:
            return None
    return value


def _variable(name: str, site: Site, title: str) -> str | None:
    return {"site.url": site.url, "site.baseurl": site.baseurl, "page.title": title}.get(name)


def _filtered(name: str, value: str, site: Site) -> str | None:
    """Jekyll's filter `name` of `value`; None for one feedpub does not know."""
    if name in ("escape", "xml_escape"):
        return html.escape(value)
    if name not in ("relative_url", "absolute_url"):
        return None
    if "://" in value or value.startswith("//"):
        return value  # already absolute: Jekyll leaves it
    base = site.baseurl.strip("/")
    path = ("/" + base if base else "") + "/" + value.lstrip("/")
    return site.url.rstrip("/") + path if name == "absolute_url" else path
