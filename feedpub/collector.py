"""The collector: find the posts and read each one into a `RawPost`.

Reading never raises for anything that is the file's fault: it returns the post it could
read (or None) and the `Problem`s it found, each with the file's own line number. Bodies
are not kept: a `RawPost` records where its body starts, and the generator reads it again
for the entries a feed shows, so memory grows with the number of posts, not their size.

Every string a `RawPost` carries is free of the characters XML 1.0 forbids; finding one
is reported (FP201), never fatal. Titles, names and the link text are plain text with
their character references decoded (scrapers escape them). A body nested too deep for
lxml (FP202) and Liquid left as written (FP203) are found here: the cleaner, which
renders the body, runs only for what is not cached, so could not report them.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

from . import commonmark, encoding, frontmatter, includes, language, liquid, liquidsite, permalinks
from .fields import Fields
from .model import RawPost, Reading
from .postfiles import Refused, read_bytes
from .problems import Problem
from .scan import EXTENSIONS, is_posts_folder
from .settings import POST_FOLDERS, Settings
from .summaries import OPENING_HTML, openings
from .text import (
    ILLEGAL_XML,
    MAX_ATTRIBUTES,
    NESTING_LIMIT,
    TERMINAL_CODES,
    content_hash,
    crowded,
    first_illegal,
    too_deep,
    unescape_references,
    xml_safe,
)

MAX_TAGS = 100  # see `Limits`
BINARY_PROBE = 8192  # a NUL byte in this many first bytes makes a file binary
_RULE = re.compile(r"-{3,}\s*$")
_MARKER_TEXT = re.compile(r"[0-9]{9,20}|nan", re.ASCII | re.I)  # a time's seconds or ms, NaN
_SPACE = re.compile(r"\s")
# Characters YAML refuses in a stream but XML allows (DEL and the C1 controls but
# NEL): removed from the front matter, with those XML forbids, before it is read.
_YAML_ONLY_BAD = re.compile("[\x7f-\x84\x86-\x9f]")
_NOT_SPACE = re.compile(r"\S")
# Jekyll's `Document::DATE_FILENAME_MATCHER`: the only files of `_posts/` it publishes.
_DATED_NAME = re.compile(r"[0-9]{2,4}-[0-9]{1,2}-[0-9]{1,2}-[^/]*\.[^./]+", re.ASCII)


class Limits(NamedTuple):
    """What one post may be (bounds a real archive never meets, so that one hostile
    file cannot make a build read gigabytes or write a feed per tag of thousands),
    and what the site gives every post (its Liquid's `site`, Jekyll's `defaults:`)."""

    max_bytes: int = 5_000_000  # a larger file is skipped (FP002)
    max_tags: int = MAX_TAGS  # tags, and categories, per post; the rest are dropped (FP108)
    site: liquidsite.Site = liquidsite.Site("", "")
    defaults: frontmatter.Defaults = ()
    above: str = ""  # the folder read's path in the site, if a posts folder ("_posts/")
    author: str = ""  # the site's: of a post that names none
    names: Mapping[str, str] = {}  # `_data/authors.yml`: the name of each key an author may be


def limits(settings: Settings, root: Path) -> Limits:
    site = includes.site_of(settings, root)
    above = os.path.basename(os.path.realpath(root)) + "/" if is_posts_folder(root) else ""
    author = sys.intern(unicodedata.normalize("NFC", xml_safe(settings.author).strip()))
    names = dict(settings.author_names)
    return Limits(
        settings.max_bytes, settings.max_tags, site, settings.defaults, above, author, names
    )


def read_file(root: Path, path: str, limits: Limits = Limits()) -> Reading:
    """Reading one post file; problems with the file itself are reported, not raised."""
    if not_dated(limits.above + path):
        if path.rpartition("/")[2].upper().startswith("README."):
            return Reading(None, ())  # a folder's notes: Jekyll skips them without a word
        msg = (
            "Jekyll publishes a file of `_posts/` only if its name starts with a date"
            " (YYYY-MM-DD-), so this one's link would lead nowhere; skipped"
        )
        return Reading(None, (Problem(path, 1, 0, "FP010", msg),))
    try:
        data = read_bytes(root, path, limits.max_bytes)
    except Refused as e:
        return Reading(None, (Problem(path, 1, 0, e.code, e.message),) if e.code else ())
    return parse(path, data, limits)


def not_dated(path: str) -> bool:
    """Whether `path` (in the site) is a post file of a `_posts/` folder, named without
    the date Jekyll requires there (`_posts/about.md`, `_posts/README.md`); what the
    scan lists besides (a folder it could not list, a link) is reported as it is."""
    folder, _, name = path.rpartition("/")
    if "/_posts/" not in f"/{folder}/" or not name.lower().endswith(EXTENSIONS):
        return False
    return not _DATED_NAME.fullmatch(name)


def _read_one(root: Path, limits: Limits, path: str, size: int, known: str) -> Reading | None:
    """None if the file's content hash is still `known`, else a fresh reading."""
    if known and 0 <= size <= limits.max_bytes:
        try:
            data = read_bytes(root, path, limits.max_bytes)
        except Refused:
            data = b""
        if content_hash(data) == known:
            return None
    return read_file(root, path, limits)


