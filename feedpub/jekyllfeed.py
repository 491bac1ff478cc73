"""jekyll-feed's settings, and the files they ask for: where a site that published its
feeds with jekyll-feed has its subscribers. `feed.path` moves the site's feed
(`/atom.xml`), `feed.categories` adds one at `/feed/NAME.xml` per category named,
`feed.tags` one at `/feed/by_tag/NAME.xml` per tag (jekyll-feed 0.17's
`generator.rb`). feedpub writes its own feeds at its own paths; each of these is a
copy of the Atom file of the feed of the same posts (a category's is its source
feed's), kept current by every build. An author's `uri` and `email` are read as
jekyll-feed reads them (`author_links`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .checks import CHECKS, shown
from .model import FILES, Listing
from .settings import POST_FOLDERS, Settings
from .text import printed, xml_safe

TAG_NAME = re.compile(r"[A-Za-z0-9_]+")  # jekyll-feed makes no feed of other tags
TAGS_PATH = "/feed/by_tag/"  # its default folder of them
MAX_NAME = 200  # bytes of a name in a copy's path: a file system takes 255
Unused = tuple[tuple[str, ...], str]  # the key's path in `_config.yml`, why it is not used


def read(feed: Any) -> tuple[dict[str, Any], list[Unused]]:
    """The settings `_config.yml`'s `feed:` table gives, and what of it is not used
    (as jekyll-feed reads it: nothing set is its default; Jekyll takes anything, so
    what feedpub cannot use is a warning, FP603)."""
    if feed is None:
        return {}, []
    if not isinstance(feed, dict):
        why = f"feed: {shown(feed)}, not a table (path:, categories:, tags:): not used"
        return {}, [(("feed",), why)]
    given: list[tuple[tuple[str, ...], str, tuple[Any, str]]] = []  # key, setting, check
    if feed.get("path") is not None:
        given.append((("feed", "path"), "feed_path", CHECKS["feed_path"](feed["path"])))
    if feed.get("posts_limit") is not None:  # (jekyll-feed's default is 10, feedpub's 50)
        given.append((("feed", "posts_limit"), "limit", CHECKS["limit"](feed["posts_limit"])))
    if (names := feed.get("categories")) is not None:
        given.append((("feed", "categories"), "feed_categories", _names(names)))
    if tags := feed.get("tags"):  # anything true turns them on, a table says more
        tags = tags if isinstance(tags, dict) else {}
        prefix = tags.get("path") or TAGS_PATH
        file = f"{prefix}x.xml" if isinstance(prefix, str) else prefix
        path, why = CHECKS["feed_path"](file)
        why = why.replace(shown(file), shown(prefix))  # (of the prefix given, not of a file)
        given.append((("feed", "tags", "path"), "feed_tags", (path if why else path[:-5], why)))
        for key in ("only", "except"):
            if (names := tags.get(key)) is not None:
                given.append((("feed", "tags", key), f"feed_tags_{key}", _names(names)))
    values = {name: value for _, name, (value, why) in given if not why}
    unused = [(keys, f"{'.'.join(keys)}: {why}: not used") for keys, _, (_, why) in given if why]
    for keys, table in ((("feed",), feed), (("feed", "tags"), feed.get("tags"))):
        if isinstance(table, dict):
            unused += [((*keys, k), why) for k in table if (why := _unused(keys, k))]
    return values, unused


# The keys jekyll-feed 0.17 reads, and why feedpub has no use for some of them.
_KNOWN: dict[tuple[str, ...], dict[str, str]] = {
    ("feed",): {
        "path": "",
        "posts_limit": "",
        "categories": "",
        "tags": "",
        "disable_in_development": "",  # (feedpub has no development builds: nothing to say)
        "excerpt_only": "its entries carry their content (past feed_bytes, a summary)",
        "collections": "it publishes posts alone (their path: and categories: go at the"
        " top of feed:)",
    },
    ("feed", "tags"): {"path": "", "only": "", "except": ""},
}


def _unused(keys: tuple[str, ...], key: Any) -> str:
    """Why `key` of the table at `keys` is not used (not feedpub's, or not jekyll-feed's),
    or "" if it is."""
    where = ".".join((*keys, printed(key)))
    if key in _KNOWN[keys]:
        why = _KNOWN[keys][key]
        return why and f"{where}: jekyll-feed's, not feedpub's: {why}"
    close = difflib.get_close_matches(printed(key), list(_KNOWN[keys]), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{where}: not a setting of jekyll-feed's{hint}: not used"


def _names(value: Any) -> tuple[Any, str]:
    if not isinstance(value, list) or any(isinstance(v, list | dict) for v in value):
        return value, f"must be a list of names, not {shown(value)}"
    return tuple(printed(v) for v in value if v is not None), ""


def category_path(name: str) -> str:
    """Where jekyll-feed writes the feed of the category `name` (`feed/NAME.xml`, its
    `..` and `.` dropped, as Jekyll cleans a URL); "" if no file can be: a hidden
    one, a name over MAX_NAME bytes, one in a posts folder's name (a build would refuse
    an output folder holding one)."""
    parts = [part for part in name.split("/") if part not in ("", ".", "..")]
    if not parts or any(p[0] == "." or len(p.encode()) > MAX_NAME or "\\" in p for p in parts):
        return ""
    if set(parts[:-1]).intersection(POST_FOLDERS):  # the output would hold a posts folder
        return ""
    return f"feed/{'/'.join(parts)}.xml"


def copies(settings: Settings, listings: Sequence[Listing]) -> list[tuple[str, str]]:
    """(path in the output, the Atom file it copies) of each of jekyll-feed's files the
    settings ask for, of the feeds published (`listings`): those the output folder
    can hold, where it is published under a path of the site (`feeds_url`)."""
    found = [(settings.feed_path, FILES["atom"])] if settings.feed_path else []
    categories = set(settings.feed_categories)
    for feed in listings:
        name = feed.name
        if feed.kind.name == "source" and name in categories and (path := category_path(name)):
            found.append((path, feed.file("atom")))
        elif feed.kind.name == "tag" and _tag_copied(settings, name):
            found.append((f"{settings.feed_tags}{name}.xml", feed.file("atom")))
    below = _output_path(settings)
    return [
        (p.removeprefix(below), a) for p, a in found if below is not None and p.startswith(below)
    ]


def in_output(settings: Settings, path: str) -> str | None:
    """`path` (of the site) in the output folder, or None: outside it (`feeds_url`)."""
    below = _output_path(settings)
    return path.removeprefix(below) if below is not None and path.startswith(below) else None


def _output_path(settings: Settings) -> str | None:
    """The path of the output folder on the site ("" at its root), or None: elsewhere."""
    root, site = settings.feeds_root, settings.site_url
    return root.removeprefix(site) if root.startswith(site) else None


def _tag_copied(settings: Settings, name: str) -> bool:
    only = settings.feed_tags_only
    if settings.feed_tags is None or not TAG_NAME.fullmatch(name) or len(name) > MAX_NAME:
        return False
    return (only is None or name in only) and name not in settings.feed_tags_except


def unknown(settings: Settings, sources: Iterable[str]) -> list[str]:
    """What to say of each of `feed.categories` that names no source, and of each copy
    outside the output folder (`feeds_url`): no copy of it."""
    known = set(sources)
    said = []
    below = _output_path(settings)
    where = f"{settings.feeds_root}, where feeds_url publishes the output"
    for what, path in (("feed.path", settings.feed_path), ("feed.tags.path", settings.feed_tags)):
        if path and (below is None or not path.startswith(below)):
            said.append(f"{what}: /{path} is outside {where}: no copy is written")
    for name in settings.feed_categories:
        if not category_path(name):
            why = (
                f"{name[:80]!r} makes no file name (hidden, over {MAX_NAME} bytes, or in a"
                " folder named _posts or archived)"
            )
            said.append(f"feed.categories: {why}, so its feed is not written")
            continue
        if name in known:
            path = category_path(name)
            if below is None or not path.startswith(below):
                said.append(f"feed.categories: /{path} is outside {where}: no copy is written")
            continue
        if name in settings.generic_categories:
            why = f"{name!r} is a generic category (`generic_categories`), not a source's name"
        else:
            close = [k for k in sorted(known) if k.casefold() == name.casefold()]
            close = close or difflib.get_close_matches(name, sorted(known), n=1)
            why = f"no post has the category {name!r}"
            why += f" (did you mean {close[0]!r}?)" if close else ""
        said.append(f"feed.categories: {why}, so /feed/{name}.xml is not written")
    return said


_EMAIL = re.compile(r"[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+\.[^@\s<>()\[\]\\,;:\"]+")


def author_links(name: str, author: object) -> list[tuple[str, str, str]]:
    """(name, uri, email) of an author's table (jekyll-feed writes both), if it gives
    either: a URL (made absolute against the site's when the feeds are written) and
    an address of the shape RFC 4287 asks (anything else is left out)."""
    if not isinstance(author, dict):
        return []
    uri, email = author.get("uri"), author.get("email")
    uri = uri.strip() if isinstance(uri, str) and uri.strip() == xml_safe(uri).strip() else ""
    email = email.strip() if isinstance(email, str) and _EMAIL.fullmatch(email.strip()) else ""
    return [(name, uri, email)] if uri or email else []
