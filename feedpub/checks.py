"""What each setting may be: a check per key, turning a TOML or YAML value into the
setting's, or saying what is wrong with it (`config` reports it at its line)."""

from __future__ import annotations

import json
import posixpath
import re
import string
import warnings
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import language
from .settings import PERMALINK_PLACEHOLDERS, PERMALINK_STYLES, POST_FOLDERS
from .urls import holds_no_bad_char, punycode

Check = Callable[[Any], tuple[Any, str]]  # value -> (converted value, "" or what is wrong)


def shown(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def _text(value: Any) -> tuple[Any, str]:
    return (value, "") if isinstance(value, str) else (value, f"must be text, not {shown(value)}")


def _whole(least: int, most: int | None = None) -> Check:
    def check(value: Any) -> tuple[Any, str]:
        if not isinstance(value, int) or isinstance(value, bool):
            return value, f"must be a whole number, not {shown(value)}"
        if most is not None and value > most:
            return value, f"must be at most {most:,}, not {value:,}"
        return (value, "") if value >= least else (value, f"must be at least {least}, not {value}")

    return check


def _flag(value: Any) -> tuple[Any, str]:
    if isinstance(value, bool):
        return value, ""
    return value, f"must be true or false, not {shown(value)}"


def _choice(*choices: str) -> Check:
    def check(value: Any) -> tuple[Any, str]:
        if value in choices:
            return value, ""
        return value, f"must be one of {', '.join(choices)}, not {shown(value)}"

    return check


def _names(item: Check | None = None) -> Check:
    """A list of text items (each checked by `item` too, if given)."""

    def check(value: Any) -> tuple[Any, str]:
        if not isinstance(value, list | tuple):
            return value, f'must be a list of text items, like ["a", "b"], not {shown(value)}'
        wrong = []
        for n, x in enumerate(value, start=1):
            if not isinstance(x, str):
                wrong.append(f"item {n} must be text, not {shown(x)}")
            elif item is not None and (what := item(x)[1]):
                wrong.append(f"item {n}: {what}")
        return tuple(value), "; ".join(wrong)

    return check


def _permalink(value: Any) -> tuple[Any, str]:
    """Jekyll's `permalink`: a named style, or a template of its placeholders."""
    if not isinstance(value, str) or not value.strip():
        return (
            value,
            f"must be a style ({', '.join(PERMALINK_STYLES)}) or a template, not {shown(value)}",
        )
    if wrong := unknown_placeholders(value):
        return (
            value,
            f"unknown placeholder(s) {', '.join(':' + w for w in wrong)} in {shown(value)}",
        )
    return value, ""


def unknown_placeholders(template: str) -> list[str]:
    """The placeholders of `template` Jekyll does not know (`:year_` is `:year`)."""
    if template in PERMALINK_STYLES:
        return []
    names = (n.removesuffix("_") for n in re.findall(r":([a-z_]+)", template))
    return sorted({n for n in names if n not in PERMALINK_PLACEHOLDERS})


def _zone(value: Any) -> tuple[Any, str]:
    if not isinstance(value, str):
        return value, f"must be a time zone name, not {shown(value)}"
    if value.lower() in ("localtime", "posixrules"):  # the machine's zone, not a name
        return (
            value,
            f"{shown(value)} is whatever zone the machine building links it to"
            ' (use a name like "Asia/Singapore")',
        )
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return value, f'unknown time zone {shown(value)} (use a name like "Asia/Singapore")'
    return value, ""


def url_mistake(value: str) -> str:
    """What is wrong with `value` as an absolute http(s) URL, "" if nothing."""
    try:
        parts = urlsplit(value)
        _ = parts.port  # a bad port raises
    except ValueError:
        parts = None
    host = parts.hostname if parts is not None else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not host
        or (":" not in host and "" in host.removesuffix(".").split("."))  # `http://.../`
    ):
        return f"must be an absolute http(s) URL, like https://example.org/, not {shown(value)}"
    if parts.username is not None or parts.password is not None:  # in every id and link
        return f"must not hold a user name or password: {shown(value)}"
    if parts.query or parts.fragment or not holds_no_bad_char(value):
        return (
            "must be a plain http(s) URL without spaces, control characters, quotes,"
            f" query or fragment: {shown(value)}"
        )
    return ""


def normal_url(value: str) -> tuple[str, str]:
    """`value` with its scheme and host as every client writes them (lower case, an
    international name in punycode), so that ids do not change with how the URL
    was typed; and what is wrong with it ("" if nothing)."""
    if wrong := url_mistake(value):
        return value, wrong
    parts = urlsplit(value)
    host = parts.hostname or ""
    ascii_host = host if host.isascii() else punycode(host)
    if ascii_host is None:
        return value, f"has a host name that is not a valid domain name: {shown(value)}"
    netloc = ascii_host if ":" not in host else f"[{host}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, "", "")), ""


