"""The collector: find the posts and read each one into a `RawPost`.

Reading never raises for anything that is the file's fault: it returns the
post it could read (or None) and the `Problem`s it found. Bodies are not kept:
a `RawPost` records where its body starts, and the generator reads it again
only for the entries that end up in a feed, so memory grows with the number of
posts, not with their size.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .problems import Problem
from .text import ILLEGAL_XML

EXTENSIONS = (".md", ".markdown", ".html")
_MARKER = re.compile(r"<!--\s*(.*?)\s*-->\s*$")
_LINK = re.compile(r"\[(.*)\]\((\S*)\)\s*$")
_RULE = re.compile(r"-{3,}\s*$")
_FENCE = re.compile(r"(?:---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Read:
    post: RawPost | None
    problems: tuple[Problem, ...]


def walk(root: Path, skip: tuple[Path, ...] = ()) -> Iterator[str]:
    """Relative paths of post files under `root`, sorted, hidden entries skipped."""
    skipped = {os.path.realpath(p) for p in skip}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and os.path.realpath(os.path.join(folder, d)) not in skipped
        )
        rel = os.path.relpath(folder, root)
        for name in sorted(files):
            if name.startswith(".") or not name.endswith(EXTENSIONS):
                continue
            yield name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")


def decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (with or without BOM), else GB18030."""
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("gb18030", errors="replace"), "gb18030"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, encoding


def read_body(root: Path, path: str, start: int) -> str:
    """The body of a post, read again from disk (`start` is `RawPost.body_start`)."""
    with open(root / path, "rb") as f:
        text, _ = decode(f.read())
    return text[start:]


