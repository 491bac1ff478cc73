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
from collections import defaultdict, deque
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from .text import RubyFloat, printed

MAX_FILES = 1_000  # data files read: a site's are a few
MAX_BYTES = 2_000_000  # in them all (ruby-lang.org's: 472 KB); read by every build
MAX_DEPTH = 100  # nesting: libyaml's composer recurses in C, and would overflow its stack
MAX_VALUES = 1_000_000  # in a file, its aliases written out (2 MB of YAML holds fewer)
MAX_NESTED_VALUES = 1_000  # values of the config's tables a post's `{{ site.a.b }}` reads
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
            where[stem] = _plain(value)
    return json.dumps(data, ensure_ascii=False, default=str) if data else "", skipped


def _load(text: str, is_json: bool) -> Any:
    """A data file's value, as JSON can hold it (see `_checked`, `_plain`)."""
    import yaml

    if is_json:
        value = json.loads(text)
    else:
        depth = 0  # libyaml's composer recurses in C: its events are counted first
        try:
            for event in yaml.parse(text, Loader=yaml.CSafeLoader):
                if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise ValueError(f"nested more than {MAX_DEPTH} deep")
                elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                    depth -= 1
            value = yaml.load(text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError as e:
            raise ValueError(f"invalid YAML: {getattr(e, 'problem', None) or e}") from e
    _checked(value)
    return _plain(value)


def _checked(value: Any) -> None:
    """Refuse what JSON would write out without end or not at all: more than MAX_VALUES
    values, YAML's aliases written out (a billion laughs; a list that holds itself),
    nesting past MAX_DEPTH through them, a set (`!!set`, which Jekyll refuses too)."""
    todo, count = [(value, 1)], 0
    while todo:
        item, depth = todo.pop()
        count += 1
        if count > MAX_VALUES:
            raise ValueError(f"more than {MAX_VALUES:,} values, its aliases written out")
        if depth > MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} deep")
        if isinstance(item, dict | list):
            todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
        elif isinstance(item, set | frozenset):
            raise ValueError("a set (`!!set`), which Jekyll refuses")