def _read_chunk(
    root: Path, limits: Limits, items: Sequence[tuple[bytes, int, str]]
) -> list[Reading | None]:
    # Interned: read in this process, the path is then the scan's string again.
    return [
        _read_one(root, limits, sys.intern(os.fsdecode(path)), size, known)
        for path, size, known in items
    ]


Mapper = Callable[[Callable[[Sequence[Any]], list[Any]], Sequence[Any]], list[Any]]


def read_files(
    root: Path, todo: Sequence[tuple[str, int, str]], limits: Limits, mapper: Mapper
) -> list[Reading | None]:
    """Reading each (path, size, known content hash) of `todo` with `mapper` (the build's
    workers): None where the file still has the known hash (only the hash goes to
    the workers, not the cached reading).

    Paths go to the workers as bytes: pickling a string that is not ASCII leaves
    a UTF-8 copy of it cached in the string, for as long as the build holds it.
    They are interned, so that the readings hold the caller's strings, not copies
    (see `_unpickled`): `sys.intern` makes the string it is given the one.
    """
    items = [(os.fsencode(sys.intern(path)), size, known) for path, size, known in todo]
    return mapper(partial(_read_chunk, root, limits), items)


def parse(path: str, data: bytes, limits: Limits = Limits()) -> Reading:
    """Parse a post's bytes. Pure, and never raises: the fuzz tests call it on any bytes."""
    if data.find(b"\x00", 0, BINARY_PROBE) >= 0 and not data.startswith(encoding.BOM_PREFIXES):
        return Reading(None, (Problem(path, 1, 0, "FP003", "binary file (NUL bytes); skipped"),))
    decoded = encoding.decode_bytes(data)
    text = decoded.text
    if not text.strip():
        what = "empty file" if not data else "file holds only white space"
        return Reading(None, (Problem(path, 1, 0, "FP005", f"{what}; skipped"),))
    problems: list[Problem] = []
    if decoded.encoding != "utf-8" or decoded.replaced:
        problems.append(encoding.problem(path, data, decoded))
    front = frontmatter.read(path, text, problems)
    if front.meta is None:
        return Reading(None, tuple(problems))
    meta = front.meta
    if limits.defaults and front.present:  # what the post does not say, Jekyll's defaults do
        given = frontmatter.defaulted(limits.above + path, limits.defaults)
        quoted = front.date_text if "date" in meta else isinstance(given.get("date"), str)
        meta = given | meta
        front = dataclasses.replace(front, meta=meta, date_text=quoted)
    if meta.get("published") is False:
        line = front.lines.get("published", 1)
        msg = "draft (`published: false`); skipped"
        problems.append(Problem(path, line, 0, "FP006", msg))
        return Reading(None, tuple(problems))
    post = _build(path, data, decoded, front, problems, limits)
    return Reading(post, tuple(problems))


def _categories(fields: Fields, meta: dict[str, Any], path: str) -> tuple[str, ...]:
    """`categories`, then Jekyll's `category:` (one name, spaces and all), then the
    folders above the posts folder (`en/news/_posts/`: `en`, `news`; `path` is the
    file's in the site), as Jekyll's categories from the path. Jekyll lists those
    first; here the post's own come first, as the first names the post's source."""
    found = fields.names("categories", meta.get("categories"))
    if (one := meta.get("category")) is not None:
        more = fields.names("category", one if isinstance(one, list | tuple) else [one])
        found = tuple(dict.fromkeys((*found, *more)))
    folders = path.split("/")[:-1]
    at = next((i for i, name in enumerate(folders) if name in POST_FOLDERS), 0)
    if not at:
        return found
    above = (unicodedata.normalize("NFC", xml_safe(name).strip()) for name in folders[:at])
    return tuple(dict.fromkeys((*found, *(name for name in above if name))))  # (and a copy's)


def _date(value: Any) -> Any:
    """`date:` as YAML gave it, but a list or mapping as a word: it is only ever
    reported, and the repr of a YAML alias bomb would not fit in memory."""
    return f"<a {frontmatter.kind(value)}>" if isinstance(value, list | tuple | dict) else value


