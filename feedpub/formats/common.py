"""What every format shares: dates, escaping, URLs, the stylesheet prolog, a byte budget."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from .. import urls
from ..model import Feed, Listing, Post
from ..settings import Settings
from ..text import xml_attr, xml_safe, xml_text

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Pieces = tuple[bytes, ...]  # an entry as byte strings to join; big ones are shared


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc822(when: datetime) -> str:
    """An RSS date, as `email.utils.format_datetime(when, usegmt=True)` writes it."""
    u = when.astimezone(UTC)
    day, month = _DAYS[u.weekday()], _MONTHS[u.month - 1]
    return f"{day}, {u.day:02d} {month} {u.year:04d} {u.hour:02d}:{u.minute:02d}:{u.second:02d} GMT"


def text(value: str) -> str:
    """Character data, safe for XML."""
    return xml_text(xml_safe(value))


def attr(value: str) -> str:
    """A quoted attribute value, safe for XML."""
    return xml_attr(xml_safe(value))


def url_of(settings: Settings, path: str) -> str:
    """The URL of an output file (`path` in the output folder)."""
    return settings.feeds_root + quote(path)


def home_of(settings: Settings, feed: Feed | Listing) -> str:
    """A feed's web page: its page in the output; for the site's feed published beside a
    Jekyll site (`feeds_url`), the site's home, as jekyll-feed links it (a reader's
    "visit website" went to a list of feeds, not to the blog)."""
    return (
        settings.site_url if settings.feeds_url and not feed.folder else url_of(settings, feed.page)
    )


def images(feed: Feed, settings: Settings) -> tuple[str, str]:
    """The absolute URLs of a feed's icon and logo ("" for none): a source's own, else
    the site's."""
    own = settings.source(feed.name) if feed.kind.name == "source" else None
    found = []
    for which in ("icon", "logo"):
        value = (getattr(own, which) if own else "") or getattr(settings, which)
        on_site = settings.site_url + quote(value.lstrip("/"))  # a path on the site
        found.append(value if "://" in value or not value else on_site)
    return found[0], found[1]


def site_author(settings: Settings) -> tuple[str, str, str]:
    """Every feed's author: (name, uri, email), the site's (else the site's title)."""
    if not settings.author:
        return settings.title, "", ""
    for name, uri, email in settings.author_links:  # the first given, as for the posts'
        if name == settings.author:
            return name, uri and urls.on_site(uri, settings.site_url), email
    return settings.author, "", ""


def categories(post: Post) -> tuple[str, ...]:
    """An entry's categories: every category of its post (`news` too, which names no
    source feed: a Jekyll site's readers filter on it) and its tags."""
    return tuple(dict.fromkeys(post.categories + post.tags))


def description(feed: Feed, settings: Settings) -> str:
    return feed.kind.description(feed.name, settings, feed.lang)


def prolog(file: str) -> str:
    """XML declaration and the stylesheet that makes the feed `file` readable in a
    browser: relative, so it stays on the feed's own origin (as browsers require)
    under any base path."""
    xsl = "../" * file.count("/") + "feed.xsl"
    pi = f'<?xml-stylesheet type="text/xsl" href={attr(xsl)}?>'
    return f'<?xml version="1.0" encoding="utf-8"?>\n{pi}\n'


def hub(settings: Settings, prefix: str) -> str:
    return f'<{prefix}link rel="hub" href={attr(settings.hub)}/>\n' if settings.hub else ""


def prev_archive(settings: Settings, prefix: str, prev: str | None) -> str:
    """RFC 5005's link from a feed to its newest archive document."""
    if not prev:
        return ""
    href = attr(url_of(settings, prev))
    return f'<{prefix}link rel="prev-archive" type="application/atom+xml" href={href}/>\n'


def variants(
    head_tail: tuple[str, str], open_: bytes, body: bytes, close: bytes
) -> tuple[Pieces, Pieces]:
    """An entry with its full content, and with its summary only."""
    head, tail = head_tail[0].encode(), head_tail[1].encode()
    short = (head, tail)
    return ((head, open_, body, close, tail) if body else short), short


def budget(sizes: list[tuple[int, int]], room: int) -> tuple[int, int]:
    """How many newest entries keep full content, and how many fit at all."""
    total = sum(s for _, s in sizes)
    keep = len(sizes)
    while keep and total > room:  # drop the oldest entries while even summaries overflow
        keep -= 1
        total -= sizes[keep][1]
    full = 0
    while full < keep and total - sizes[full][1] + sizes[full][0] <= room:
        total += sizes[full][0] - sizes[full][1]
        full += 1
    return full, keep


def bound(value: str) -> int:
    """At most how many bytes `value` takes once escaped (an entity is at most 6 bytes)."""
    return len(value.encode("utf-8", "surrogatepass")) + 5 * sum(map(value.count, "&<>\"'"))