def _plain(value: Any) -> Any:
    """`value` as JSON holds it: keys as text (YAML's `1:`, a date, as printed), a time
    as Ruby prints one (`2020-01-01 10:00:00 +0900`, UTC if it has no zone)."""
    if isinstance(value, dict):
        return {k if isinstance(k, str) else printed(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        zoned = value if value.tzinfo else value.replace(tzinfo=UTC)
        return zoned.strftime("%Y-%m-%d %H:%M:%S %z")
    return value


@cache
def _parsed(text: str) -> Any:
    return json.loads(text) if text else {}


def assign(name: str, markup: str, text: str, assigned: dict[str, Any]) -> None:
    """Evaluate `{% assign name = markup %}` into `assigned` if it assigns site data
    (`text`, the JSON `read` made); else `name` is unknown (shown as written)."""
    assigned.pop(name, None)
    found = _DATA.fullmatch(markup)
    keys = tuple(found[1].split(".")[1:]) if found else ()
    if not found or not isinstance(data := _parsed(text), dict) or keys[0] not in data:
        return
    value = _at(data, keys)
    for n, step in enumerate(found[2].split("|")[1:]):
        if where := _WHERE.fullmatch(step):
            field, target = where[1] or where[2] or "", where[3] or where[4] or ""
            # the data's own list is indexed once a process: a post may ask thousands
            by = _index(text, keys, field) if not n else _where(value, field)
            value = by.get(target, [])
        elif end := _ENDS.fullmatch(step):
            listed = isinstance(value, list) and value
            value = (value[0] if end[1] == "first" else value[-1]) if listed else None
        else:
            return  # a filter not evaluated here
    assigned[name] = value


@lru_cache(maxsize=256)
def _index(text: str, keys: tuple[str, ...], field: str) -> dict[str, list[Any]]:
    return _where(_at(_parsed(text), keys), field)


def _where(items: Any, field: str) -> defaultdict[str, list[Any]]:
    """Jekyll's `where` of every target at once: the items (a table's values) by how
    their `field` (or each of its items) prints."""
    found: defaultdict[str, list[Any]] = defaultdict(list)
    keys = tuple(field.split("."))
    items = list(items.values()) if isinstance(items, dict) else items
    for item in items if isinstance(items, list) else ():
        value = _at(item, keys)
        values = value if isinstance(value, list) else [] if value is None else [value]
        for shown in dict.fromkeys(printed(v) for v in values):
            found[shown].append(item)
    return found


def _at(value: Any, keys: tuple[str, ...]) -> Any:
    """`value.key.key`, as Liquid reads it: a table's key, else a list's or table's
    `size`, a list's `first`, `last` or index; None (nil) if none."""
    for key in keys:
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif key == "size" and isinstance(value, list | dict | str):
            value = len(value)
        elif key in ("first", "last") and isinstance(value, list):
            value = (value[0] if key == "first" else value[-1]) if value else None
        elif isinstance(value, list) and key.isdigit():
            value = value[int(key)] if int(key) < len(value) else None
        else:
            return None
    return value


def printed_value(name: str, text: str, assigned: Mapping[str, Any]) -> str | None:
    """`{{ name }}` of a variable an `assign` above gave (`release.url.gz`), or of the
    site's data (`site.data.team.lead`, `text` the JSON `read` made); None if it is
    another, or a list or table (Liquid would print those in Ruby's own way)."""
    keys = tuple(name.split("."))
    if keys[0] in assigned:
        value = _at(assigned[keys[0]], keys[1:])
    elif keys[:2] == ("site", "data") and len(keys) > 2 and isinstance(_parsed(text), dict):
        if keys[2] not in _parsed(text):
            return None  # a file there is not (or not read): shown as written
        value = _at(_parsed(text), keys[2:])
    else:
        return None
    return None if isinstance(value, list | dict) else printed(value)


def as_tables(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values by dotted key (`config_values`'s) as the tables they came from, which a
    template reads a key at a time (al-folio's `figure.liquid` asks for
    `site.imagemagick.enabled`), its numbers printed as Ruby prints them. (A key under
    one that holds a value is left out.)"""
    tables: dict[str, Any] = {}
    for key, value in values.items():
        *path, last = key.split(".")
        table = tables
        for part in path:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                break
        else:
            table.setdefault(last, RubyFloat(value) if type(value) is float else value)
    return tables


def config_values(data: dict[Any, Any]) -> tuple[tuple[str, str | int | float | None], ...]:
    """The config's keys of one text, number, boolean or nothing (what a post's `{{
    site.repository }}` reads), as YAML typed them: an include's `{% if site.comments
    %}` with `comments: false` is false, and with `comments:` nil, as in Jekyll. Those
    of its tables too (`license: {url: …}` is `license.url`), four keys at most, the
    first MAX_NESTED_VALUES of them."""
    found: dict[str, str | int | float | None] = {}
    tables, nested = deque([("", data)]), 0  # breadth first: the shallower keys first
    while tables:
        prefix, table = tables.popleft()
        for key, value in table.items():
            if not isinstance(key, str) or (prefix and ("." in key or len(key) > 100)):
                continue  # (no variable's name: long ones, repeated by aliases, made 100 MB)
            scalar = value is None or isinstance(value, str | int | float)  # (bool: int)
            if not scalar and not (isinstance(value, dict) and prefix.count(".") < 3):
                continue
            nested += bool(prefix)  # tables too, below the top: YAML's aliases repeat them
            if nested > MAX_NESTED_VALUES:
                return tuple(sorted(found.items()))
            if scalar:
                found.setdefault(prefix + key, value)
            else:
                tables.append((f"{prefix}{key}.", value))
    return tuple(sorted(found.items()))