def _preamble(text: str, start: int) -> tuple[str | None, int, str, int, str, int]:
    """Marker text and offset, link text and offset, link URL and the body offset
    after the preamble."""
    marker, link_text, link_url = None, "", ""
    marker_at = link_at = -1
    pos = start
    for step in ("marker", "link", "rule"):
        pos, end, line = _line_at(text, pos)
        found = _marker(line) if step == "marker" else None
        if found is not None and _a_marker(found, text, end):
            marker, marker_at = found, pos
        elif step == "link" and (link := _link(line)) and (marker is not None or _ruled(text, end)):
            (link_text, link_url), link_at = link, pos
        elif step == "rule" and (marker is not None or link_text) and _RULE.match(line):
            pass
        else:
            continue  # this part of the preamble is absent: try the next one on this line
        pos = min(end + 1, len(text))
    if marker is None and not link_text:
        return None, -1, "", -1, "", start
    return marker, marker_at, link_text, link_at, link_url, pos


def _line_at(text: str, pos: int) -> tuple[int, int, str]:
    """The next line of `text` that is not empty, from `pos`: its start, end and text."""
    while text.startswith("\n", pos):
        pos += 1
    end = text.find("\n", pos)
    end = len(text) if end < 0 else end
    return pos, end, text[pos:end]


def _ruled(text: str, end: int) -> bool:
    """Whether the line right after the one ending at `end` is the preamble's `------`
    (after a blank line, a `---` is a blog's rule, or a heading's underline)."""
    stop = text.find("\n", end + 1)
    return bool(_RULE.match(text[end + 1 : stop if stop >= 0 else len(text)]))


def _a_marker(found: str, text: str, end: int) -> bool:
    """Whether a comment line is the scraper's marker: a time's digits or `NaN`, or any text
    before the link and rule of the preamble (reported, FP306). A blog's own first
    comment (`<!-- lint ignore … -->`) is no marker: its Markdown is rendered."""
    if _MARKER_TEXT.fullmatch(found):
        return True
    _, after, line = _line_at(text, end + 1)
    return _link(line) is not None and _ruled(text, after)


def _marker(line: str) -> str | None:
    """The text of a `<!--...-->` line, stripped; None if the line is not one.

    String methods: the regex this was backtracked in cubic time over a run of
    spaces (4,000 of them took 15 s; a hostile post can hold millions).
    """
    line = line.rstrip()
    if len(line) < 7 or not line.startswith("<!--") or not line.endswith("-->"):
        return None
    return line[4:-3].strip()


def _link(line: str) -> tuple[str, str] | None:
    """(text, url) of a `[text](url)` line: the url is what follows the last `](`,
    and holds no white space. Linear, as the regex this was was not (20,000
    `](a` took it 3 s)."""
    line = line.rstrip()
    if not line.startswith("[") or not line.endswith(")"):
        return None
    split = line.rfind("](")
    if split < 1 or _SPACE.search(line, split + 2, len(line) - 1):
        return None
    return line[1:split], line[split + 2 : -1]


def _illegal_chars(path: str, text: str, front_end: int, utf8: bytes | None) -> Problem | None:
    """FP201 for the characters XML forbids in the file (and, in the front matter,
    the controls YAML forbids): where the first is and how many there are."""
    first = first_illegal(text, utf8)
    extra = _YAML_ONLY_BAD.search(text, 0, front_end)
    if first is None and extra is None:
        return None
    count = len(ILLEGAL_XML.findall(text)) + len(_YAML_ONLY_BAD.findall(text, 0, front_end))
    found = [m for m in (first, extra) if m is not None]
    at = min(found, key=lambda m: m.start())
    line = text.count("\n", 0, at.start()) + 1
    col = at.start() - text.rfind("\n", 0, at.start())
    msg = f"{count} control character(s) XML cannot carry (first U+{ord(at.group()):04X}); removed"
    if TERMINAL_CODES.search(text):
        msg += ", with the terminal codes an ESC starts (`ESC [31m`)"
    return Problem(path, line, col, "FP201", msg)


def _link_text(path: str, text: str, link: str, at: int, problems: list[Problem]) -> str:
    """The preamble's link text, decoded as the title is (it stands in for a missing
    one); FP201 for what its references would smuggle in, as for a front-matter
    value (characters written raw are counted with the file's)."""
    decoded = unescape_references(xml_safe(link))
    safe = xml_safe(decoded)
    if len(safe) < len(decoded):
        n = len(decoded) - len(safe)
        msg = (
            f"the link text holds {n} character(s) XML cannot carry"
            " (from character references); removed"
        )
        problems.append(Problem(path, text.count("\n", 0, at) + 1, 0, "FP201", msg))
    return safe.strip()


