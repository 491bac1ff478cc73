"""The feed formats: an entry rendered once per format, spliced into every feed that holds it.

Rendering turns each entry into `Fragments` once and splices them into every
feed that holds the entry, so a post in the site, a source, two tags and an
author feed is cleaned and escaped once. One module per format, `page` for the
feed's HTML page; `common` holds what they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from ..model import FILES, Content, Feed, Post
from ..settings import Settings
from . import atom, jsonfeed, page, rss
from .atom import archive_bound, archive_entry
from .common import Pieces, bound, budget, home_of, iso, rfc822, text, url_of, variants

__all__ = [
    "Cut",
    "Fragments",
    "Rendered",
    "archive",
    "archive_bound",
    "archive_entry",
    "bound",
    "fragments",
    "home_of",
    "iso",
    "render",
    "rfc822",
    "url_of",
]
archive = atom.archive


@dataclass(frozen=True)
class Fragments:
    """One entry rendered in every format: (with full content, with the summary only),
    and for the feed's page (before and after its local time, see `page.entry`).

    The escaped content is one bytes object shared by the Atom and RSS
    variants, so holding the fragments of thousands of entries costs one copy
    of each body, not four.
    """

    atom: tuple[Pieces, Pieces]
    rss: tuple[Pieces, Pieces]
    json: tuple[Pieces, Pieces]
    page: Pieces


def fragments(post: Post, content: Content) -> Fragments:
    body = text(content.html).encode() if content.html else b""
    return Fragments(
        atom=variants(atom.entry(post, content), b'<content type="html">', body, b"</content>"),
        rss=variants(rss.item(post, content), *rss.wrapped(content, body)),
        json=(jsonfeed.item(post, content, True), jsonfeed.item(post, content, False)),
        page=page.entry(post, content),
    )


Cut = tuple[int, int, int]  # of a feed file: its entries, those with content, those shown


class Rendered(NamedTuple):
    files: dict[str, bytes]  # the feed's three files and its page
    short: dict[str, Cut]  # the files that show some of its entries as summaries only (or
    # not at all) to stay within the byte budget


def render(
    feed: Feed, settings: Settings, frags: Mapping[str, Fragments], prev: str | None = None
) -> Rendered:
    """The three files of one feed and its page, each kept within the byte budget.

    `prev` is the newest archive document (RFC 5005 `prev-archive`), if any.
    """
    out = {}
    short = {}
    for fmt in FILES:
        pairs = [getattr(frags[p.id], fmt) for p in feed.posts]
        sizes = [(sum(map(len, f)), sum(map(len, s))) for f, s in pairs]
        if fmt == "json":
            room = settings.feed_bytes - len(jsonfeed.document(feed, settings, b""))
            sizes = [(f + 2, s + 2) for f, s in sizes]  # the ",\n" between items
        else:
            top, tail = (atom if fmt == "atom" else rss).head(feed, settings, prev)
            room = settings.feed_bytes - len(top.encode()) - len(tail.encode())
        full, keep = budget(sizes, room)
        if full < len(pairs):
            short[feed.file(fmt)] = (len(pairs), full, keep)
        chosen = [f for f, _ in pairs[:full]] + [s for _, s in pairs[full:keep]]
        if fmt == "json":
            items = b",\n".join(b"".join(pieces) for pieces in chosen)
            out[feed.file(fmt)] = jsonfeed.document(feed, settings, items)
        else:
            body = b"".join(piece for pieces in chosen for piece in pieces)
            out[feed.file(fmt)] = top.encode() + body + tail.encode()
    out[feed.page] = page.document(feed, settings, [frags[p.id].page for p in feed.posts])
    return Rendered(out, short)
