"""The collector: find the posts and read each one into a `RawPost`.

Reading never raises for anything that is the file's fault: it returns the
post it could read (or None) and the `Problem`s it found, each with the file's
own line number. Bodies are not kept: a `RawPost` records where its body
starts, and the generator reads it again only for the entries that end up in a
feed, so memory grows with the number of posts, not with their size.

Every string a `RawPost` carries is free of the characters XML 1.0 forbids;
finding one is reported (FP201), never fatal. Titles, names and the link text
are plain text with their character references decoded (scrapers escape them).
A body nested too deep for lxml is found here (FP202): the cleaner, which
makes it plain text, runs only for what is not cached, so could not report it.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .problems import Problem
from .text import (
    ILLEGAL_XML,
    NESTING_LIMIT,
    content_hash,
    too_deep,
    unescape_references,
    xml_safe,
    yaml_mark,
)

MAX_TAGS = 100  # see `Limits`
FRONT_MATTER_LINES = 200  # a front matter not closed by then is reported unclosed
BINARY_PROBE = 8192  # a NUL byte in this many first bytes makes a file binary
_MARKER = re.compile(r"<!--\s*(.*?)\s*-->\s*$")
_LINK = re.compile(r"\[(.*)\]\((\S*)\)\s*$")
_RULE = re.compile(r"-{3,}\s*$")
_FENCE = re.compile(r"(?:---|\.\.\.)[ \t]*$")
_KEY_LINE = re.compile(r"([\w-]+)[ \t]*:")
# Characters YAML refuses in a stream but XML allows (DEL and the C1 controls but
# NEL): removed from the front matter, with those XML forbids, before it is read.
_YAML_ONLY_BAD = re.compile("[\x7f-\x84\x86-\x9f]")
_NOT_SPACE = re.compile(r"\S")
_FRONT_MATTER_BAD = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
# Line breaks to YAML but not to us: as spaces, YAML's line numbers stay the file's.
_YAML_BREAKS = re.compile("[\x85\u2028\u2029]")
# Plain-text fields whose character references are decoded (not `from:`, a URL).
_DECODED = frozenset({"title", "author", "tags", "categories"})


@dataclass(frozen=True, slots=True)
class RawPost:
    """One post file as written, before any judgement about time or identity."""

    path: str  # relative to the posts folder, with `/`
    digest: str  # hash of the file's bytes
    body_digest: str  # hash of the body alone: copies that differ in front matter only match
    title: str
    date: Any  # what YAML gave for `date:` (datetime, date, str, ...), None if absent
    date_line: int  # line of `date:` in the file, 0 if absent
    author: str
    url: str  # the `from:` URL
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    marker: str | None  # the text inside `<!--...-->`, None when there is no marker
    link_text: str  # the text of the `[title](url)` preamble line
    body_start: int  # offset of the body in the decoded, LF-normalised text
    body_line: int
    markdown: bool  # body is markdown (to render), not HTML
    encoding: str
    marker_line: int = 0  # line of the `<!--...-->` marker, 0 when there is none

    def __reduce__(self) -> tuple[Callable[..., RawPost], tuple[Any, ...]]:
        """Pickled as its values (half the time to load); see `_unpickled`."""
        return (_unpickled, tuple(getattr(self, name) for name in _RAW_FIELDS))


_RAW_FIELDS = tuple(f.name for f in dataclass_fields(RawPost))


def _unpickled(path: str, *values: Any) -> RawPost:
    """A reading from a worker, its path the caller's string (`build.read_files`
    interns them): tens of thousands of readings hold no second copy of a path."""
    return RawPost(sys.intern(path), *values)


@dataclass(frozen=True, slots=True)
class Read:
    post: RawPost | None
    problems: tuple[Problem, ...]

    def __reduce__(self) -> tuple[type[Read], tuple[RawPost | None, tuple[Problem, ...]]]:
        return (Read, (self.post, self.problems))


_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


_BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)


@dataclass(frozen=True)
class Decoded:
    text: str  # LF line endings, no BOM
    encoding: str  # "utf-8", "gb18030", "utf-16-le", ...
    replaced: int  # undecodable byte sequences, now U+FFFD
    first_bad: int  # offset in the bytes of the first byte that was not UTF-8, -1 if none


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def decode_bytes(data: bytes) -> Decoded:
    """Decode a post: UTF-8 (BOM or not), UTF-16/32 with a BOM, else the better of
    UTF-8 and GB18030 with undecodable bytes replaced. Never raises."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(codec, "replace")
            return Decoded(_lf(text), codec, text.count("\ufffd"), 0)
    try:
        return Decoded(_lf(data.decode("utf-8-sig")), "utf-8", 0, -1)
    except UnicodeDecodeError as e:
        first_bad = e.start
    utf8 = data.decode("utf-8-sig", "replace")
    bad_utf8 = utf8.count("\ufffd") - data.count("\ufffd".encode())
    gbk = data.decode("gb18030", "replace")
    bad_gbk = gbk.count("\ufffd") - data.count("\ufffd".encode("gb18030"))
    if bad_gbk < bad_utf8:
        return Decoded(_lf(gbk), "gb18030", max(bad_gbk, 0), first_bad)
    return Decoded(_lf(utf8), "utf-8", max(bad_utf8, 1), first_bad)


