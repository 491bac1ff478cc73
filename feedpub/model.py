"""The values that cross stages, frozen and read by field name.

A build takes `Options`; the normalizer makes `Post`s; the planner makes
`Feed`s of `Member`s by `Period`, each of a `FeedKind`, and the `Job`s that
render them; the build answers with a `Summary`. `Manifest` is what a build
leaves in its output folder.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from . import titles
from .problems import Problem
from .settings import Settings
from .text import compact_json

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # `updated` of a feed with no entries


@dataclass(frozen=True)
class Options:
    posts: Path
    out: Path
    settings: Settings
    strict: bool = False
    jobs: int = 0  # worker processes; 0 = one per core
    cache: Path | None = None  # folder of the incremental cache; None = no cache
    config: Path | None = None  # the --config file given: it says how to read `posts`


class Lead(NamedTuple):
    """What a blog's front matter gives a reader's list of entries, as jekyll-feed
    reads it: a summary of the author's (`description:`, else `excerpt:`), a picture
    (`image:`, or its `path:`), where the excerpt ends (`excerpt_separator:`) and
    when the post was last changed (`last_modified_at:`)."""

    summary: str = ""  # plain text, "" for none
    image: str = ""  # a URL, perhaps relative to the site, "" for none
    separator: str = ""  # its own `excerpt_separator`, "" for the site's
    modified: str | None = None  # `last_modified_at` as text (ISO 8601 if YAML read a time)


@dataclass(frozen=True, slots=True)
class RawPost:
    """One post file as written, before any judgement about time or identity."""

    path: str  # relative to the posts folder, with `/`
    digest: str  # hash of the file's bytes
    body_digest: int  # hash of the body alone: copies that differ in front matter only match
    title: str
    date: Any  # what YAML gave for `date:` (datetime, date, str, ...), None if absent
    date_line: int  # line of `date:` in the file, 0 if absent
    author: str
    url: str  # the `from:` URL
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    marker: str | None  # the text inside `<!--...-->`, None when there is no marker
    link_text: str  # the text of the `[title](url)` preamble line
    body_start: int  # offset of the body in the decoded, LF-normalised text
    body_line: int
    markdown: bool  # body is markdown (to render), not HTML
    encoding: str
    marker_line: int = 0  # line of the `<!--...-->` marker, 0 when there is none
    lang: str = ""  # the title's language (`language.detect`), "" if it does not say
    url_line: int = 0  # line of `from:`, 0 if absent
    permalink: str = ""  # its own Jekyll `permalink:` ("" for the site's)
    slug: str = ""  # its Jekyll `slug:` ("" for its file name's)
    liquid: bool = False  # its body holds Liquid to render (see `liquid`)
    refs: tuple[tuple[str, int], ...] = ()  # the posts its `{% post_url %}`s name, and where
    lead: Lead | None = None  # what its front matter says of its summary and picture
    opening: bytes = b""  # its HTML body's openings (`summaries.openings`)
    date_text: bool = False  # `date:` is YAML text (quoted), which Jekyll reads in its zone

    def __reduce__(self) -> tuple[Callable[..., RawPost], tuple[Any, ...]]:
        """Pickled as its values (half the time to load); see `_unpickled`."""
        return (_unpickled, tuple(getattr(self, name) for name in _RAW_FIELDS))

    @property
    def marker_at(self) -> int:
        """The line of its marker, else the one before its body: where a problem of it is."""
        return self.marker_line or max(self.body_line - 1, 1)


_RAW_FIELDS = tuple(f.name for f in fields(RawPost))


_SHARED_AT = tuple(  # of a post's values after its path: names many posts share
    i - 1 for i, f in enumerate(fields(RawPost)) if f.name in ("author", "encoding", "lang")
)
_NAMES_AT = tuple(i - 1 for i, f in enumerate(fields(RawPost)) if f.name in ("tags", "categories"))
shared_names: dict[tuple[str, ...], tuple[str, ...]] = {}  # emptied once the posts are read


def _unpickled(path: str, *values: Any) -> RawPost:
    """A reading from a worker, its path the caller's string (`build.read_files`
    interns them): tens of thousands of readings hold no second copy of a path.
    A chunk of readings carries each name and tuple of names once; the chunks share
    them here (interned, tuples by value)."""
    if type(values[_NAMES_AT[0]]) is tuple:  # else not a RawPost's values: as they are
        own = list(values)
        for i in _SHARED_AT:
            if type(v := own[i]) is str:
                own[i] = sys.intern(v)
        for i in _NAMES_AT:
            shared = shared_names.get(own[i])
            if shared is None:
                shared = tuple(map(sys.intern, own[i]))
                shared_names[shared] = shared  # the key is the shared tuple too
            own[i] = shared
        values = tuple(own)
    return RawPost(sys.intern(path), *values)


@dataclass(frozen=True, slots=True)
class Reading:
    post: RawPost | None
    problems: tuple[Problem, ...]

    def __reduce__(self) -> tuple[type[Reading], tuple[RawPost | None, tuple[Problem, ...]]]:
        return (Reading, (self.post, self.problems))


@dataclass
class SourceReport:
    """One row of `feedpub check`'s table: how the times of one source's files were found
    (the normalizer's report)."""

    posts: int = 0  # files (copies included)
    how: Counter[str] = field(default_factory=Counter)
    naive: int = 0  # dates without a zone (date-only ones included)
    bad_date: int = 0  # a `date:` that cannot be read or is implausible
    duplicates: int = 0  # files merged into another file's entry
    shifts: list[str] = field(default_factory=list)  # "+16 h 2021-04-02..2021-06-30" per run
    langs: Counter[str] = field(default_factory=Counter)  # its stories' languages
    leads: int = 0  # stories with text its stories share (`summaries.leads`; their
    # summaries leave it out, unless cleaning took it away already: junk, a byline)


@dataclass(frozen=True, slots=True)
class Post:
    """One story, merged from every file that holds a copy of it."""

    id: str  # the canonical URL: never changes when a copy moves or is re-scraped
    url: str  # link to the original, as the latest copy gives it
    title: str
    published: datetime
    updated: datetime
    how: str  # how `published` was decided: marker, date, clamped, nan-marker, filename, shifted
    author: str
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    path: str  # the latest copy, whose title and content are used
    digest: str
    body_start: int
    markdown: bool
    copies: tuple[str, ...]  # every file of the story, oldest first
    lang: str = ""  # its language: its source's, if the settings state it, else its title's
    liquid: bool = False  # its body holds Liquid to render (see `liquid`)
    links: tuple[tuple[str, str], ...] = ()  # (name, URL) of its `post_url`s; "": none
    lead: Lead | None = None  # what its latest copy's front matter says (`RawPost.lead`)
    categories: tuple[str, ...] = ()  # all of them, as its entry lists them: generic ones too
    author_links: tuple[str, str] = ("", "")  # its author's (uri, email), if the site gives them
    skip: bytes = b""  # what its source shares that its summary leaves out (`skip_of`)

    @property
    def key(self) -> tuple[datetime, str]:
        """Sort key: newest first with `sorted(..., key=..., reverse=True)`, ties by id."""
        return (self.published, self.id)


def site_zone(settings: Settings, name: str) -> str:
    return settings.zone


@dataclass(frozen=True)
class Content:
    """A body ready for a feed: safe HTML with absolute URLs, a summary, a thumbnail."""

    html: str
    summary: str
    image: str | None


@dataclass(frozen=True)
class FeedKind:
    """A kind of feed: one row of `planner.FEED_KINDS`, everything a kind differs in."""

    name: str  # "site", "source", "tag", "author"
    folder: str  # where its feeds go, one folder per name; "" for the site's one feed
    label: str  # its heading on the site's pages
    names: Callable[[Post], tuple[str, ...]]  # the feeds of this kind a post is in
    monthly: bool  # archived by month (else by year) under archive_period = "auto"
    archived: bool  # has RFC 5005 archive documents
    enabled: Callable[[Settings], bool]  # whether the settings ask for it
    zone: Callable[[Settings, str], str] = site_zone  # its page's zone, by feed name

    def path(self, slug: str) -> str:
        """The folder of the feed with this slug, relative to the output folder."""
        return f"{self.folder}/{slug}" if self.folder else ""

    def title(self, name: str, settings: Settings, lang: str = "") -> str:
        return titles.title(self.name, name, settings, lang)

    def description(self, name: str, settings: Settings, lang: str = "") -> str:
        return titles.description(self.name, name, settings, lang)


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
    bound: int  # at most how many bytes its archive entry takes (`formats.archive_bound`)
    lang: str  # the post's language ("" if unknown): a feed's is its newest entries'


class Period(NamedTuple):
    """One archive period of a feed (a month of the site, a year of a source or tag):
    enough to plan its archive documents without its members, unless it changed."""

    name: str  # "2021-04" or "2021"
    digest: bytes  # `planner.digest_of` its members
    size: int  # how many members it has
    mix: int  # `planner.mix_of` its members: equal sets of posts, equal mixes


MIX = 1 << 96  # fingerprints are 96-bit hashes: their sum modulo this is a set's hash
FILES = {"atom": "feed.xml", "rss": "rss.xml", "json": "feed.json"}
MIME = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
# A feed's HTML page, in its folder; the site feed's is `feed.html` (like its feed.xml
# and feed.json beside it), as the output root's index.html is the list of every feed.
PAGE = "index.html"
SITE_PAGE = "feed.html"
SITE_INDEX = "index.html"  # every feed, at the output root (`pages.index_html`)


def feed_file(folder: str, fmt: str) -> str:
    return f"{folder}/{FILES[fmt]}" if folder else FILES[fmt]


def page_file(folder: str) -> str:
    return f"{folder}/{PAGE}" if folder else SITE_PAGE


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


@dataclass(frozen=True)
class Listing:
    """What the site pages (index.html, feeds.opml) show of a feed."""

    kind: FeedKind
    name: str
    folder: str
    title: str
    total: int  # entries in its history
    updated: datetime  # newest `updated` of its current entries, EPOCH if none
    lang: str = ""  # its language (`planner.feed_lang`), "" if unknown
    mix: int = 0  # of all its posts (`planner.mix_of`): two feeds of the same posts match
    alias: str = ""  # a feed not published since the feed in `folder` has the same posts:
    # its own folder (where a page sends its readers on)

    def file(self, fmt: str) -> str:
        return feed_file(self.folder, fmt)

    @property
    def page(self) -> str:
        return page_file(self.folder)


@dataclass(frozen=True)
class Feed:
    """A feed: its current entries in full, its whole history by archive period.

    `members` holds the members of some periods (all of them after a full
    build; after a small change, those it touched): planning asks for the
    others only if it needs them.
    """

    kind: FeedKind
    name: str
    folder: str  # relative to the output folder, "" for the site
    title: str
    posts: tuple[Post, ...]  # newest first, at most `limit`
    head: tuple[Member, ...]  # the members of `posts`
    periods: tuple[Period, ...]  # oldest first
    members: Mapping[str, tuple[Member, ...]]  # period name -> its members, newest first
    lang: str = ""  # its language (`planner.feed_lang`), "" if unknown

    @property
    def total(self) -> int:
        return sum(p.size for p in self.periods)

    def file(self, fmt: str) -> str:
        return feed_file(self.folder, fmt)

    @property
    def page(self) -> str:
        return page_file(self.folder)

    @property
    def files(self) -> tuple[str, ...]:
        """Its own files, rendered together: the three formats and its page."""
        return (*(feed_file(self.folder, fmt) for fmt in FILES), self.page)

    @property
    def updated(self) -> datetime:
        return max((p.updated for p in self.posts), default=EPOCH)

    @property
    def listing(self) -> Listing:
        mix = sum(p.mix for p in self.periods) % MIX
        return Listing(
            self.kind, self.name, self.folder, self.title, self.total, self.updated, self.lang, mix
        )


@dataclass(frozen=True)
class Page:
    """One archive document: a period (month or year) of a feed, or a part of a crowded one."""

    file: str  # e.g. "tags/x/archive/2021.xml", "archive/2021-04.xml", "archive/2021-04.2.xml"
    label: str  # "2021-04" or "2021-04 (2)"
    members: tuple[Member, ...]  # newest first


Load = Callable[[Feed, str], tuple[Member, ...]]  # a period's members, newest first


def period_members(feed: Feed, period: str, load: Load) -> tuple[Member, ...]:
    """The members of one period of `feed`: loaded already, or by `load`."""
    found = feed.members.get(period)
    return found if found is not None else load(feed, period)


@dataclass(frozen=True)
class Part:
    """Where an archive document's entries are: a run of a period's members."""

    file: str
    label: str
    period: str
    start: int  # of the period's members, oldest first
    count: int

    def page(self, feed: Feed, load: Load) -> Page:
        oldest = period_members(feed, self.period, load)[::-1]
        chunk = oldest[self.start : self.start + self.count]
        return Page(self.file, self.label, chunk[::-1])


@dataclass(frozen=True)
class Job:
    """Some output files and the key of everything they are rendered from."""

    files: tuple[str, ...]
    key: str
    feed: Feed
    part: Part | None = None  # an archive document's, None for the feed's own files
    newest: str | None = None  # a feed's newest archive document, for its prev-archive link
    prev: str | None = None  # the archive documents before and after this one
    next: str | None = None


class Record(NamedTuple):
    """An output file as the build that wrote it left it."""

    key: str  # of everything it was rendered from ("page", "manifest" for those)
    size: int
    mtime: int  # ns


MANIFEST = ".feedpub-manifest.json"  # in an output folder: what feedpub wrote there


@dataclass(frozen=True)
class Manifest:
    """What the last build wrote into the output folder (`writer.MANIFEST` there):
    the files that are feedpub's to replace or remove, and the folder each feed's
    name was given, which it keeps while the feed exists."""

    files: frozenset[str] = frozenset()
    slugs: dict[str, dict[str, str]] = field(default_factory=dict)  # kind -> name -> slug
    ids: dict[str, str] = field(default_factory=dict)  # post file -> the id it was published
    # with, for stories whose id is their permalink (no `from:`): it must never change
    aliases: dict[str, str] = field(default_factory=dict)  # folder of a feed not published
    # -> the folder of the feed with the same posts (`planner.published`)


@dataclass(frozen=True)
class Summary:
    posts_read: int
    entries: int
    feeds: int
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    problems: tuple[Problem, ...]
    seconds: float
    removed: tuple[str, ...] = ()  # files of the last build's that this one removed

    def written_json(self, feeds_root: str, hub: str = "") -> bytes:
        """`<cache>/last-build.json`, for `feedpub ping`: the files written, the URL
        of the folder they were written to (under the key it had before `feeds_url`)
        and the hub they name. Not the whole report: encoding thousands of problems
        took ~15 ms of every warm build."""
        data = {"site_url": feeds_root, "hub": hub, "written": list(self.written)}
        return compact_json(data)
