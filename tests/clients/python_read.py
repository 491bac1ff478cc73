"""The Python clients' adapter: `python python_read.py CLIENT FILE...`.

CLIENT is `feedparser` (Atom and RSS; its 6.0 releases do not read JSON Feed) or
`fastfeedparser` (Atom, RSS and JSON Feed). Prints one JSON line per file:
{"path", "title", "entries": [{"id", "title", "link"}]} or {"path", "error"}.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any


def read_feedparser(path: str) -> dict[str, Any]:
    import feedparser

    parsed = feedparser.parse(path)
    if parsed.bozo:
        raise ValueError(f"bozo: {parsed.bozo_exception}")
    return {
        "title": parsed.feed.get("title"),
        "entries": [
            {"id": e.get("id"), "title": e.get("title"), "link": e.get("link")}
            for e in parsed.entries
        ],
    }


def read_fastfeedparser(path: str) -> dict[str, Any]:
    import fastfeedparser

    with open(path, "rb") as file:
        parsed = fastfeedparser.parse(file.read())
    return {
        "title": parsed.feed.get("title"),
        "entries": [
            {"id": e.get("id"), "title": e.get("title"), "link": e.get("link")}
            for e in parsed.entries
        ],
    }


READERS: dict[str, Callable[[str], dict[str, Any]]] = {
    "feedparser": read_feedparser,
    "fastfeedparser": read_fastfeedparser,
}


def main(client: str, paths: list[str]) -> None:
    read = READERS[client]
    for path in paths:
        try:
            line = {"path": path, **read(path)}
        except Exception as error:  # a client's failure is the result to report
            line = {"path": path, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(line, ensure_ascii=False), flush=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
