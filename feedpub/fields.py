"""Front-matter values as the clean text a post's fields hold, whatever YAML made of
them: what had to change is reported (a list where one name was due, control
characters a YAML escape put in, more tags than allowed), never fatal."""

from __future__ import annotations

import re
import sys
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from . import frontmatter
from .problems import Problem
from .text import ILLEGAL_XML, printed, unescape_references, xml_safe

# Plain-text fields whose character references are decoded (not `from:`, a URL).
_DECODED = frozenset({"title", "author", "tags", "categories"})
# The longest a field may be, in characters: a 2 MB title was in every archive document
# of its 100 tags' feeds (2.4 MB of posts made 197 MB of feeds), and so was a 10 KB tag.
_LONGEST = {"title": 1_000, "author": 200, "tags": 200, "categories": 200}
_SHORTEST = min(_LONGEST.values())  # (a value no longer is never cut: no call)
_CALLED = {
    "title": "the title",
    "author": "the author's name",
    "tags": "a tag",
    "categories": "a category",
}
# The start and end tags of the elements a title may be marked up with.
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|br|cite|code|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span"
    r"|strong|sub|sup|time|u|var|wbr)(?:\s[^<>]*)?/?>",
    re.I,
)


class Fields:
    """Turns front-matter values into clean strings, reporting what it had to change."""

    def __init__(
        self, path: str, lines: dict[str, int], problems: list[Problem], max_tags: int
    ) -> None:
        self.path = path
        self.lines = lines
        self.problems = problems
        self.max_tags = max_tags
        self.removed: Counter[str] = Counter()  # key -> XML-illegal characters removed
        self.cut: dict[str, int] = {}  # key -> the longest value cut to `_LONGEST`

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def report(self, key: str, code: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line(key), 0, code, message))

    def text(self, key: str, value: Any) -> str | None:
        """A scalar as clean, stripped text; None for lists, mappings and null."""
        if value is None or isinstance(value, list | tuple | dict):
            return None
        text = value if isinstance(value, str) else printed(value)
        if key in _DECODED:
            text = unescape_references(text)
        safe = xml_safe(text)
        if len(safe) < len(text):  # (the characters, not the terminal codes an ESC starts)
            self.removed[key] += len(ILLEGAL_XML.findall(text))
        if "\ufffc" in safe:  # an editor's stand-in for a picture: a box in every reader
            safe = safe.replace("\ufffc", "")
        safe = safe.strip()
        return safe if len(safe) <= _SHORTEST else self._bounded(key, safe)

    def _bounded(self, key: str, text: str) -> str:
        """`text`, cut to `_LONGEST[key]` characters if longer: an ellipsis, and for a name
        the CRC-32 of all of it."""
        limit = _LONGEST.get(key)
        if limit is None or len(text) <= limit:
            return text
        self.cut[key] = max(self.cut.get(key, 0), len(text))
        if key == "title":
            return text[: limit - 1].rstrip() + "…"
        # A name is a feed: two that differ past the cut stay two (the review's merged)
        return (
            f"{text[: limit - 10].rstrip()}…{zlib.crc32(text.encode('utf-8', 'surrogatepass')):08x}"
        )

    def names(self, key: str, value: Any) -> tuple[str, ...]:
        """Tags or categories as a clean tuple, whatever shape the YAML gave them."""
        if value is None:
            return ()
        if isinstance(value, list | tuple):
            names = self._clean(key, value)
            bad = [x for x in value if not isinstance(x, str) or not x.strip()]
            if bad:
                kinds = ", ".join(
                    sorted({"empty" if _empty(x) else frontmatter.kind(x) for x in bad})
                )
                dropped = sum(1 for x in bad if _empty(x) or isinstance(x, list | tuple | dict))
                msg = f"`{key}` has {len(bad)} item(s) that are not names ({kinds})"
                kept = f"{len(bad) - dropped} kept as text" if len(bad) > dropped else ""
                done = "; ".join(x for x in (f"{dropped} dropped" if dropped else "", kept) if x)
                self.report(key, "FP106", f"{msg}: {done}; read as {list(names)!r}")
            return names
        if isinstance(value, str) and "," not in value:
            return self._clean(key, value.split())  # Jekyll's own form: names and spaces
        if isinstance(value, str):
            shape = "comma-separated text"
            names = self._clean(key, value.split(","))
        else:
            shape = f"a {frontmatter.kind(value)}, not a list"
            names = self._clean(key, [value])
        self.report(key, "FP106", f"`{key}` is {shape}; read as {list(names)!r}")
        return names

    def _clean(self, key: str, items: Iterable[Any]) -> tuple[str, ...]:
        """NFC (two spellings of a name are one feed) and interned: thousands of posts
        share each tag, and a build holds them all. At most `max_tags`: each name is a
        feed, and one post must not make thousands."""
        names = (self.text(key, x) for x in items)
        found = tuple(
            dict.fromkeys(sys.intern(unicodedata.normalize("NFC", n)) for n in names if n)
        )
        if len(found) > self.max_tags:
            msg = (
                f"`{key}` has {len(found):,} names, over the limit of {self.max_tags} "
                f"(max_tags); only the first {self.max_tags} are kept"
            )
            self.report(key, "FP108", msg)
            found = found[: self.max_tags]
        return found

    def title(self, value: Any, fallback: str, origin: str) -> str:
        """The title, or `fallback` (taken from `origin`) when there is none. Its inline
        HTML tags go (`Using <code>git</code>`), as jekyll-feed strips them; references
        (`&lt;code&gt;`) stay text."""
        if isinstance(value, str) and "<" in value:
            value = _INLINE_TAG.sub("", value)
        text = self.text("title", value)
        using = f"using {fallback!r} from the {origin}"
        if value is None:
            self.report("title", "FP104", f"no `title:`; {using}")
        elif not isinstance(value, str):
            kind = frontmatter.kind(value)
            if text is None:
                self.report("title", "FP105", f"title is a {kind}, not text; {using}")
            else:
                self.report("title", "FP105", f"title is a {kind}; used as the text {text!r}")
        elif not text:
            self.report("title", "FP104", f"the title is empty; {using}")
        return self._bounded("title", text or fallback)  # (the link text's, the file name's)

    def author(self, meta: dict[str, Any], names: Mapping[str, str]) -> str:
        """One name (NFC: two spellings of a name are one feed), interned; FP109 for
        what YAML gave otherwise. As jekyll-feed reads it: `author`, else the first of
        `authors`, and the name `names` (`_data/authors.yml`) gives that key."""
        value = meta.get("author")
        if value is None and isinstance(many := meta.get("authors"), list) and many:
            value = many[0]
        if isinstance(value, dict):  # jekyll-feed's `author: {name: ...}`
            value = value.get("name")
        if isinstance(value, list | tuple):
            given = [x for x in value if isinstance(x, str) and x.strip()]
            if len(value) > 1 or (value and not given):
                first = f"the first name, {given[0].strip()!r}, is used" if given else "none used"
                self.report("author", "FP109", f"`author` is a list of {len(value)}; {first}")
            value = given[0] if given else None
        elif value is not None and not isinstance(value, str | dict):
            kind = frontmatter.kind(value)
            used = self.text("author", value)
            self.report("author", "FP109", f"`author` is a {kind}; used as the text {used!r}")
        text = self.text("author", value) or ""
        text = self._bounded("author", names.get(text, text))  # (a name of _data/ too)
        return sys.intern(unicodedata.normalize("NFC", text))

    def report_removed(self) -> None:
        """FP201 for characters that YAML escapes (`"\\x08"`) or character references
        (`&#8;`) put into a value; FP110 for a value cut to its longest."""
        for key, n in sorted(self.removed.items()):
            if n:
                msg = (
                    f"`{key}` holds {n} character(s) XML cannot carry"
                    " (from YAML escapes or character references); removed"
                )
                self.report(key, "FP201", msg)
        for key, n in sorted(self.cut.items()):
            what = _CALLED[key]
            msg = f"{what} is {n:,} characters long, over {_LONGEST[key]:,}: cut there"
            self.report(key, "FP110", msg)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
