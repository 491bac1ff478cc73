"""The generator: decide which feeds exist and what they hold, then render them.

Planning is pure. Rendering turns each entry into one fragment per format once
and splices the fragments into every feed that holds the entry, so a post in
the site, a source, two tags and an author feed is cleaned and escaped once.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from html import escape as html_escape
from typing import NamedTuple
from urllib.parse import quote, urlsplit

from .config import Settings
from .html import Content
from .normalizer import Post
from .problems import Problem
from .slugs import assign_slugs
from .text import xml_attr, xml_safe, xml_text

KINDS = ("site", "source", "tag", "author")
_POST_FIELDS = tuple(f.name for f in fields(Post))
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FOLDERS = {"source": "sources", "tag": "tags", "author": "authors"}
FILES = {"atom": "feed.xml", "rss": "rss.xml", "json": "feed.json"}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # `updated` of a feed with no entries


class Member(NamedTuple):
    """A feed's entry as planning sees it: what orders, keys and splits it, not its text.

    Plain values only, so that a feed's members can be kept in the cache as one
    `marshal` blob and patched there when a post changes.
    """

    published: int  # microseconds since the epoch: orders like `Post.key`
    id: str
    fp: str  # fingerprint of every field of the post
    updated: int  # microseconds since the epoch
    month: str  # "2021-04" (UTC)
    year: str  # "2021"
    bound: int  # at most how many bytes its archive entry takes (`archive_bound`)


class Period(NamedTuple):
    """One archive period of a feed (a month of the site, a year of a source or tag):
    enough to plan its archive documents without its members, unless it changed."""

    name: str  # "2021-04" or "2021"
    digest: bytes  # `digest_of` its members
    size: int  # how many members it has


def digest_of(members: Sequence[Member]) -> bytes:
    """A hash of the fingerprints of `members`, in order."""
    return hashlib.blake2b("\n".join(m.fp for m in members).encode(), digest_size=16).digest()


def periods_of(
    history: Sequence[Member], monthly: bool
) -> tuple[tuple[Period, ...], dict[str, tuple[Member, ...]]]:
    """`history` (newest first) split into its periods, oldest first, and their members."""
    found: dict[str, list[Member]] = defaultdict(list)
    for m in history:
        found[m.month if monthly else m.year].append(m)
    members = {name: tuple(found[name]) for name in sorted(found)}
    return tuple(Period(n, digest_of(ms), len(ms)) for n, ms in members.items()), members


def micros(when: datetime) -> int:
    return (when - EPOCH) // timedelta(microseconds=1)


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def fingerprint(post: Post) -> str:
    """A hash of every field of `post` (marshal of its fields: ten times quicker than repr)."""
    values = {name: getattr(post, name) for name in _POST_FIELDS}
    values.update(published=post.published.isoformat(), updated=post.updated.isoformat())
    return hashlib.blake2b(marshal.dumps(values, 2), digest_size=12).hexdigest()


def member(post: Post) -> Member:
    when = post.published.astimezone(UTC)
    return Member(
        micros(post.published),
        post.id,
        fingerprint(post),
        micros(post.updated),
        sys.intern(f"{when.year:04d}-{when.month:02d}"),
        sys.intern(f"{when.year:04d}"),
        archive_bound(post),
    )  # fmt: skip  (months and years interned: shared in memory and in the cache's blobs)


def feed_file(folder: str, fmt: str) -> str:
    return f"{folder}/{FILES[fmt]}" if folder else FILES[fmt]


@dataclass(frozen=True)
class Listing:
    """What the site pages (index.html, feeds.opml) show of a feed."""

    kind: str
    name: str
    folder: str
    title: str
    total: int  # entries in its history
    updated: datetime  # newest `updated` of its current entries, EPOCH if none

    def file(self, fmt: str) -> str:
        return feed_file(self.folder, fmt)


@dataclass(frozen=True)
class Feed:
    """A feed: its current entries in full, its whole history by archive period.

    `members` holds the members of some periods (all of them after a full
    build; after a small change, those it touched): planning asks for the
    others only if it needs them.
    """

    kind: str  # site, source, tag or author
    name: str
    folder: str  # relative to the output folder, "" for the site
    title: str
    posts: tuple[Post, ...]  # newest first, at most `limit`
    head: tuple[Member, ...]  # the members of `posts`
    periods: tuple[Period, ...]  # oldest first
    members: Mapping[str, tuple[Member, ...]]  # period name -> its members, newest first

    @property
    def total(self) -> int:
        return sum(p.size for p in self.periods)

    @property
    def archived(self) -> bool:
        """Site, source and tag feeds get RFC 5005 archives; author feeds do not."""
        return self.kind != "author"

    def file(self, fmt: str) -> str:
        return feed_file(self.folder, fmt)

    @property
    def updated(self) -> datetime:
        return max((p.updated for p in self.posts), default=EPOCH)

    @property
    def listing(self) -> Listing:
        return Listing(self.kind, self.name, self.folder, self.title, self.total, self.updated)


def members_of(post: Post, kind: str) -> tuple[str, ...]:
    """The names of the feeds of `kind` that hold `post`."""
    if kind == "source":
        return post.sources
    if kind == "tag":
        return post.tags
    if kind == "author":
        return (post.author,) if post.author else ()
    return ("",)


def monthly(kind: str, settings: Settings) -> bool:
    """Whether the feeds of `kind` are archived by month (else by year).

    By default the site feed, which holds every post, is archived by month and
    the source and tag feeds by year: a month of a tag is often a handful of
    posts, and a document per tag and month would be most of the files a
    build writes.
    """
    if settings.archive_period != "auto":
        return settings.archive_period == "month"
    return kind == "site"


def kinds(settings: Settings) -> tuple[str, ...]:
    return KINDS if settings.author_feeds else KINDS[:3]


def title_of(kind: str, name: str, settings: Settings) -> str:
    return settings.title if kind == "site" else f"{settings.title}: {name}"


def folder_of(kind: str, slug: str) -> str:
    return f"{FOLDERS[kind]}/{slug}" if kind != "site" else ""


def slug_problems(kind: str, collisions: list[tuple[str, list[str]]]) -> list[Problem]:
    return [
        Problem(
            f"{FOLDERS[kind]}/{slug}",
            0,
            0,
            "FP501",
            f"{kind}s {', '.join(map(repr, names))} share the path {slug!r}; disambiguated",
            "feed",
        )
        for slug, names in collisions
    ]


def plan(
    posts: Iterable[Post],
    settings: Settings,
    taken: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[list[Feed], list[Problem]]:
    """Every feed and its entries. `posts` must be sorted newest first; `taken` is
    the slug each feed's name had in the last build, by kind (see `assign_slugs`)."""
    posts = list(posts)
    history = [member(p) for p in posts]
    limit = settings.limit
    title = settings.title
    site = periods_of(history, monthly("site", settings))
    feeds = [Feed("site", "", "", title, tuple(posts[:limit]), tuple(history[:limit]), *site)]
    problems = []
    for kind in kinds(settings)[1:]:
        held: dict[str, list[int]] = defaultdict(list)
        for i, post in enumerate(posts):
            for name in members_of(post, kind):
                held[name].append(i)
        slugs, collisions = assign_slugs(held, (taken or {}).get(kind))
        problems += slug_problems(kind, collisions)
        by_month = monthly(kind, settings)
        for name in sorted(held, key=lambda n: slugs[n]):
            found = held[name]
            feeds.append(
                Feed(
                    kind,
                    name,
                    folder_of(kind, slugs[name]),
                    title_of(kind, name, settings),
                    tuple(posts[i] for i in found[:limit]),
                    tuple(history[i] for i in found[:limit]),
                    *periods_of([history[i] for i in found], by_month),
                )
            )
    return feeds, problems