def _url(value: Any) -> tuple[Any, str]:
    if not isinstance(value, str):
        return value, f"must be an absolute http(s) URL, not {shown(value)}"
    return normal_url(value) if value else (value, "")


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
FILE_ENDINGS = (".xml", ".json", ".html", ".atom", ".rss")  # a file's URL, not a folder's


def _plain_path(value: str) -> bool:
    """Whether `value` is a plain path on the site: a scheme (`javascript:`), a host,
    a query or fragment, `..`, spaces or control characters would make the URL
    built from it another one, or none."""
    return not (
        _SCHEME.match(value)
        or value.startswith("//")
        or any(c in value for c in "?#\\")
        or any(c.isspace() or ord(c) < 32 for c in value)
        or ".." in value.split("/")
    )


def _url_or_path(value: Any, like: str) -> str:
    """What is wrong with `value` as an absolute http(s) URL or a plain path from the
    site's root ("" if nothing)."""
    if isinstance(value, str) and "://" in value:
        return url_mistake(value)
    if isinstance(value, str) and (not value or _plain_path(value)):
        return ""
    return (
        f"must be an http(s) URL or a plain path from the site's root like {like},"
        f" not {shown(value)}"
    )


def _image(value: Any) -> tuple[Any, str]:
    return value, _url_or_path(value, '"icon.png"')


def _feeds_url(value: Any) -> tuple[Any, str]:
    """Where the output folder is published (the site's own pages stay at its URL): an
    absolute http(s) URL, or a plain path from the site's root, as one form of it
    ending in `/` ("feeds/" for "/feeds", "./feeds/"), so the ids and the cache's
    fingerprint do not change with how it was written."""
    if wrong := _url_or_path(value, '"feeds/"'):
        return value, wrong
    if "://" in value:
        url, wrong = normal_url(value)
        if not wrong and url.lower().endswith(FILE_ENDINGS):
            wrong = f"names a file ({url}), not the folder the output is published at"
        return url.rstrip("/") + "/", wrong
    parts = [part for part in value.split("/") if part not in ("", ".")]
    return quote("/".join(parts) + "/", safe="/%") if parts else "", ""


def checked_feeds_url(value: str) -> tuple[str, str]:
    """`--feeds-url` checked and made one form, as the setting is."""
    found, wrong = _feeds_url(value)
    return str(found), wrong


def _baseurl(value: Any) -> tuple[Any, str]:
    if not isinstance(value, str):
        return value, f'must be a path like "/news", not {shown(value)}'
    if "://" in value or (value and not _plain_path(value)):
        return (
            value,
            'must be a plain path like "/news" (the site\'s URL goes in `url`),'
            f" not {shown(value)}",
        )
    return value, ""


def _feed_path(value: Any) -> tuple[Any, str]:
    """jekyll-feed's `feed.path` (`/atom.xml`, or the site's URL of it, as made-mistakes.com
    writes it): where subscribers read the site's feed."""
    if value == "":
        return value, ""  # none
    given = urlsplit(value).path if isinstance(value, str) and "://" in value else value
    path = posixpath.normpath(given.lstrip("/")) if isinstance(given, str) else "."
    if path[0] != "." and "/." not in path and _plain_path(given) and given[-1] != "/":
        if not set(path.split("/")[:-1]).intersection(POST_FOLDERS):
            return path, ""  # (not a dot-file: Jekyll publishes none, feedpub keeps its own)
        # (a user trial: `_posts/atom.xml` made the output folder hold a posts folder,
        # which every later build refused)
        return value, f"must not be in a folder named _posts or archived, not {shown(value)}"
    return value, f'must be the path of a file on the site like "atom.xml", not {shown(value)}'


def _selector(value: str) -> tuple[Any, str]:
    """A CSS selector that the cleaner can run (cssselect: no lxml needed to check)."""
    import cssselect

    try:
        for selector in cssselect.parse(value):
            if selector.pseudo_element:
                return value, f"pseudo-elements are not supported: {shown(value)}"
            if _sibling_combinator(selector.parsed_tree):
                return value, (
                    f"sibling combinators (`+`, `~`) are not supported: {shown(value)} (their"
                    " time grows with the square of a body's elements, or more)"
                )
            cssselect.HTMLTranslator().selector_to_xpath(selector)
    except cssselect.SelectorError as e:
        return value, f"invalid CSS selector {shown(value)}: {e}"
    except RecursionError:  # thousands of combinators: no page needs that
        return value, f"CSS selector nested too deep: {shown(value)}"
    return value, ""