def decode(data: bytes) -> tuple[str, str]:
    """Text (LF line endings) and the encoding used; see `decode_bytes`."""
    decoded = decode_bytes(data)
    return decoded.text, decoded.encoding


class Refused(Exception):
    """A post file that is not read, and why: a problem's code and message ("" for a
    folder that could be listed after all: nothing to report)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def read_bytes(root: Path, path: str, limit: int) -> bytes:
    """The bytes of the post file `path` under `root`, at most `limit` of them.

    A symbolic link is followed only to a file inside `root`: a link committed to
    an archive must not publish the runner's files. Pipes, devices and folders
    are refused without being read (opening a pipe without O_NONBLOCK blocks).
    """
    full = os.path.join(root, path)
    try:
        try:
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as e:
            if e.errno != errno.ELOOP:  # ELOOP: the file is a symbolic link
                raise
            fd = _open_link(root, full)
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            os.close(fd)
            if stat.S_ISDIR(st.st_mode):  # a folder the scan could not list
                os.scandir(full).close()
                raise Refused("", "")
            raise Refused("FP001", "not a regular file (a pipe, socket or device); skipped")
        with open(fd, "rb") as f:
            if st.st_size > limit:
                raise Refused("FP002", _too_large(st.st_size, limit))
            data = f.read(limit + 1)
    except OSError as e:
        what = "folder cannot be listed" if os.path.isdir(full) else "cannot read the file"
        raise Refused("FP001", f"{what}: {e.strerror or e}; skipped") from e
    if len(data) > limit:
        raise Refused("FP002", _too_large(len(data), limit))
    return data


def _open_link(root: Path, full: str) -> int:
    """Open the target of the link `full`, if it lies inside `root`."""
    target = os.path.realpath(full)
    base = os.path.realpath(root)
    if os.path.commonpath([target, base]) != base:
        raise Refused(
            "FP007", f"symbolic link to {target}, outside the posts folder; not followed, skipped"
        )
    return os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)


def _too_large(size: int, limit: int) -> str:
    return f"file is {size:,} bytes, over the {limit:,}-byte limit (max_bytes); skipped"


def read_body(root: Path, path: str, start: int, limit: int) -> str:
    """The body of a post, read again from disk (`start` is `RawPost.body_start`)."""
    text, _ = decode(read_bytes(root, path, limit))
    return text[start:]


class Limits(NamedTuple):
    """What one post may be: bounds a real archive never meets, so that one hostile
    file cannot make a build read gigabytes or write a feed per tag of thousands."""

    max_bytes: int = 5_000_000  # a larger file is skipped (FP002)
    max_tags: int = MAX_TAGS  # tags, and categories, per post; the rest are dropped (FP108)


def read_file(root: Path, path: str, limits: Limits = Limits()) -> Read:
    """Read one post file; problems with the file itself are reported, not raised."""
    try:
        data = read_bytes(root, path, limits.max_bytes)
    except Refused as e:
        return Read(None, (Problem(path, 1, 0, e.code, e.message),) if e.code else ())
    return parse(path, data, limits.max_tags)


def _read_one(root: Path, limits: Limits, path: str, size: int, known: str) -> Read | None:
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
) -> list[Read | None]:
    # Interned: read in this process, the path is then the scan's string again.
    return [
        _read_one(root, limits, sys.intern(os.fsdecode(path)), size, known)
        for path, size, known in items
    ]


Mapper = Callable[[Callable[[Sequence[Any]], list[Any]], Sequence[Any]], list[Any]]


def read_files(
    root: Path, todo: Sequence[tuple[str, int, str]], limits: Limits, mapper: Mapper
) -> list[Read | None]:
    """Read each (path, size, known content hash) of `todo` with `mapper` (the build's
    workers): None where the file still has the known hash (only the hash goes to
    the workers, not the cached reading).

    Paths go to the workers as bytes: pickling a string that is not ASCII leaves
    a UTF-8 copy of it cached in the string, for as long as the build holds it.
    They are interned, so that the readings hold the caller's strings, not copies
    (see `_unpickled`): `sys.intern` makes the string it is given the one.
    """
    items = [(os.fsencode(sys.intern(path)), size, known) for path, size, known in todo]
    return mapper(partial(_read_chunk, root, limits), items)


def parse(path: str, data: bytes, max_tags: int = MAX_TAGS) -> Read:
    """Parse a post's bytes. Pure, and never raises: the fuzz tests call it on any bytes."""
    if data.find(b"\x00", 0, BINARY_PROBE) >= 0 and not data.startswith(_BOM_PREFIXES):
        return Read(None, (Problem(path, 1, 0, "FP003", "binary file (NUL bytes); skipped"),))
    decoded = decode_bytes(data)
    text = decoded.text
    if not text.strip():
        what = "empty file" if not data else "file holds only white space"
        return Read(None, (Problem(path, 1, 0, "FP005", f"{what}; skipped"),))
    problems: list[Problem] = []
    if decoded.encoding != "utf-8" or decoded.replaced:
        problems.append(_encoding_problem(path, data, decoded))
    front = _front_matter(path, text, problems)
    if front.meta is None:
        return Read(None, tuple(problems))
    if front.meta.get("published") is False:
        line = front.lines.get("published", 1)
        msg = "draft (`published: false`); skipped"
        problems.append(Problem(path, line, 0, "FP006", msg))
        return Read(None, tuple(problems))
    return Read(_build(path, data, decoded, front, problems, max_tags), tuple(problems))