def over_limit(listings: Sequence[Listing], limit: int) -> tuple[set[str], list[Problem]]:
    """The folders of the feeds past `limit` and FP503 if there are any: the site and
    the feeds with the most entries are kept (ties by kind, then path), so a tag bomb
    costs the smallest tags, never a source."""
    if len(listings) <= limit:
        return set(), []
    order = {kind: i for i, kind in enumerate(KINDS)}
    ranked = sorted(listings, key=lambda f: (f.kind != "site", -f.total, order[f.kind], f.folder))
    dropped = ranked[limit:]
    msg = (
        f"{len(listings):,} feeds, over the limit of {limit:,} (max_feeds): the "
        f"{len(dropped):,} with the fewest entries are not published, like {dropped[0].folder}"
    )
    return {f.folder for f in dropped}, [Problem(dropped[0].folder, 0, 0, "FP503", msg, "feed")]


def iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc822(when: datetime) -> str:
    """An RSS date, as `email.utils.format_datetime(when, usegmt=True)` writes it."""
    u = when.astimezone(UTC)
    day, month = _DAYS[u.weekday()], _MONTHS[u.month - 1]
    return f"{day}, {u.day:02d} {month} {u.year:04d} {u.hour:02d}:{u.minute:02d}:{u.second:02d} GMT"