def read_file(root: Path, path: str, max_bytes: int) -> Read:
    """Read one post file; problems with the file itself are reported, not raised."""
    try:
        with open(root / path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > max_bytes:
                msg = f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; skipped"
                return Read(None, (Problem(path, 1, 0, "FP002", msg),))
            data = f.read()
    except OSError as e:
        return Read(None, (Problem(path, 1, 0, "FP001", f"cannot read: {e.strerror}"),))
    return parse(path, data)


def parse(path: str, data: bytes) -> Read:
    """Parse a post's bytes. Pure: the fuzz tests call it on arbitrary bytes."""
    if b"\x00" in data[:8192]:
        return Read(None, (Problem(path, 1, 0, "FP003", "binary file; skipped"),))
    if not data.strip():
        return Read(None, (Problem(path, 1, 0, "FP005", "empty file; skipped"),))
    text, encoding = decode(data)
    problems: list[Problem] = []
    if encoding != "utf-8":
        problems.append(Problem(path, 1, 0, "FP004", "not UTF-8; decoded as GB18030"))
    meta, body_line = _front_matter(path, text, problems)
    if meta is None:
        return Read(None, tuple(problems))
    if meta.get("published") is False:
        problems.append(Problem(path, 1, 0, "FP006", "draft (published: false); skipped"))
        return Read(None, tuple(problems))
    return Read(_build(path, data, text, meta, body_line, encoding, problems), tuple(problems))


def _front_matter(
    path: str, text: str, problems: list[Problem]
) -> tuple[dict[str, Any] | None, int]:
    """The front matter as a dict and the 0-based index of the line after it."""
    lines = text.split("\n", 200)  # front matter is short: don't split whole bodies
    if not _FENCE.match(lines[0]) or lines[0].startswith("..."):
        problems.append(Problem(path, 1, 0, "FP102", "no front matter; read as a plain post"))
        return {}, 0
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), None)
    if end is None or (end == len(lines) - 1 and len(lines) > 200):
        problems.append(Problem(path, 1, 0, "FP107", "front matter is not closed; skipped"))
        return None, 0
    meta = simple_yaml(lines[1:end])
    if meta is not None:
        return meta, end + 1
    source = "\n".join(lines[1:end])
    try:
        meta = yaml.load(source, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line, col = (mark.line + 2, mark.column + 1) if mark is not None else (2, 0)
        reason = getattr(e, "problem", None) or str(e).split("\n")[0]
        problems.append(Problem(path, line, col, "FP101", f"invalid YAML: {reason}; skipped"))
        return None, 0
    except (ValueError, OverflowError, TypeError) as e:  # e.g. a timestamp PyYAML cannot build
        problems.append(Problem(path, 2, 0, "FP101", f"invalid YAML value: {e}; skipped"))
        return None, 0
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.append(Problem(path, 2, 0, "FP103", "front matter is not a mapping; skipped"))
        return None, 0
    meta["_lines"] = {
        m.group(1): i + 2 for i, ln in enumerate(lines[1:end]) if (m := re.match(r"(\w+):", ln))
    }
    return meta, end + 1


_KEY_VALUE = re.compile(r"([A-Za-z_][\w-]*):(?:[ \t]+(.*?))?[ \t]*$")
_PLAIN_BAD_START = frozenset("-?:,[]{}#&*!|>'\"%@`0123456789+.~<= \t")
# Words YAML 1.1 reads as booleans or null, not as text.
_TYPED = frozenset(
    v
    for w in ["yes", "no", "true", "false", "on", "off", "null"]
    for v in (w, w.title(), w.upper())
)


_BOOLS = {"true": True, "True": True, "false": False, "False": False}


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
    if key == "date" and re.fullmatch(r"\d{4}-\d\d-\d\d[\dT:.+\- Z]*", value):
        return True, value  # timestamps.parse_date reads the text as YAML would
    return _plain(value, False), value


def simple_yaml(lines: list[str]) -> dict[str, Any] | None:
    """Front matter of flat `key: value` lines, read without YAML; None otherwise.

    Nine posts in ten have only such lines, and the YAML loader's Python half
    costs more than the rest of reading a post. Anything this cannot read
    exactly as YAML would (quotes with escapes, numbers, booleans, nesting,
    comments) returns None and goes to the YAML loader.
    """
    meta: dict[str, Any] = {}
    numbers: dict[str, int] = {}
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = _KEY_VALUE.match(line)
        if m is None:
            return None
        key, value = m.group(1), m.group(2) or ""
        ok, parsed = _scalar(key, value) if value else (True, None)
        if not ok and value in _BOOLS:
            ok, parsed = True, _BOOLS[value]
        if not ok:
            return None
        meta[key] = parsed
        numbers.setdefault(key, i + 2)
    meta["_lines"] = numbers
    return meta


def _string(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _names(path: str, meta: dict[str, Any], key: str, problems: list[Problem]) -> tuple[str, ...]:
    """Tags or categories as a clean tuple, whatever shape the YAML gave them."""
    value = meta.get(key)
    line = meta["_lines"].get(key, 1)
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(",") if "," in value else value.split()
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = [value]
    if any(not isinstance(x, str) or not x.strip() for x in items):
        problems.append(
            Problem(path, line, 0, "FP106", f"`{key}` has empty or non-text items; cleaned")
        )
    names = (_string(x) for x in items if x is not None and not isinstance(x, dict | list))
    return tuple(dict.fromkeys(n for n in names if n))


def _preamble(text: str, start: int) -> tuple[str | None, str, str, int]:
    """Marker text, link text, link URL and the body offset after the preamble."""
    marker, link_text, link_url = None, "", ""
    pos = start
    for step in ("marker", "link", "rule"):
        while text.startswith("\n", pos):
            pos += 1
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end]
        if step == "marker" and (m := _MARKER.match(line)):
            marker = m.group(1)
        elif step == "link" and (m := _LINK.match(line)):
            link_text, link_url = m.group(1), m.group(2)
        elif step == "rule" and (marker is not None or link_text) and _RULE.match(line):
            pass
        else:
            continue  # this part of the preamble is absent: try the next one on this line
        pos = min(end + 1, len(text))
    if marker is None and not link_text:
        return None, "", "", start
    return marker, link_text, link_url, pos


def _build(
    path: str,
    data: bytes,
    text: str,
    meta: dict[str, Any],
    body_line: int,
    encoding: str,
    problems: list[Problem],
) -> RawPost:
    lines = meta["_lines"]
    start = 0
    if body_line:
        start = sum(len(ln) + 1 for ln in text.split("\n", body_line)[:body_line])
    start = min(start, len(text))
    marker, link_text, link_url, body_start = _preamble(text, start)
    title = meta.get("title")
    if title is not None and not isinstance(title, str):
        problems.append(Problem(path, lines.get("title", 1), 0, "FP105", "title is not text"))
    title = _string(title)
    link_text = link_text.strip()
    if not title:
        fallback = link_text or Path(path).stem
        problems.append(
            Problem(path, lines.get("title", 1), 0, "FP104", f"no title; using {fallback!r}")
        )
        title = fallback
    body = text[body_start:]
    bad = ILLEGAL_XML.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        count = len(ILLEGAL_XML.findall(text))
        msg = f"{count} character(s) XML cannot carry (first U+{ord(bad.group()):04X}); removed"
        problems.append(Problem(path, line, 0, "FP201", msg))
    url = _string(meta.get("from")) or link_url
    stripped = body.lstrip()
    return RawPost(
        path=path,
        digest=hashlib.blake2b(data, digest_size=16).hexdigest(),
        body_digest=hashlib.blake2b(
            body.encode("utf-8", "surrogatepass"), digest_size=16
        ).hexdigest(),
        title=title,
        date=meta.get("date"),
        date_line=lines.get("date", 0),
        author=_string(meta.get("author")),
        url=url,
        tags=_names(path, meta, "tags", problems),
        categories=_names(path, meta, "categories", problems),
        marker=marker,
        link_text=link_text,
        body_start=body_start,
        body_line=text.count("\n", 0, body_start) + 1,
        markdown=marker is None and not path.endswith(".html") and not stripped.startswith("<"),
        encoding=encoding,
    )