def _encoding_problem(path: str, data: bytes, decoded: Decoded) -> Problem:
    line = 1
    if decoded.first_bad > 0:
        line = _lf(data[: decoded.first_bad].decode("utf-8-sig", "replace")).count("\n") + 1
    replaced = (
        f"; {decoded.replaced} undecodable byte sequence(s) replaced by U+FFFD"
        if decoded.replaced
        else ""
    )
    if decoded.encoding.startswith("utf-16") or decoded.encoding.startswith("utf-32"):
        msg = f"{decoded.encoding.upper()} with a byte-order mark; decoded{replaced}"
    elif decoded.encoding == "gb18030":
        msg = f"not UTF-8 (first at line {line}); decoded as GB18030{replaced}"
    else:
        msg = f"not valid UTF-8 (first at line {line}); decoded as UTF-8{replaced}"
    return Problem(path, line, 0, "FP004", msg)


@dataclass(frozen=True)
class FrontMatter:
    meta: dict[str, Any] | None  # None: the post cannot be read
    lines: dict[str, int]  # line in the file of each top-level key
    body_line: int  # 0-based index of the first line after the front matter; 0 if none
    present: bool  # the file starts with a front-matter block


class _Loader(yaml.CSafeLoader):
    """The C loader, but a scalar YAML cannot build (`2021-13-45`, `!!int abc`) stays
    text, so the value is reported where it is instead of the whole post failing."""