def _regex(value: str) -> tuple[Any, str]:
    """A regular expression (Python's) of text to leave out of summaries: one that
    matches no text at all would put a space between every two characters."""
    try:
        pattern = re.compile(value)
    except re.error as e:
        return value, f"invalid regular expression {shown(value)}: {e}"
    except RecursionError:
        return value, f"regular expression nested too deep: {shown(value)}"
    if pattern.fullmatch(""):
        return value, f"regular expression {shown(value)} matches empty text"
    return value, ""


def _sibling_combinator(tree: Any) -> bool:
    """Whether the parsed selector `tree` uses `+` or `~` anywhere (inside `:is()` too)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        if getattr(node, "combinator", None) in ("+", "~"):
            return True
        for name in ("selector", "subselector", "selector_list"):
            found = getattr(node, name, None)
            todo.extend(found if isinstance(found, list) else [found] if found else [])
    return False


def gitignore(lines: Iterable[str]) -> Any:
    """gitignore-style patterns, compiled (pathspec), without the FutureWarning that
    Python's `re` prints for a possible nested set (`[[a]`, a literal `[` to gitignore):
    what feedpub prints stays one line a problem."""
    import pathspec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return pathspec.GitIgnoreSpec.from_lines(lines)


def _glob(value: str) -> tuple[Any, str]:
    """A gitignore-style pattern, compiled as the scan will compile it."""
    if ".." in value.split("/"):  # it would match nothing, without a word
        return value, f"invalid pattern {shown(value)}: patterns are relative to ROOT, within it"
    try:
        gitignore([value])
    except re.error as e:  # its position is in pathspec's regular expression, not here
        return value, f"invalid pattern {shown(value)}: {e.msg}"
    except ValueError as e:  # pathspec's own
        return value, f"invalid pattern {shown(value)}: {e}"
    return value, ""


def _lang(value: Any) -> tuple[Any, str]:
    if isinstance(value, str) and (not value or language.valid(value)):
        return value, ""
    return value, f'must be a language tag like "zh-Hant", "zh-Hans" or "en", not {shown(value)}'


CHECKS: dict[str, Check] = {
    "title": _text,
    "description": _text,
    "author": _text,
    "lang": _lang,
    "url": _url,
    "baseurl": _baseurl,
    "feeds_url": _feeds_url,
    "limit": _whole(1),
    "generic_categories": _names(),
    "author_feeds": _flag,
    "merge_duplicates": _flag,
    "max_bytes": _whole(1),
    "max_tags": _whole(1),
    "max_feeds": _whole(1),
    "max_output_bytes": _whole(1),
    "feed_bytes": _whole(4096),
    "summary_chars": _whole(1, 10_000),  # a summary, not a copy of the text
    "zone": _zone,
    "permalink": _permalink,
    "feed_path": _feed_path,
    "timezone": _zone,
    "shift": _choice("detect", "correct", "off"),
    "iframes": _choice("drop", "link"),
    "data_images": _flag,
    "referrer_policy": _choice("no-referrer", "keep"),
    "summary_leads": _flag,
    "hub": _url,
    "icon": _image,
    "logo": _image,
    "archive_period": _choice("auto", "month", "year"),
    "include": _names(_glob),
    "exclude": _names(_glob),
}


def _offset(value: Any) -> tuple[Any, str]:
    """A marker offset: what the source's clock is off by, like "-16h" or "+5h30m"."""
    if isinstance(value, str) and _OFFSET.fullmatch(value.strip()) and value.strip()[1:]:
        return value.strip(), ""
    return value, f'must be an offset like "-16h" or "-5h30m", not {shown(value)}'


_OFFSET = re.compile(r"[+-](?:\d{1,2}h)?(?:\d{1,3}m)?")


def _pattern(value: Any) -> tuple[Any, str]:
    """A title pattern: text with {name} (the feed's) and {site} (the site's title)."""
    if not isinstance(value, str):
        return value, f"must be text, not {shown(value)}"
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(value)]
    except ValueError as e:
        return value, f"{shown(value)}: only {{name}} and {{site}} can be filled in ({e})"
    for field, spec, conversion in fields:  # `{name:>999999999}` made gigabytes
        if field is not None and (field not in ("name", "site") or spec or conversion):
            said = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            return value, f"{shown(value)}: only {{name}} and {{site}} can be filled in ({said!r})"
    return value, ""


KIND_CHECKS: dict[str, Check] = {
    "enabled": _flag,
    "only": _names(),
    "except": _names(),
    "min_posts": _whole(1),
    "title": _pattern,
    "description": _pattern,
}
SOURCE_CHECKS: dict[str, Check] = {
    "zone": _zone,
    "remove": _names(_selector),
    "summary_skip": _names(_regex),
    "marker_offset": _offset,
    "lang": _lang,
    "referrer_policy": _choice("no-referrer", "keep"),
    "summary_leads": _flag,
    "icon": _image,
    "logo": _image,
}
