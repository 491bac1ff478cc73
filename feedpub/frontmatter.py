"""Front matter: the `---` block at the top of a post, read to a dict with the file's
line of every key, and every YAML mistake reported at the file's line and column.

Nine posts in ten have flat `key: value` lines only, read here without YAML
(`simple_yaml`); the rest go to libyaml's C loader, made lenient so that one
value YAML cannot build is reported where it is instead of the post failing.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from . import liquidsite
from .model import Lead
from .problems import Problem
from .text import TERMINAL_CODES, printed, yaml_mark

if TYPE_CHECKING:  # imported when a post needs it: a build that reads two posts may not
    import yaml

FRONT_MATTER_LINES = 200  # a front matter not closed by then is reported unclosed
_FENCE = re.compile(r"(?:---|\.\.\.)[ \t]*$")
_KEY_LINE = re.compile(r"([\w-]+)[ \t]*:")
FRONT_MATTER_BAD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
# Line breaks to YAML but not to us: as spaces, YAML's line numbers stay the file's.
_YAML_BREAKS = re.compile("[\x85\u2028\u2029]")
_BLANK = " \x85\u2028\u2029"  # what a blank line may hold (the breaks are spaces to YAML)


@dataclass(frozen=True)
class FrontMatter:
    meta: dict[str, Any] | None  # None: the post cannot be read
    lines: dict[str, int]  # line in the file of each top-level key
    body_line: int  # 0-based index of the first line after the front matter; 0 if none
    present: bool  # the file starts with a front-matter block
    date_text: bool = False  # `date:` is YAML text (quoted), not a timestamp (`permalinks`)


# What PyYAML's scalar constructors raise on values their tag does not fit.
_CONSTRUCT_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError)


@functools.cache
def _loader() -> type[yaml.CSafeLoader]:
    """The C loader, but a scalar YAML cannot build (`2021-13-45`, `!!int abc`) stays
    text, so the value is reported where it is instead of the whole post failing."""
    import yaml

    class Loader(yaml.CSafeLoader):
        pass

    def lenient(
        construct: Callable[[yaml.constructor.SafeConstructor, yaml.ScalarNode], Any],
    ) -> Callable[[Loader, yaml.Node], Any]:
        def lenient(loader: Loader, node: yaml.Node) -> Any:
            if not isinstance(node, yaml.ScalarNode):  # `!!int [a]`: let PyYAML refuse it
                return loader.construct_scalar(node)  # type: ignore[arg-type]
            try:
                return construct(loader, node)
            except _CONSTRUCT_ERRORS:
                return loader.construct_scalar(node)

        return lenient

    for tag, construct in (
        ("timestamp", yaml.constructor.SafeConstructor.construct_yaml_timestamp),
        ("int", yaml.constructor.SafeConstructor.construct_yaml_int),
        ("float", yaml.constructor.SafeConstructor.construct_yaml_float),
        ("bool", yaml.constructor.SafeConstructor.construct_yaml_bool),
    ):
        Loader.add_constructor(f"tag:yaml.org,2002:{tag}", lenient(construct))

    def in_order(loader: Loader, node: yaml.Node) -> Any:
        """A `!!set` as the list of its members as written: a Python set's order (its
        `str`, a tag's feed folder) changes with every process's hash seed."""
        if not isinstance(node, yaml.MappingNode):  # `!!set abc`: let PyYAML refuse it
            return loader.construct_mapping(node)  # type: ignore[arg-type]
        return list(loader.construct_mapping(node, deep=True))

    Loader.add_constructor("tag:yaml.org,2002:set", in_order)
    return Loader


def _yaml_error(path: str, source: str, e: yaml.YAMLError) -> Problem:
    """FP101 at the file's line and column (the front matter starts on line 2)."""
    import yaml

    problem = getattr(e, "problem", None)
    context = getattr(e, "context", None)
    mark = yaml_mark(e)
    if mark is not None:
        line, col = mark[0] + 2, mark[1] + 1
    elif isinstance(e, yaml.reader.ReaderError):
        pos = min(e.position, len(source))
        line, col = source.count("\n", 0, pos) + 2, pos - source.rfind("\n", 0, pos)
        problem = (
            f"unacceptable character U+{e.character:04X}"
            if isinstance(e.character, int)
            else e.reason
        )
    else:
        line, col = 2, 0
    reason = problem or str(e).split("\n")[0]
    if context == "while scanning a quoted scalar" and "end of stream" in reason:
        reason = "the quote opened here is never closed"  # (PyYAML's words: a trial's puzzle)
    elif context:
        reason = f"{reason} ({context})"
    lines = source.split("\n")
    if mark is not None and mark[0] < len(lines) and _AFTER_QUOTE.match(lines[mark[0]]):
        reason += (
            "; text follows the value's closing quote: quote the whole value, in the other"
            """ kind of quotes (`title: '"A" and B'`)"""
        )
    return Problem(path, line, col, "FP101", f"invalid YAML: {reason}; post skipped")


