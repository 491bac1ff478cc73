"""Jekyll's Liquid filters that Liquid lacks, for the site's includes (`includes`), and
every filter bounded in what it takes: a hostile include must not make gigabytes."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any
from urllib.parse import quote_plus

from .commonmark import render_markdown
from .text import printed

MAX_INPUT = 1_000_000  # characters or items a filter may take in all (Liquid's output limit)


class TooLarge(Exception):
    """A filter's input is over MAX_INPUT: the include is left as written."""


def _markdownify(value: object) -> str:
    return render_markdown(printed(value))


def _jsonify(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _xml_escape(value: object) -> str:
    return html.escape(printed(value))


def _cgi_escape(value: object) -> str:
    return quote_plus(printed(value), safe="*")


def _words(value: object) -> int:
    return len(printed(value).split())


def _normalize_whitespace(value: object) -> str:
    return " ".join(printed(value).split())


JEKYLL: dict[str, Callable[..., Any]] = {
    "markdownify": _markdownify,
    "jsonify": _jsonify,
    "xml_escape": _xml_escape,
    "cgi_escape": _cgi_escape,
    "number_of_words": _words,
    "normalize_whitespace": _normalize_whitespace,
}


def bounded(filters: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Each of `filters`, refusing inputs of more than MAX_INPUT (see `_bounded`)."""
    return {name: _bounded(name, func) for name, func in filters.items()}


def _bounded(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func`, a filter, refusing inputs of more than MAX_INPUT characters or items
    in all: python-liquid's build a range's list in one call, past every other limit
    (`(1..60000000) | reverse` took 2.4 GB); and what `join` and `replace` multiply,
    their arguments given by position or by name (`replace: 'a', sub: b`)."""

    @wraps(func)
    def bounded(value: Any, *args: Any, **kwargs: Any) -> Any:
        given = (*args, *(v for k, v in kwargs.items() if k not in ("context", "environment")))
        weight = sum(_weight(each) for each in (value, *given))
        if weight <= MAX_INPUT and name == "join" and given:  # between every two items
            weight += _weight(value) * len(str(given[0]))
        elif weight <= MAX_INPUT and name == "replace" and len(given) > 1:
            text = value if isinstance(value, str) else printed(value)  # as the filter reads it
            weight += text.count(str(given[0])) * len(str(given[1]))
        if weight > MAX_INPUT:
            raise TooLarge(name)
        return func(value, *args, **kwargs)

    return bounded


def _weight(value: object) -> int:
    """How long a text, list or range is, with the texts a list holds (one long text
    many times), counted up to MAX_INPUT."""
    if isinstance(value, str | range):
        return len(value)
    if not isinstance(value, list | tuple):
        return 0
    total = len(value)
    for item in value:
        if total > MAX_INPUT:
            break
        total += len(item) if isinstance(item, str) else 0
    return total