def _text(value: str) -> str:
    return xml_text(xml_safe(value))


def _attr(value: str) -> str:
    return xml_attr(xml_safe(value))


def url_of(settings: Settings, path: str) -> str:
    return settings.site_url + quote(path)


Pieces = tuple[bytes, ...]  # an entry as byte strings to join; big ones are shared


@dataclass(frozen=True)
class Fragments:
    """One entry rendered in every format: (with full content, with the summary only).

    The escaped content is one bytes object shared by the Atom and RSS
    variants, so holding the fragments of thousands of entries costs one copy
    of each body, not four.
    """

    atom: tuple[Pieces, Pieces]
    rss: tuple[Pieces, Pieces]
    json: tuple[Pieces, Pieces]


def fragments(post: Post, content: Content) -> Fragments:
    body = _text(content.html).encode() if content.html else b""
    return Fragments(
        atom=_variants(_atom_entry(post, content), b'<content type="html">', body, b"</content>"),
        rss=_variants(_rss_item(post, content), b"<content:encoded>", body, b"</content:encoded>"),
        json=(_json_item(post, content, True), _json_item(post, content, False)),
    )


def _variants(
    head_tail: tuple[str, str], open_: bytes, body: bytes, close: bytes
) -> tuple[Pieces, Pieces]:
    head, tail = head_tail[0].encode(), head_tail[1].encode()
    short = (head, tail)
    return ((head, open_, body, close, tail) if body else short), short


def _categories(post: Post) -> tuple[str, ...]:
    return tuple(dict.fromkeys(post.sources + post.tags))


def _atom_entry(post: Post, content: Content) -> tuple[str, str]:
    """The entry before and after where its content goes."""
    parts = [
        f"<entry><id>{_text(post.id)}</id><title>{_text(post.title)}</title>",
        f'<link rel="alternate" type="text/html" href={_attr(post.url)}/>',
        f"<published>{iso(post.published)}</published><updated>{iso(post.updated)}</updated>",
    ]
    if post.author:
        parts.append(f"<author><name>{_text(post.author)}</name></author>")
    parts.extend(f"<category term={_attr(c)}/>" for c in _categories(post))
    if content.summary:
        parts.append(f"<summary>{_text(content.summary)}</summary>")
    thumb = f"<media:thumbnail url={_attr(content.image)}/>" if content.image else ""
    return "".join(parts), thumb + "</entry>\n"


def _rss_item(post: Post, content: Content) -> tuple[str, str]:
    """The item before and after where its content goes."""
    parts = [
        f"<item><title>{_text(post.title)}</title><link>{_text(post.url)}</link>",
        f'<guid isPermaLink="false">{_text(post.id)}</guid>',
        f"<pubDate>{rfc822(post.published)}</pubDate>",
    ]
    if post.author:
        parts.append(f"<dc:creator>{_text(post.author)}</dc:creator>")
    parts.extend(f"<category>{_text(c)}</category>" for c in _categories(post))
    if content.summary:
        # RSS readers render a description as HTML: escape the plain text for HTML first
        parts.append(
            f"<description>{_text(html_escape(content.summary, quote=False))}</description>"
        )
    thumb = f"<media:thumbnail url={_attr(content.image)}/>" if content.image else ""
    return "".join(parts), thumb + "</item>\n"


def _json_item(post: Post, content: Content, full: bool) -> Pieces:
    item: dict[str, object] = {
        "id": post.id,
        "url": post.url,
        "title": xml_safe(post.title),
        "content_html": xml_safe(content.html) if full else "",
        "summary": xml_safe(content.summary),
        "date_published": iso(post.published),
        "date_modified": iso(post.updated),
    }
    if not full or not content.html:
        item.pop("content_html")
        item["content_text"] = xml_safe(content.summary)
    if content.image:
        item["image"] = content.image
    if post.author:
        item["authors"] = [{"name": xml_safe(post.author)}]
    if cats := _categories(post):
        item["tags"] = [xml_safe(c) for c in cats]
    return (json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode(),)