def _deep_body(path: str, text: str, body_start: int) -> Problem | None:
    """FP202 for a body nested deeper than lxml can parse, or with a start tag of more
    attributes than it parses in good time, found as `html.clean` finds them to make
    such a body plain text; at the body's first line that is not blank."""
    if depth := too_deep(text, body_start):
        what = f"nests {depth} elements deep, over the {NESTING_LIMIT} the HTML parser can hold"
    elif many := crowded(text, body_start):
        what = f"has a start tag of {many:,} attributes, over the {MAX_ATTRIBUTES:,} it parses"
    else:
        return None
    first = _NOT_SPACE.search(text, body_start)
    line = text.count("\n", 0, first.start() if first else body_start) + 1
    return Problem(path, line, 0, "FP202", f"body {what}; published as plain text")


@lru_cache(maxsize=4096)
def _interned(names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` as interned strings, in a tuple shared by the posts with those names
    (so a chunk of readings pickles it once)."""
    return tuple(map(sys.intern, names))


def _build(
    path: str,
    data: bytes,
    decoded: encoding.Decoded,
    front: frontmatter.FrontMatter,
    problems: list[Problem],
    limits: Limits,
) -> RawPost:
    text = decoded.text
    meta = front.meta or {}
    fields = Fields(path, front.lines, problems, limits.max_tags)
    start = 0
    if front.body_line:
        start = sum(len(ln) + 1 for ln in text.split("\n", front.body_line)[: front.body_line])
    start = min(start, len(text))
    marker, marker_at, link_text, link_at, link_url, body_start = _preamble(text, start)
    link_text = _link_text(path, text, link_text, link_at, problems)
    stem = os.path.splitext(path.rpartition("/")[2])[0]
    named = link_text or xml_safe(permalinks.titled(path)).strip()  # (only if needed)
    fallback = named or xml_safe(stem).strip() or "untitled"
    origin = "link text" if link_text else "file name"
    if front.present:
        title = fields.title(meta.get("title"), fallback, origin)
    else:
        title = fallback
        msg = f"no front matter; read as a plain post titled {title!r} (from the {origin})"
        problems.append(Problem(path, 1, 1, "FP102", msg))
    utf8 = data if decoded.first_bad < 0 else None  # strict UTF-8: see `first_illegal`
    for found in (_illegal_chars(path, text, start, utf8), _deep_body(path, text, body_start)):
        if found:
            problems.append(found)
    url = fields.text("from", meta.get("from")) or xml_safe(link_url)
    wanted = front.present and meta.get("render_with_liquid") is not False
    template = liquid.read(path, text, body_start, limits.site) if wanted else liquid.NOTHING
    problems += template.problems
    first = _NOT_SPACE.search(text, body_start)
    markdown = marker is None and not path[-5:].lower().endswith(".html")
    if markdown and first is not None and first.group() == "<":  # a page, or a post led by HTML
        markdown = not commonmark.html_only(text, first.start())
    head = text[body_start : body_start + OPENING_HTML]
    # Names repeat across posts: interned, a chunk of readings pickles (and so holds)
    # each once; a link text equal to the title is the title's object.
    post = RawPost(
        path=path,
        digest=content_hash(data),
        body_digest=(digest := encoding.body_digest(data, decoded, body_start)),
        title=title,
        date=_date(meta.get("date")),
        date_line=front.lines.get("date", 0),
        date_text=front.date_text,
        author=fields.author(meta, limits.names) or limits.author,
        url=url,
        tags=_interned(fields.names("tags", meta.get("tags"))),
        categories=_interned(_categories(fields, meta, limits.above + path)),
        marker=marker,
        link_text=title if link_text == title else link_text,
        body_start=body_start,
        body_line=text.count("\n", 0, body_start) + 1,
        markdown=markdown,
        encoding=decoded.encoding,
        marker_line=text.count("\n", 0, marker_at) + 1 if marker is not None else 0,
        lang=language.stated(meta.get("lang")) or language.detect(title),
        url_line=front.lines.get("from", 0),
        permalink=fields.text("permalink", meta.get("permalink")) or "",
        slug=fields.text("slug", meta.get("slug")) or "",
        liquid=template.rendered,
        refs=template.refs,
        lead=frontmatter.lead(meta, fields.text, text, body_start, limits.site),
        opening=b"" if markdown else openings(head, title, digest),
    )
    fields.report_removed()
    return post
