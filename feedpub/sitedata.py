"""Jekyll's `_data/` folder as a post's Liquid reads it: ruby-lang.org's release notes
(925 posts in 17 languages) write `{% assign release = site.data.releases | where:
"version", "2.7.0" | first %}`, then `{{ release.url.gz }}`. The files (YAML and JSON,
bounded) are read once a build and kept in the settings as one JSON text, so that an
edit voids the cache. A post's `assign` of such data (through Jekyll's `where` and
Liquid's `first` and `last`), and the values it then prints, are evaluated as Liquid
does; anything else is left to the renderer, which shows it as written."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from .text import printed

MAX_FILES = 1_000  # data files read: a site's are a few
MAX_BYTES = 5_000_000  # in them all
MAX_DEPTH = 100  # nesting: libyaml's composer recurses in C, and would overflow its stack
ASSIGN = re.compile(r"\s*([A-Za-z_][\w-]*)\s*=")  # what `{% assign %}` names
_DATA = re.compile(r"\s*site\.data((?:\.[\w-]+)+)\s*((?:\|[^|]*)*)")
_QUOTED = r"""\s*(?:"([^"]*)"|'([^']*)')\s*"""
_WHERE = re.compile(rf"\s*where\s*:{_QUOTED},{_QUOTED}")
_ENDS = re.compile(r"\s*(first|last)\s*")


def read(folder: Path) -> tuple[str, list[tuple[str, str]]]:
    """The data of the files under `folder` (a key per file, a table per folder, as
    Jekyll's `site.data`) as JSON ("" if none), and (path, why) of each not read."""
    data: dict[str, Any] = {}
    skipped: list[tuple[str, str]] = []
    if not folder.is_dir() or folder.is_symlink():
        return "", skipped
    files = size = 0
    for top, dirs, names in os.walk(folder):  # a folder that is a link is not entered
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            stem, ext = os.path.splitext(name)
            path = Path(top, name)
            if name.startswith((".", "_")) or ext.lower() not in (".yml", ".yaml", ".json"):
                continue
            files, size = files + 1, size + path.lstat().st_size
            if path.is_symlink() or not path.is_file():
                skipped.append((str(path), "a symbolic link or not a file: not read"))
                continue
            if files > MAX_FILES or size > MAX_BYTES:
                why = f"past {MAX_FILES:,} data files or {MAX_BYTES:,} bytes: not read"
                skipped.append((str(path), why))
                continue
            try:
                value = _load(path.read_text("utf-8"), ext.lower() == ".json")
            except (ValueError, RecursionError, UnicodeDecodeError, OSError) as e:
                why = str(e).splitlines()[0][:200]
                skipped.append((str(path), f"{why}: a post's `site.data.{stem}` shows as written"))
                continue
            where = data
            for part in Path(top).relative_to(folder).parts:
                if not isinstance(where.get(part), dict):
                    where[part] = {}
                where = where[part]
            where[stem] = value
    return json.dumps(data, ensure_ascii=False, default=str) if data else "", skipped


def _load(text: str, is_json: bool) -> Any:
    import yaml

    if is_json:
        return json.loads(text)
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ValueError(f"nested more than {MAX_DEPTH} deep")
            elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as e:
        raise ValueError(f"invalid YAML: {getattr(e, 'problem', None) or e}") from e


@cache
def _parsed(text: str) -> Any:
    return json.loads(text) if text else {}


def assign(name: str, markup: str, text: str, assigned: dict[str, Any]) -> None:
    """Evaluate `{% assign name = markup %}` into `assigned` if it assigns site data
    (`text`, the JSON `read` made); else `name` is unknown (shown as written)."""
    assigned.pop(name, None)
    found = _DATA.fullmatch(markup)
    keys = found[1].split(".")[1:] if found else []
    if not found or not isinstance(data := _parsed(text), dict) or keys[0] not in data:
        return
    value = _at(data, keys)
    for step in found[2].split("|")[1:]:
        if where := _WHERE.fullmatch(step):
            target = where[3] if where[3] is not None else where[4]
            value = _where(value, where[1] or where[2] or "", target)
        elif end := _ENDS.fullmatch(step):
            first = end[1] == "first"
            value = (
                (value[0] if first else value[-1]) if isinstance(value, list) and value else None
            )
        else:
            return  # a filter not evaluated here
    assigned[name] = value


def _where(items: Any, field: str, target: str) -> list[Any]:
    """Jekyll's `where`: the items (a table's values) whose `field` (or one of its
    items) prints as `target`."""
    if isinstance(items, dict):
        items = list(items.values())
    if not isinstance(items, list):
        return []
    keys = field.split(".")
    found = []
    for item in items:
        value = _at(item, keys)
        values = value if isinstance(value, list) else [] if value is None else [value]
        if any(printed(v) == target for v in values):
            found.append(item)
    return found


def _at(value: Any, keys: list[str]) -> Any:
    for key in keys:
        if isinstance(value, dict):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit():
            value = value[int(key)] if int(key) < len(value) else None
        else:
            return None
    return value


def printed_value(name: str, text: str, assigned: Mapping[str, Any]) -> str | None:
    """`{{ name }}` of a variable an `assign` above gave (`release.url.gz`), or of the
    site's data (`site.data.team.lead`, `text` the JSON `read` made); None if it is
    another, or a list or table (Liquid would print those in Ruby's own way)."""
    keys = name.split(".")
    if keys[0] in assigned:
        value = _at(assigned[keys[0]], keys[1:])
    elif keys[:2] == ["site", "data"] and len(keys) > 2 and isinstance(_parsed(text), dict):
        if keys[2] not in _parsed(text):
            return None  # a file there is not (or not read): shown as written
        value = _at(_parsed(text), keys[2:])
    else:
        return None
    return None if isinstance(value, list | dict) else printed(value)