def _budget(sizes: list[tuple[int, int]], budget: int) -> tuple[int, int]:
    """How many newest entries keep full content, and how many fit at all."""
    total = sum(s for _, s in sizes)
    keep = len(sizes)
    while keep and total > budget:  # drop the oldest entries while even summaries overflow
        keep -= 1
        total -= sizes[keep][1]
    full = 0
    while full < keep and total - sizes[full][1] + sizes[full][0] <= budget:
        total += sizes[full][0] - sizes[full][1]
        full += 1
    return full, keep


def _prolog(settings: Settings) -> str:
    """XML declaration and the stylesheet that makes a feed readable in a browser."""
    xsl = urlsplit(settings.site_url).path + "feed.xsl"  # same origin, as browsers require
    pi = f'<?xml-stylesheet type="text/xsl" href={_attr(xsl)}?>'
    return f'<?xml version="1.0" encoding="utf-8"?>\n{pi}\n'


def _hub(settings: Settings, prefix: str) -> str:
    return f'<{prefix}link rel="hub" href={_attr(settings.hub)}/>\n' if settings.hub else ""


def _head(fmt: str, feed: Feed, settings: Settings, prev: str | None) -> tuple[str, str]:
    self_url = url_of(settings, feed.file(fmt))
    prefix = "" if fmt == "atom" else "atom:"
    archive = (
        f'<{prefix}link rel="prev-archive" type="application/atom+xml" '
        f"href={_attr(url_of(settings, prev))}/>\n"
        if prev
        else ""
    )
    title = _text(feed.title)
    desc = _text(settings.description or feed.title)
    if fmt == "atom":
        head = (
            _prolog(settings)
            + '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">\n'
            f"<id>{_text(self_url)}</id><title>{title}</title><subtitle>{desc}</subtitle>\n"
            f"<updated>{iso(feed.updated)}</updated>\n"
            f'<link rel="self" type="application/atom+xml" href={_attr(self_url)}/>\n'
            + _hub(settings, "")
            + archive
            + f'<link rel="alternate" type="text/html" href={_attr(settings.site_url)}/>\n'
            f"<author><name>{_text(settings.title)}</name></author>\n"
            "<generator>feedpub</generator>\n"
        )
        return head, "</feed>\n"
    head = (
        _prolog(settings) + '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:media="http://search.yahoo.com/mrss/">\n<channel>\n'
        f"<title>{title}</title><link>{_text(settings.site_url)}</link>"
        f"<description>{desc}</description>\n"
        f'<atom:link rel="self" type="application/rss+xml" href={_attr(self_url)}/>\n'
        + _hub(settings, "atom:")
        + archive
        + f"<lastBuildDate>{rfc822(feed.updated)}</lastBuildDate>\n"
        "<generator>feedpub</generator>\n"
    )
    return head, "</channel>\n</rss>\n"


def _json_doc(feed: Feed, settings: Settings, items: bytes) -> bytes:
    head = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": xml_safe(feed.title),
        "home_page_url": settings.site_url,
        "feed_url": url_of(settings, feed.file("json")),
        "description": xml_safe(settings.description or feed.title),
        "authors": [{"name": xml_safe(settings.title)}],
    }
    if settings.hub:
        head["hubs"] = [{"type": "WebSub", "url": settings.hub}]
    text = json.dumps(head, ensure_ascii=False, indent=1)
    return (text[:-2] + ',\n "items": [\n').encode() + items + b"\n ]\n}\n"


