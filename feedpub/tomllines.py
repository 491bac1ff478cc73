"""Where each key of a TOML file is: tomllib reads the values, not their lines, and a
mistake in the settings is reported at its line (`file:line: key: what is wrong`)."""

from __future__ import annotations

import json
import re

# One way to match each line (no `\s*` beside a lazy group): a line of spaces was cubic.
_TOML_TABLE = re.compile(r"\s*\[([^\[\]]*)\]\s*(?:#.*)?$")
_TOML_KEY = re.compile(
    r"""\s*((?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*="""
)
_TOML_PART = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*\.?""")


def _toml_path(text: str) -> tuple[str, ...]:
    parts = []
    for m in _TOML_PART.finditer(text):
        part = m.group(1)
        if part[0] == '"':
            part = json.loads(part)
        elif part[0] == "'":
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def toml_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of every table and key of a TOML file, by its dotted path (the
    first line wins): tomllib reads values but not where they are."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for n, line in enumerate(text.split("\n"), start=1):
        if m := _TOML_TABLE.match(line):
            table = _toml_path(m.group(1).strip())
            lines.setdefault(table, n)
        elif m := _TOML_KEY.match(line):
            lines.setdefault(table + _toml_path(m.group(1)), n)
    return lines