# What PyYAML's scalar constructors raise on values their tag does not fit.
_CONSTRUCT_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError)


def _lenient(
    construct: Callable[[yaml.constructor.SafeConstructor, yaml.ScalarNode], Any],
) -> Callable[[_Loader, yaml.Node], Any]:
    def lenient(loader: _Loader, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):  # `!!int [a]`: let PyYAML refuse it
            return loader.construct_scalar(node)  # type: ignore[arg-type]
        try:
            return construct(loader, node)
        except _CONSTRUCT_ERRORS:
            return loader.construct_scalar(node)

    return lenient


for _tag, _construct in (
    ("timestamp", yaml.constructor.SafeConstructor.construct_yaml_timestamp),
    ("int", yaml.constructor.SafeConstructor.construct_yaml_int),
    ("float", yaml.constructor.SafeConstructor.construct_yaml_float),
    ("bool", yaml.constructor.SafeConstructor.construct_yaml_bool),
):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _lenient(_construct))


def _yaml_error(path: str, source: str, e: yaml.YAMLError) -> Problem:
    """FP101 at the file's line and column (the front matter starts on line 2)."""
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
    if context:
        reason = f"{reason} ({context})"
    return Problem(path, line, col, "FP101", f"invalid YAML: {reason}; post skipped")


MAX_DEPTH = 100  # YAML nesting: libyaml's C composer recurses and overflows the C stack
_NESTING = re.compile(r"[\[{]|(?:^|\s)[-?](?:\s|$)")


def _too_deep(source: str) -> tuple[int, int] | None:
    """Where the YAML nests more than MAX_DEPTH levels deep (line, column), if it does.

    Reads the YAML's events only (libyaml's parser keeps its own stack, so any
    depth is safe there), and only when there are enough brackets and dashes
    for it to matter."""
    if len(_NESTING.findall(source)) <= MAX_DEPTH:
        return None
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


def _front_matter(path: str, text: str, problems: list[Problem]) -> FrontMatter:
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
    block = [_FRONT_MATTER_BAD.sub("", ln) for ln in lines[1:end]]
    keys = {m.group(1): i + 2 for i, ln in enumerate(block) if (m := _KEY_LINE.match(ln))}
    meta = simple_yaml(block)
    if meta is not None:
        return FrontMatter(meta, keys, end + 1, True)
    source = _YAML_BREAKS.sub(" ", "\n".join(block))
    try:
        deep = _too_deep(source)
        if deep:
            msg = f"invalid YAML: nested more than {MAX_DEPTH} levels deep; post skipped"
            problems.append(Problem(path, deep[0], deep[1], "FP101", msg))
            return FrontMatter(None, keys, 0, True)
        loaded = yaml.load(source, Loader=_Loader)
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
        kind = _kind(loaded)
        msg = f"front matter is a {kind}, not `key: value` lines; post skipped"
        problems.append(Problem(path, 2, 1, "FP103", msg))
        return FrontMatter(None, keys, 0, True)
    meta = {k: v for k, v in loaded.items() if isinstance(k, str)}
    return FrontMatter(meta, keys, end + 1, True)


_KEY_VALUE = re.compile(r"([A-Za-z_][\w-]*):(?:[ \t]+(.*?))?[ \t]*$")
_PLAIN_BAD_START = frozenset("-?:,[]{}#&*!|>'\"%@`0123456789+.~<= \t")
# Words YAML 1.1 reads as booleans or null, not as text.
_TYPED = frozenset(
    v
    for w in ["yes", "no", "true", "false", "on", "off", "null"]
    for v in (w, w.title(), w.upper())
)