def render(
    feed: Feed, settings: Settings, frags: Mapping[str, Fragments], prev: str | None = None
) -> dict[str, bytes]:
    """The three files of one feed, each kept within the byte budget.

    `prev` is the newest archive document (RFC 5005 `prev-archive`), if any.
    """
    out = {}
    for fmt in FILES:
        pairs = [getattr(frags[p.id], fmt) for p in feed.posts]
        sizes = [(sum(map(len, f)), sum(map(len, s))) for f, s in pairs]
        if fmt == "json":
            head_size = len(_json_doc(feed, settings, b""))
            sizes = [(f + 2, s + 2) for f, s in sizes]  # the ",\n" between items
        else:
            head, tail = _head(fmt, feed, settings, prev)
            head_size = len(head.encode()) + len(tail.encode())
        full, keep = _budget(sizes, settings.feed_bytes - head_size)
        chosen = [f for f, _ in pairs[:full]] + [s for _, s in pairs[full:keep]]
        if fmt == "json":
            items = b",\n".join(b"".join(pieces) for pieces in chosen)
            out[feed.file(fmt)] = _json_doc(feed, settings, items)
        else:
            body = b"".join(piece for pieces in chosen for piece in pieces)
            out[feed.file(fmt)] = head.encode() + body + tail.encode()
    return out


# --- RFC 5005 archives ------------------------------------------------------

NO_CONTENT = Content("", "", None)


@dataclass(frozen=True)
class Page:
    """One archive document: a period (month or year) of a feed, or a part of a crowded one."""

    file: str  # e.g. "tags/x/archive/2021.xml", "archive/2021-04.xml", "archive/2021-04.2.xml"
    label: str  # "2021-04" or "2021-04 (2)"
    members: tuple[Member, ...]  # newest first


def page_name(feed: Feed, period: str, part: int) -> tuple[str, str]:
    """The file and label of part `part` (from 1) of a period's archive documents."""
    folder = f"{feed.folder}/archive" if feed.folder else "archive"
    if part == 1:
        return f"{folder}/{period}.xml", period
    return f"{folder}/{period}.{part}.xml", f"{period} ({part})"


def archive_room(feed: Feed, settings: Settings) -> int:
    """The bytes an archive document of `feed` has for its entries."""
    return settings.feed_bytes - 4096 - 2 * _bound(feed.title)  # the document's own head


def split_period(members: Sequence[Member], room: int) -> tuple[int, ...]:
    """How many of a period's entries (oldest first) go to each part: runs whose
    entries fit in `room` bytes by their `bound`, at least one entry each."""
    sizes = [0]
    used = 0
    for m in members:
        if sizes[-1] and used + m.bound > room:
            sizes.append(0)
            used = 0
        sizes[-1] += 1
        used += m.bound
    return tuple(sizes)


def _bound(text: str) -> int:
    """At most how many bytes `text` takes once escaped (an entity is at most 6 bytes)."""
    return len(text.encode("utf-8", "surrogatepass")) + 5 * sum(map(text.count, "&<>\"'"))


def archive_bound(post: Post) -> int:
    """An upper bound of the size of `archive_entry(post)`, without rendering it."""
    fields = (post.id, post.url, post.title, post.author, *_categories(post))
    return 400 + _bound("".join(fields)) + 30 * len(fields)


def archive_entry(post: Post) -> bytes:
    """An archive entry: identity, title, link, times, author, categories."""
    return "".join(_atom_entry(post, NO_CONTENT)).encode()


def render_archive(
    feed: Feed,
    page: Page,
    prev: str | None,
    next_: str | None,
    settings: Settings,
    entries: Mapping[str, bytes],
) -> bytes:
    """One RFC 5005 archive document (Atom), marked `fh:archive`, fully linked;
    `prev` and `next_` are the files of the documents before and after it."""
    self_url = url_of(settings, page.file)
    links = [
        ("self", page.file),
        ("current", feed.file("atom")),
        *((("prev-archive", prev),) if prev else ()),
        *((("next-archive", next_),) if next_ else ()),
    ]
    updated = from_micros(max(m.updated for m in page.members))
    head = (
        _prolog(settings)
        + '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"'
        ' xmlns:fh="http://purl.org/syndication/history/1.0">\n<fh:archive/>\n'
        f"<id>{_text(self_url)}</id><title>{_text(f'{feed.title} ({page.label})')}</title>\n"
        f"<updated>{iso(updated)}</updated>\n"
        + "".join(
            f'<link rel="{rel}" type="application/atom+xml" href={_attr(url_of(settings, f))}/>\n'
            for rel, f in links
        )
        + f'<link rel="alternate" type="text/html" href={_attr(settings.site_url)}/>\n'
        f"<author><name>{_text(settings.title)}</name></author>\n"
        "<generator>feedpub</generator>\n"
    )
    return head.encode() + b"".join(entries[m.id] for m in page.members) + b"</feed>\n"