# `title: "房價暴跌" extra "quote"`: a quoted value with more text after its quote
_AFTER_QUOTE = re.compile(
    r"""[ \t]*[^\s:#'"][^:#]*:[ \t]+(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')[ \t]*[^\s#]"""
)


MAX_DEPTH = 100  # YAML nesting: libyaml's C composer recurses and overflows the C stack
_NESTING = re.compile(r"[\[{]|(?:^|\s)[-?](?:\s|$)")


def _too_deep(source: str) -> tuple[int, int] | None:
    """Where the YAML nests more than MAX_DEPTH levels deep (line, column), if it does.

    Reads the YAML's events only (libyaml's parser keeps its own stack, so any
    depth is safe there), and only when there are enough brackets and dashes
    for it to matter."""
    if len(_NESTING.findall(source)) <= MAX_DEPTH:
        return None
    import yaml

    depth = 0
    for event in yaml.parse(source, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                return (mark.line + 2, mark.column + 1) if mark is not None else (2, 0)
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1
    return None


def read(path: str, text: str, problems: list[Problem]) -> FrontMatter:
    """The front matter as a dict, where its keys are, and where the body starts."""
    lines = text.split("\n", FRONT_MATTER_LINES)  # front matter is short: don't split bodies
    if not _FENCE.match(lines[0]) or lines[0].startswith("..."):
        return FrontMatter({}, {}, 0, False)
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None or (end == len(lines) - 1 and len(lines) > FRONT_MATTER_LINES):
        what = (
            "has no closing `---`"
            if end is None and len(lines) <= FRONT_MATTER_LINES
            else (f"is not closed within {FRONT_MATTER_LINES} lines")
        )
        problems.append(Problem(path, 1, 1, "FP107", f"front matter {what}; post skipped"))
        return FrontMatter(None, {}, 0, True)
    given = "\n".join(lines[1:end])
    if "\x1b" in given:  # a terminal's codes go with their ESC, as in `text.xml_safe`
        given = TERMINAL_CODES.sub("", given)
    block = FRONT_MATTER_BAD.sub("", given).split("\n") if end > 1 else []
    keys = {m.group(1): i + 2 for i, ln in enumerate(block) if (m := _KEY_LINE.match(ln))}
    meta = simple_yaml(block)
    if meta is not None:  # (a quoted date is text, not YAML's timestamp: `date_text`)
        at = keys.get("date")
        quote = block[at - 2].partition(":")[2].lstrip(" \t")[:1] if at else ""
        return FrontMatter(meta, keys, end + 1, True, quote in ("'", '"'))
    import yaml

    source = _YAML_BREAKS.sub(" ", "\n".join(block))
    try:
        deep = _too_deep(source)
        if deep:
            msg = f"invalid YAML: nested more than {MAX_DEPTH} levels deep; post skipped"
            problems.append(Problem(path, deep[0], deep[1], "FP101", msg))
            return FrontMatter(None, keys, 0, True)
        loaded = yaml.load(source, Loader=_loader())
    except yaml.YAMLError as e:
        problems.append(_yaml_error(path, source, e))
        return FrontMatter(None, keys, 0, True)
    except RecursionError:
        msg = "invalid YAML: nested too deeply to read; post skipped"
        problems.append(Problem(path, 2, 0, "FP101", msg))
        return FrontMatter(None, keys, 0, True)
    except _CONSTRUCT_ERRORS as e:  # a constructor PyYAML has no guard for
        msg = f"invalid YAML value ({type(e).__name__}: {e}); post skipped"
        problems.append(Problem(path, 2, 0, "FP101", msg))
        return FrontMatter(None, keys, 0, True)
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, dict):
        msg = f"front matter is a {kind(loaded)}, not `key: value` lines; post skipped"
        problems.append(Problem(path, 2, 1, "FP103", msg))
        return FrontMatter(None, keys, 0, True)
    meta = {k: v for k, v in loaded.items() if isinstance(k, str)}
    return FrontMatter(meta, keys, end + 1, True, isinstance(meta.get("date"), str))


# A key and its colon; the value, after a space or tab, is the rest of the line
# stripped of spaces and tabs (a regular expression's lazy `(.*?)[ \t]*$` costs a
# fifth of reading a post's front matter).
_KEY = re.compile(r"[A-Za-z_][\w-]*:")
_FLOW_SPECIAL = re.compile(r"[,\[\]{}]")
_PLAIN_BAD_START = frozenset("-?:,[]{}#&*!|>'\"%@`0123456789+.~<= \t")
# Words YAML 1.1 reads as booleans or null, not as text.
_TYPED = frozenset(
    v
    for w in ["yes", "no", "true", "false", "on", "off", "null"]
    for v in (w, w.title(), w.upper())
)


