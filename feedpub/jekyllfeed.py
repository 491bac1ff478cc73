"""jekyll-feed's settings, and the files they ask for: where a site that published its
feeds with jekyll-feed has its subscribers. `feed.path` moves the site's feed
(`/atom.xml`), `feed.categories` adds one at `/feed/NAME.xml` per category named,
`feed.tags` one at `/feed/by_tag/NAME.xml` per tag (jekyll-feed 0.17's
`generator.rb`). feedpub writes its own feeds at its own paths; each of these is a
copy of the Atom file of the feed of the same posts (a category's is its source
feed's), kept current by every build."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .checks import CHECKS, shown
from .model import FILES, Listing
from .settings import Settings
from .text import printed

TAG_NAME = re.compile(r"[A-Za-z0-9_]+")  # jekyll-feed makes no feed of other tags
TAGS_PATH = "/feed/by_tag/"  # its default folder of them
Wrong = tuple[tuple[str, ...], str]  # the key's path in `_config.yml`, what is wrong


def read(feed: Any) -> tuple[dict[str, Any], list[Wrong]]:
    """The settings `_config.yml`'s `feed:` table gives, and what is wrong in it."""
    if not isinstance(feed, dict):
        return {}, []
    given: list[tuple[tuple[str, ...], str, tuple[Any, str]]] = []  # key, setting, check
    if feed.get("path") is not None:
        given.append((("feed", "path"), "feed_path", CHECKS["feed_path"](feed["path"])))
    if (names := feed.get("categories")) is not None:
        given.append((("feed", "categories"), "feed_categories", _names(names)))
    tags = {} if feed.get("tags") is True else feed.get("tags")
    if isinstance(tags, dict):  # else `false`, or what jekyll-feed ignores too
        prefix = tags.get("path", TAGS_PATH)
        path, why = CHECKS["feed_path"](f"{prefix}x.xml" if isinstance(prefix, str) else prefix)
        given.append((("feed", "tags", "path"), "feed_tags", (path if why else path[:-5], why)))
        for key in ("only", "except"):
            if (names := tags.get(key)) is not None:
                given.append((("feed", "tags", key), f"feed_tags_{key}", _names(names)))
    values = {name: value for _, name, (value, why) in given if not why}
    return values, [(keys, why) for keys, _, (_, why) in given if why]


def _names(value: Any) -> tuple[Any, str]:
    if not isinstance(value, list) or any(isinstance(v, list | dict) for v in value):
        return value, f"must be a list of names, not {shown(value)}"
    return tuple(printed(v) for v in value if v is not None), ""


def copies(settings: Settings, listings: Sequence[Listing]) -> list[tuple[str, str]]:
    """(path, the Atom file it copies) of each of jekyll-feed's files the settings ask
    for, of the feeds published (`listings`)."""
    found = [(settings.feed_path, FILES["atom"])] if settings.feed_path else []
    categories = set(settings.feed_categories)
    for feed in listings:
        name = feed.name
        if feed.kind.name == "source" and name in categories:
            path = posixpath.normpath(f"feed/{name}.xml")  # spaces and all, as Jekyll's
            if "\\" not in path and not any(p[0] == "." for p in path.split("/")):
                found.append((path, feed.file("atom")))
        elif feed.kind.name == "tag" and _tag_copied(settings, name):
            found.append((f"{settings.feed_tags}{name}.xml", feed.file("atom")))
    return found


def _tag_copied(settings: Settings, name: str) -> bool:
    only = settings.feed_tags_only
    if not settings.feed_tags or not TAG_NAME.fullmatch(name):
        return False
    return (only is None or name in only) and name not in settings.feed_tags_except


def unknown(settings: Settings, sources: Iterable[str]) -> list[str]:
    """What to say of each of `feed.categories` that names no source: no copy of it."""
    known = set(sources)
    said = []
    for name in (n for n in settings.feed_categories if n not in known):
        if name in settings.generic_categories:
            why = f"{name!r} is in `generic_categories` (feedpub.toml), not a source's name"
        else:
            why = f"no post has the category {name!r}"
        said.append(f"feed.categories: {why}, so /feed/{name}.xml is not written")
    return said