_BOOLS = {"true": True, "True": True, "false": False, "False": False}
# Dates `timestamps.parse_date` reads exactly as YAML would; other shapes YAML takes
# for a timestamp (a one-digit hour, two spaces, a one-digit zone hour) go to YAML.
_SIMPLE_DATE = re.compile(
    r"\d{4}-\d\d-\d\d(?:[Tt ]\d\d:\d\d:\d\d(?:\.\d*)?(?: ?(?:Z|[-+]\d\d(?::\d\d)?))?)?",
    re.ASCII,
)


def _plain(value: str, in_flow: bool) -> bool:
    """True if YAML would read `value` as this very string (a safe plain scalar)."""
    if not value or value[0] in _PLAIN_BAD_START or value in _TYPED:
        return False
    if ": " in value or " #" in value or value.endswith(":") or "\t" in value:
        return False
    return not in_flow or not any(c in value for c in ",[]{}")


def _scalar(key: str, value: str) -> tuple[bool, Any]:
    if value.startswith('"'):
        return value.endswith('"') and len(value) > 1 and '"' not in value[
            1:-1
        ] and "\\" not in value, value[1:-1]
    if value.startswith("'"):
        return value.endswith("'") and len(value) > 1 and "'" not in value[1:-1], value[1:-1]
    if value.startswith("["):
        inner = value[1:-1].strip() if value.endswith("]") else "!"
        items = [x.strip() for x in inner.split(",")] if inner else []
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
    meta: dict[str, Any] = {}
    for line in lines:
        if not line.strip():
            continue
        m = _KEY_VALUE.match(line)
        if m is None or _YAML_BREAKS.search(line):
            return None
        key, value = m.group(1), m.group(2) or ""
        ok, parsed = _scalar(key, value) if value else (True, None)
        if not ok and value in _BOOLS:
            ok, parsed = True, _BOOLS[value]
        if not ok:
            return None
        meta[key] = parsed
    return meta