_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\["\\])*)"')
_ESCAPE = re.compile(r'\\(["\\])')
_BOOLS = {"true": True, "True": True, "false": False, "False": False}
# Dates `timestamps.parse_date` reads exactly as YAML would; other shapes YAML takes
# for a timestamp (a one-digit hour, two spaces, a one-digit zone hour, a point
# without digits, a zone's minutes past 59) go to YAML.
_SIMPLE_DATE = re.compile(
    r"\d{4}-\d\d-\d\d(?:[Tt ]\d\d:\d\d:\d\d(?:\.\d+)?(?: ?(?:Z|[-+]\d\d(?::[0-5]\d)?))?)?",
    re.ASCII,
)


def _plain(value: str, in_flow: bool) -> bool:
    """True if YAML would read `value` as this very string (a safe plain scalar)."""
    if not value or value[0] in _PLAIN_BAD_START or value in _TYPED:
        return False
    if ": " in value or " #" in value or value.endswith(":") or "\t" in value:
        return False
    # libyaml refuses `:` before a flow indicator in a flow collection (`[x:?]`)
    return not in_flow or (_FLOW_SPECIAL.search(value) is None and ":?" not in value)


def _scalar(key: str, value: str) -> tuple[bool, Any]:
    if value.startswith('"'):  # escapes: only \" and \\ (a scraped title quotes a name)
        if "\\" not in value:
            return len(value) > 1 and value.endswith('"') and '"' not in value[1:-1], value[1:-1]
        if (m := _DOUBLE_QUOTED.fullmatch(value)) is None:
            return False, value
        inner = m[1]
        return True, _ESCAPE.sub(r"\1", inner) if "\\" in inner else inner
    if value.startswith("'"):
        return value.endswith("'") and len(value) > 1 and "'" not in value[1:-1], value[1:-1]
    if value.startswith("["):
        inner = value[1:-1].strip(" \t") if value.endswith("]") else "!"
        items = [x.strip(" \t") for x in inner.split(",")] if inner else []  # as YAML: not U+3000
        return all(_plain(x, True) for x in items), items
    if key == "date" and _SIMPLE_DATE.fullmatch(value):
        return True, value  # timestamps.parse_date reads the text as YAML would
    return _plain(value, False), value


def simple_yaml(lines: list[str]) -> dict[str, Any] | None:
    """Front matter of flat `key: value` lines, read without YAML; None otherwise.

    Nine posts in ten have only such lines, and the YAML loader's Python half
    costs more than the rest of reading a post. Anything this cannot read
    exactly as YAML would (quotes with escapes, numbers, booleans, nesting,
    comments, line breaks YAML sees and we do not) returns None and goes to
    the YAML loader.
    """
    if _YAML_BREAKS.search("\n".join(lines)) and any(
        line.strip() and _YAML_BREAKS.search(line) for line in lines
    ):
        return None  # on a line that is not blank (a blank one is skipped)
    meta: dict[str, Any] = {}
    for line in lines:
        if not line.strip(_BLANK):  # not str.strip(): YAML refuses some lines of tabs,
            continue  # and U+3000 or U+00A0 is text to it
        m = _KEY.match(line)
        if m is None:
            return None
        rest = line[m.end() :]
        if rest and rest[0] not in " \t":
            return None
        key, value = line[: m.end() - 1], rest.strip(" \t")
        ok, parsed = _scalar(key, value) if value else (True, None)
        if not ok and value in _BOOLS:
            ok, parsed = True, _BOOLS[value]
        if not ok:
            return None
        meta[key] = parsed
    return meta


def kind(value: Any) -> str:
    """What YAML made of a value, in words."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, bytes):  # (`!!binary`)
        return "binary value"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "string" if isinstance(value, str) else type(value).__name__


Defaults = tuple[tuple[str, str, str], ...]  # Jekyll's `defaults:`: (path, type, values JSON)


def defaults_of(sets: Any) -> Defaults:
    """Jekyll's `defaults:` as (scope path, scope type, values as JSON): what a post's
    front matter lacks, it takes from them (`defaulted`). Only what a
    post's front matter could say is kept: a set of a scope table and a values table,
    values of text, a number, a boolean or a list of those (not YAML's aliases of
    nested tables, which JSON would write out again and again); the first 100 sets."""
    found = []
    for entry in sets[:100] if isinstance(sets, list) else ():
        scope = entry.get("scope", {}) if isinstance(entry, dict) else None
        values = entry.get("values") if isinstance(entry, dict) else None
        if not isinstance(scope, dict) or not isinstance(values, dict):
            continue
        kept = {
            k: v
            for k, v in values.items()
            if isinstance(k, str) and k != _TIMESTAMP and _front_value(v)
        }
        path, kind = scope.get("path") or "", scope.get("type") or ""
        if kept and isinstance(path, str) and isinstance(kind, str):
            text = json.dumps(kept, sort_keys=True, ensure_ascii=False, default=_timestamp)
            found.append((path, kind, text))
    return tuple(found)


_TIMESTAMP = "\0timestamp"  # a JSON object holding a YAML timestamp (no key says it)


def _timestamp(value: date) -> dict[str, str]:
    """A YAML timestamp (unquoted: UTC if zoneless), told apart from text (quoted: read
    in the site's zone, as a post's own `date:`, see `FrontMatter.date_text`)."""
    return {_TIMESTAMP: value.isoformat()}


def _timestamps(found: dict[str, Any]) -> Any:
    """`json.loads`'s object hook: a `_timestamp` object as the date it holds."""
    if _TIMESTAMP not in found:
        return found
    text = found[_TIMESTAMP]
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def _front_value(value: Any) -> bool:
    """Whether `value` is one a post's front matter could hold for feedpub to read."""
    one = (str, int, float, bool, date)
    return isinstance(value, one) or (
        isinstance(value, list) and len(value) <= 1_000 and all(isinstance(v, one) for v in value)
    )


def defaulted(path: str, sets: Defaults) -> dict[str, Any]:
    """The front matter Jekyll's `defaults:` give the file at `path` (from the site's
    root), as Jekyll merges them: a set applies if its `path` starts the file's (or
    matches it, with a `*`) and its `type` is the file's (`posts`, or `pages` in
    `archived/`); a longer path, else a stated type, overrides the set before."""
    folders = path.split("/")[:-1]
    kind = "pages" if "archived" in folders and "_posts" not in folders else "posts"
    found: dict[str, Any] = {}
    old: tuple[str, str] | None = None
    for scope, scope_type, values in sets:
        scope = scope.strip("/")
        if scope_type and scope_type != kind:
            continue
        if "*" in scope and not fnmatch.fnmatchcase(path, scope + "*"):
            continue
        if "*" not in scope and not path.startswith(scope):
            continue  # (a string's start, not whole folder names: as `jekyll build` 4.3.1)
        given = _values(values)
        if old is None or _precedes(old, (scope, scope_type)):
            found, old = {**found, **given}, (scope, scope_type)
        else:
            found = {**given, **found}
    return found


@functools.lru_cache(maxsize=128)
def _values(text: str) -> dict[str, Any]:
    """A set's values, read once a build (a post copies what applies)."""
    found: dict[str, Any] = json.loads(text, object_hook=_timestamps)
    return found


def _precedes(old: tuple[str, str], new: tuple[str, str]) -> bool:
    """Jekyll's `has_precedence?` of a scope (path, type) over the one before."""
    if len(new[0]) != len(old[0]):
        return len(new[0]) >= len(old[0])
    return bool(new[1]) or not old[1]


_LEAD_KEYS = ("description", "excerpt", "image", "last_modified_at")


def lead(
    meta: dict[str, Any],
    clean: Callable[[str, Any], str | None],
    text: str,
    body_start: int,
    site: liquidsite.Site,
) -> Lead | None:
    """What the front matter gives a reader's list of entries, as jekyll-feed reads it
    (each value made text by `clean`): `description`, else `excerpt`, as the summary;
    `image` (or its `path`) as the picture, absolute against the site; the excerpt's
    end, the post's own `excerpt_separator` or the site's, if the body holds it
    (Jekyll's default, the first blank line, is not used: feedpub's own summary is);
    `last_modified_at`, as written. None if none is given."""
    own = meta.get("excerpt_separator")
    separator = own if isinstance(own, str) else printed(site.config.get("excerpt_separator", ""))
    if not separator and meta.keys().isdisjoint(_LEAD_KEYS):
        return None  # most posts: nothing more to look up
    summary = clean("description", meta.get("description"))
    summary = summary or clean("excerpt", meta.get("excerpt")) or ""
    image = meta.get("image")
    image = clean("image", image.get("path") if isinstance(image, dict) else image)
    image = (liquidsite.filtered("absolute_url", image, site) or "") if image else ""
    image = image if image.startswith(("https://", "http://")) else ""
    if summary or text.find(separator, body_start) < 0:
        separator = ""
    modified = meta.get("last_modified_at")  # a time or a day (a `datetime` is a `date`)
    modified = modified.isoformat() if isinstance(modified, date) else modified  # marshal's
    if not isinstance(modified, str) or len(modified) > 100:
        modified = None  # a list, a mapping, a number, a page of text: no time
    if summary or image or separator or modified is not None:
        return Lead(summary, image, separator, modified)
    return None