def _kind(value: Any) -> str:
    """What YAML made of a value, in words."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "string" if isinstance(value, str) else type(value).__name__


class _Fields:
    """Turns front-matter values into clean strings, reporting what it had to change."""

    def __init__(
        self, path: str, lines: dict[str, int], problems: list[Problem], max_tags: int
    ) -> None:
        self.path = path
        self.lines = lines
        self.problems = problems
        self.max_tags = max_tags
        self.removed: Counter[str] = Counter()  # key -> XML-illegal characters removed

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def report(self, key: str, code: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line(key), 0, code, message))

    def text(self, key: str, value: Any) -> str | None:
        """A scalar as clean, stripped text; None for lists, mappings and null."""
        if value is None or isinstance(value, list | tuple | dict):
            return None
        text = value if isinstance(value, str) else str(value)
        if key in _DECODED:
            text = unescape_references(text)
        safe = xml_safe(text)
        self.removed[key] += len(text) - len(safe)
        return safe.strip()

    def names(self, key: str, value: Any) -> tuple[str, ...]:
        """Tags or categories as a clean tuple, whatever shape the YAML gave them."""
        if value is None:
            return ()
        if isinstance(value, list | tuple):
            names = self._clean(key, value)
            bad = [x for x in value if not isinstance(x, str) or not x.strip()]
            if bad:
                kinds = ", ".join(sorted({"empty" if _empty(x) else _kind(x) for x in bad}))
                dropped = sum(1 for x in bad if _empty(x) or isinstance(x, list | tuple | dict))
                msg = f"`{key}` has {len(bad)} item(s) that are not names ({kinds})"
                kept = f"{len(bad) - dropped} kept as text" if len(bad) > dropped else ""
                done = "; ".join(x for x in (f"{dropped} dropped" if dropped else "", kept) if x)
                self.report(key, "FP106", f"{msg}: {done}; read as {list(names)!r}")
            return names
        if isinstance(value, str):
            shape = "comma-separated text" if "," in value else "text, not a list"
            names = self._clean(key, value.split(",") if "," in value else value.split())
        else:
            shape = f"a {_kind(value)}, not a list"
            names = self._clean(key, [value])
        self.report(key, "FP106", f"`{key}` is {shape}; read as {list(names)!r}")
        return names

    def _clean(self, key: str, items: Iterable[Any]) -> tuple[str, ...]:
        """Interned: thousands of posts share each tag, and a build holds them all.
        At most `max_tags`: each name is a feed, and one post must not make thousands."""
        names = (self.text(key, x) for x in items)
        found = tuple(dict.fromkeys(sys.intern(n) for n in names if n))
        if len(found) > self.max_tags:
            msg = (
                f"`{key}` has {len(found):,} names, over the limit of {self.max_tags} "
                f"(max_tags); only the first {self.max_tags} are kept"
            )
            self.report(key, "FP108", msg)
            found = found[: self.max_tags]
        return found

    def title(self, value: Any, fallback: str, origin: str) -> str:
        """The title, or `fallback` (taken from `origin`) when there is none."""
        text = self.text("title", value)
        using = f"using {fallback!r} from the {origin}"
        if value is None:
            self.report("title", "FP104", f"no `title:`; {using}")
        elif not isinstance(value, str):
            kind = _kind(value)
            if text is None:
                self.report("title", "FP105", f"title is a {kind}, not text; {using}")
            else:
                self.report("title", "FP105", f"title is a {kind}; used as the text {text!r}")
        elif not text:
            self.report("title", "FP104", f"the title is empty; {using}")
        return text or fallback

    def author(self, value: Any) -> str:
        if isinstance(value, dict):  # jekyll-feed's `author: {name: ...}`
            value = value.get("name")
        elif isinstance(value, list | tuple):
            value = next((x for x in value if isinstance(x, str) and x.strip()), None)
        return sys.intern(self.text("author", value) or "")

    def report_removed(self) -> None:
        """FP201 for characters that YAML escapes (`"\\x08"`) or character references
        (`&#8;`) put into a value."""
        for key, n in sorted(self.removed.items()):
            if n:
                msg = (
                    f"`{key}` holds {n} character(s) XML cannot carry"
                    " (from YAML escapes or character references); removed"
                )
                self.report(key, "FP201", msg)


def _date(value: Any) -> Any:
    """`date:` as YAML gave it, but a list or mapping as a word: it is only ever
    reported, and the repr of a YAML alias bomb would not fit in memory."""
    return f"<a {_kind(value)}>" if isinstance(value, list | tuple | dict) else value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _preamble(text: str, start: int) -> tuple[str | None, int, str, int, str, int]:
    """Marker text and offset, link text and offset, link URL and the body offset
    after the preamble."""
    marker, link_text, link_url = None, "", ""
    marker_at = link_at = -1
    pos = start
    for step in ("marker", "link", "rule"):
        while text.startswith("\n", pos):
            pos += 1
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if step == "marker" and (m := _MARKER.match(line)):
            marker, marker_at = m.group(1), pos
        elif step == "link" and (m := _LINK.match(line)):
            link_text, link_url, link_at = m.group(1), m.group(2), pos
        elif step == "rule" and (marker is not None or link_text) and _RULE.match(line):
            pass
        else:
            continue  # this part of the preamble is absent: try the next one on this line
        pos = min(end + 1, len(text))
    if marker is None and not link_text:
        return None, -1, "", -1, "", start
    return marker, marker_at, link_text, link_at, link_url, pos


def _illegal_chars(path: str, text: str, front_end: int) -> Problem | None:
    """FP201 for the characters XML forbids in the file (and, in the front matter,
    the controls YAML forbids): where the first is and how many there are."""
    first = ILLEGAL_XML.search(text)
    extra = _YAML_ONLY_BAD.search(text, 0, front_end)
    if first is None and extra is None:
        return None
    count = len(ILLEGAL_XML.findall(text)) + len(_YAML_ONLY_BAD.findall(text, 0, front_end))
    found = [m for m in (first, extra) if m is not None]
    at = min(found, key=lambda m: m.start())
    line = text.count("\n", 0, at.start()) + 1
    col = at.start() - text.rfind("\n", 0, at.start())
    msg = f"{count} control character(s) XML cannot carry (first U+{ord(at.group()):04X}); removed"
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
    """FP202 for a body nested deeper than lxml can parse, found by the estimate
    `html.clean` uses to make such a body plain text; at the body's first line
    that is not blank."""
    depth = too_deep(text, body_start)
    if not depth:
        return None
    first = _NOT_SPACE.search(text, body_start)
    line = text.count("\n", 0, first.start() if first else body_start) + 1
    msg = (
        f"body nests {depth} elements deep, over the {NESTING_LIMIT} the HTML parser"
        " can hold; published as plain text"
    )
    return Problem(path, line, 0, "FP202", msg)


@lru_cache(maxsize=4096)
def _interned(names: tuple[str, ...]) -> tuple[str, ...]:
    """`names` as interned strings, in a tuple shared by the posts with those names
    (so a chunk of readings pickles it once)."""
    return tuple(map(sys.intern, names))


def _build(
    path: str,
    data: bytes,
    decoded: Decoded,
    front: FrontMatter,
    problems: list[Problem],
    max_tags: int = MAX_TAGS,
) -> RawPost:
    text = decoded.text
    meta = front.meta or {}
    fields = _Fields(path, front.lines, problems, max_tags)
    start = 0
    if front.body_line:
        start = sum(len(ln) + 1 for ln in text.split("\n", front.body_line)[: front.body_line])
    start = min(start, len(text))
    marker, marker_at, link_text, link_at, link_url, body_start = _preamble(text, start)
    link_text = _link_text(path, text, link_text, link_at, problems)
    stem = os.path.splitext(path.rpartition("/")[2])[0]
    fallback = link_text or xml_safe(stem).strip() or "untitled"
    origin = "link text" if link_text else "file name"
    if front.present:
        title = fields.title(meta.get("title"), fallback, origin)
    else:
        title = fallback
        msg = f"no front matter; read as a plain post titled {title!r} (from the {origin})"
        problems.append(Problem(path, 1, 1, "FP102", msg))
    found = _illegal_chars(path, text, start)
    if found:
        problems.append(found)
    deep = _deep_body(path, text, body_start)
    if deep:
        problems.append(deep)
    url = fields.text("from", meta.get("from")) or xml_safe(link_url)
    first = _NOT_SPACE.search(text, body_start)
    starts_html = first is not None and first.group() == "<"
    # Names repeat across posts: interned, a chunk of readings pickles (and so holds)
    # each once; a link text equal to the title is the title's object.
    post = RawPost(
        path=path,
        digest=content_hash(data),
        body_digest=content_hash(text[body_start:].encode("utf-8", "surrogatepass")),
        title=title,
        date=_date(meta.get("date")),
        date_line=front.lines.get("date", 0),
        author=sys.intern(fields.author(meta.get("author"))),
        url=url,
        tags=_interned(fields.names("tags", meta.get("tags"))),
        categories=_interned(fields.names("categories", meta.get("categories"))),
        marker=marker,
        link_text=title if link_text == title else link_text,
        body_start=body_start,
        body_line=text.count("\n", 0, body_start) + 1,
        markdown=marker is None and not path.endswith(".html") and not starts_html,
        encoding=decoded.encoding,
        marker_line=text.count("\n", 0, marker_at) + 1 if marker is not None else 0,
    )
    fields.report_removed()
    return post


Reading = Read  # the name the stages use (`Read` is the one readings are pickled under)
