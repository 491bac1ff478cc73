"""The planner: which feeds exist, what they hold, and the jobs that render them.

Pure. A kind of feed is one row of `FEED_KINDS`; a post is in the feeds its
kinds' `names` give. A feed's history is kept by archive period (a month of
the site, a year of a source or tag), with a digest of each, so that a small
change re-plans only the periods it touches (`incremental/delta.py` calls the
same functions on them). `jobs` turns the feeds into the outputs to render,
each with a key of everything it is rendered from. No other file goes in `FOLDERS`.
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from . import formats, language
from .model import (
    EPOCH,
    MIX,
    Feed,
    FeedKind,
    Job,
    Listing,
    Load,
    Member,
    Part,
    Period,
    Post,
    period_members,
)
from .problems import Problem
from .settings import Settings
from .slugs import assign_slugs


def _site(post: Post) -> tuple[str, ...]:
    return ("",)


def _sources(post: Post) -> tuple[str, ...]:
    return post.sources


def _tags(post: Post) -> tuple[str, ...]:
    return post.tags


def _author(post: Post) -> tuple[str, ...]:
    return (post.author,) if post.author else ()


def _always(settings: Settings) -> bool:
    return True


def _wanted(kind: str) -> Callable[[Settings], bool]:
    return lambda settings: settings.kind(kind).enabled


def _zone(settings: Settings, name: str) -> str:
    return settings.source(name).zone


# One row per kind of feed, in the order feeds are planned, written and listed.
# By default the site feed, which holds every post, is archived by month and the
# others by year: a month of a tag is often a handful of posts, and a document
# per tag and month would be most of the files a build writes.
FEED_KINDS = (
    FeedKind("site", "", "Site", _site, monthly=True, archived=True, enabled=_always),
    FeedKind("source", "sources", "Sources", _sources, False, True, _wanted("source"), _zone),
    FeedKind("tag", "tags", "Tags", _tags, False, True, _wanted("tag")),
    FeedKind("author", "authors", "Authors", _author, False, False, _wanted("author")),
)
KIND = {kind.name: kind for kind in FEED_KINDS}
FOLDERS = frozenset({"archive", *(kind.folder for kind in FEED_KINDS if kind.folder)})  # feeds
SITE = KIND["site"]
SETTABLE = tuple(kind.name for kind in FEED_KINDS if kind is not SITE)  # `[feeds.X]` may name
_ORDER = {kind: i for i, kind in enumerate(FEED_KINDS)}


def kinds(settings: Settings) -> tuple[FeedKind, ...]:
    """The kinds of feed the settings ask for."""
    return tuple(kind for kind in FEED_KINDS if kind.enabled(settings))


def kind_of(folder: str) -> FeedKind | None:
    """The kind whose feeds live in `folder`'s top folder ("" is the site's)."""
    top = folder.partition("/")[0]
    return next((k for k in FEED_KINDS if k.folder == top), None)


def order(kind: FeedKind) -> int:
    return _ORDER[kind]


def monthly(kind: FeedKind, settings: Settings) -> bool:
    """Whether the feeds of `kind` are archived by month (else by year)."""
    if settings.archive_period != "auto":
        return settings.archive_period == "month"
    return kind.monthly


def period_of(member: Member, monthly: bool) -> str:
    return member.month if monthly else member.year


# --- members and periods -----------------------------------------------------------

_POST_FIELDS = tuple(f.name for f in fields(Post))


def micros(when: datetime) -> int:
    return (when - EPOCH) // timedelta(microseconds=1)


def fingerprint(post: Post) -> str:
    """A hash of every field of `post` (marshal of its fields: ten times quicker than repr)."""
    values = {name: getattr(post, name) for name in _POST_FIELDS}
    for name in ("liquid", "links", "lead", "skip"):
        if not values[name]:
            del values[name]  # as before these fields were: fingerprints (and names) kept
    if post.lead is not None:
        values["lead"] = tuple(post.lead)  # marshal takes no tuple subclass
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
        formats.archive_bound(post),
        post.lang,
    )  # fmt: skip  (months and years interned: shared in memory and in the cache's blobs)


def digest_of(members: Sequence[Member]) -> bytes:
    """A hash of the fingerprints of `members`, in order."""
    return hashlib.blake2b("\n".join(m.fp for m in members).encode(), digest_size=16).digest()


def mix_of(members: Iterable[Member]) -> int:
    """A hash of the set of `members`: the sum of their fingerprints, so that a feed's
    is the sum of its periods' (a warm build knows them, not all the members)."""
    return sum(int(m.fp, 16) for m in members) % MIX


def period(name: str, members: Sequence[Member]) -> Period:
    return Period(name, digest_of(members), len(members), mix_of(members))


def periods_of(
    history: Sequence[Member], monthly: bool
) -> tuple[tuple[Period, ...], dict[str, tuple[Member, ...]]]:
    """`history` (newest first) split into its periods, oldest first, and their members."""
    found: dict[str, list[Member]] = defaultdict(list)
    for m in history:
        found[period_of(m, monthly)].append(m)
    members = {name: tuple(found[name]) for name in sorted(found)}
    return tuple(period(n, ms) for n, ms in members.items()), members


def head_of(
    periods: Sequence[Period], load: Mapping[str, Sequence[Member]], limit: int
) -> list[Member]:
    """The newest `limit` members of a feed, from its newest periods (`load`: by period)."""
    head: list[Member] = []
    for p in reversed(periods):
        head += load[p.name][: limit - len(head)]
        if len(head) >= limit:
            break
    return head


# --- feeds -----------------------------------------------------------------------------


def slug_problems(
    kind: FeedKind, collisions: list[tuple[str, list[str]]], slugs: Mapping[str, str]
) -> list[Problem]:
    """FP501 for each path that several names map to, saying where each one went."""
    problems = []
    for slug, names in collisions:
        where = ", ".join(
            f"{n!r} keeps it" if slugs[n] == slug else f"{n!r} to {kind.path(slugs[n])!r}"
            for n in names
        )
        msg = f"{kind.name}s {', '.join(map(repr, names))} share the path {slug!r}; {where}"
        problems.append(Problem(kind.path(slug), 0, 0, "FP501", msg, "feed", f"kind:{kind.name}"))
    return problems


def slugs(
    kind: FeedKind, names: Iterable[str], taken: Mapping[str, str] | None
) -> tuple[dict[str, str], list[Problem]]:
    """Each name's slug (`taken`: the last build's, see `assign_slugs`) and FP501s."""
    found, collisions = assign_slugs(names, taken)
    return found, slug_problems(kind, collisions, found)


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
    feeds: list[Feed] = []
    problems: list[Problem] = []
    for kind in kinds(settings):
        held: dict[str, list[int]] = defaultdict(list)
        for i, post in enumerate(posts):
            for name in kind.names(post):
                held[name].append(i)
        if not kind.folder:  # the site's one feed, even with no post at all
            held.setdefault("", [])
        named, found = slugs(kind, held, (taken or {}).get(kind.name))
        problems += found
        by_month = monthly(kind, settings)
        for name in sorted(held, key=lambda n: named[n]):
            chosen = held[name]
            head = tuple(history[i] for i in chosen[:limit])
            lang = feed_lang(kind, name, head, settings)
            feeds.append(
                Feed(
                    kind,
                    name,
                    kind.path(named[name]),
                    kind.title(name, settings, lang),
                    tuple(posts[i] for i in chosen[:limit]),
                    head,
                    *periods_of([history[i] for i in chosen], by_month),
                    lang,
                )
            )
    return feeds, problems


def feed_lang(kind: FeedKind, name: str, head: Iterable[Member], settings: Settings) -> str:
    """A feed's language: the site's or the source's if the settings state it, else the
    commonest of its newest entries' (a feed is read as what it shows now)."""
    if not kind.folder and settings.lang:
        return settings.lang
    if kind is KIND["source"] and (stated := settings.source(name).lang):
        return stated
    # "und" (BCP 47's undetermined) when none of its newest titles tells: every feed
    # says something, and nothing depends on another feed (a warm build redoes one).
    return language.majority((m.lang for m in head), settings.lang) or settings.lang or "und"


@dataclass(frozen=True)
class Published:
    """Which feeds a build publishes, and what the site's pages list."""

    listings: list[Listing]  # to list: the published, then those shown as another
    hidden: frozenset[str]  # the folders of the feeds not written
    aliases: dict[str, str]  # folder of a feed not published -> the folder that has its posts
    problems: list[Problem]


def published(
    listings: Sequence[Listing], settings: Settings, was: Collection[str] = ()
) -> Published:
    """The feeds to publish: those the settings want (`[feeds.tag]` and the like), one
    per set of posts (`merge_duplicates`: the first in FEED_KINDS order, then by path,
    keeps it; the others are listed as it), at most `max_feeds`, aliases' pages counted.

    A feed published before (its folder in `was`) stays published when another comes
    to hold the same posts: its subscribers must not find it gone."""
    wanted = sorted(
        (
            f
            for f in listings
            if not f.kind.folder or settings.kind(f.kind.name).wants(f.name, f.total)
        ),
        key=lambda f: (order(f.kind), f.folder),
    )
    aliases: dict[str, str] = {}
    shown: list[Listing] = []
    if settings.merge_duplicates:
        first: dict[tuple[int, int], Listing] = {}
        for f in wanted:
            keeper = first.setdefault((f.total, f.mix), f)
            if keeper is not f and f.total and f.folder not in was:
                aliases[f.folder] = keeper.folder
                shown.append(replace(keeper, kind=f.kind, name=f.name, alias=f.folder))
    kept = [f for f in wanted if f.folder not in aliases]
    named = [replace(f, folder=f.alias) for f in shown]  # (1,500 posts' 100 tags: 150,000)
    dropped, problems = over_limit(kept + named, settings.max_feeds)
    lists = [f for f in kept if f.folder not in dropped]
    lists += [f for f in shown if f.folder not in dropped and f.alias not in dropped]
    hidden = {f.folder for f in listings} - {f.folder for f in lists if not f.alias}
    return Published(lists, frozenset(hidden), aliases, problems)


def over_limit(listings: Sequence[Listing], limit: int) -> tuple[set[str], list[Problem]]:
    """The folders past `limit`, and FP503 if any: the site and the feeds of most entries
    stay (ties by kind, then path), so a tag bomb costs the smallest tags, never a source."""
    if len(listings) <= limit:
        return set(), []
    ranked = sorted(listings, key=lambda f: (f.kind is not SITE, -f.total, order(f.kind), f.folder))
    dropped = ranked[limit:]
    msg = (
        f"{len(listings):,} feeds, over the limit of {limit:,} (max_feeds): the "
        f"{len(dropped):,} with the fewest entries are not published, like {dropped[0].folder}"
    )
    return {f.folder for f in dropped}, [Problem(dropped[0].folder, 0, 0, "FP503", msg, "feed")]


# --- archive documents -----------------------------------------------------------------


def page_name(feed: Feed, period: str, part: int) -> tuple[str, str]:
    """The file and label of part `part` (from 1) of a period's archive documents."""
    folder = f"{feed.folder}/archive" if feed.folder else "archive"
    if part == 1:
        return f"{folder}/{period}.xml", period
    return f"{folder}/{period}.{part}.xml", f"{period} ({part})"


def open_name(file: str, members: Sequence[Member]) -> str:
    """The file of an archive document of a feed's newest period, named for the
    set of its entries (`2021-04-3f9a1c2e.xml`). The period is still open: its next
    post changes its last document (and, dated earlier, the later parts of a
    crowded one). RFC 5005 clients walk back from the subscription document until
    an archive document they have read, and never read that one again, so a
    document whose entries changed must have a new address, or they would miss
    the new ones. Once a newer period begins, its documents keep plain names."""
    return f"{file.removesuffix('.xml')}-{key(sorted(m.id for m in members))[:8]}.xml"


def archive_room(feed: Feed, settings: Settings) -> int:
    """The bytes an archive document of `feed` has for its entries."""
    return settings.feed_bytes - 4096 - 2 * formats.bound(feed.title)  # the document's own head


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


# --- jobs ------------------------------------------------------------------------------


class PartPlan(NamedTuple):
    """An archive document as planned: where its entries are, and its key."""

    file: str
    label: str
    period: str
    start: int  # of the period's members, oldest first
    size: int
    key: str


class FeedPlan(NamedTuple):
    """What planning a feed came to, enough to make its jobs again."""

    key: str  # of the feed's own files
    newest: str | None  # its newest archive document
    parts: tuple[PartPlan, ...]  # oldest first
    splits: dict[str, tuple[int, ...]]  # each period's split into parts, by a hash of its members


class Planned(NamedTuple):
    digest: str  # a hash of all the feed is made of: equal, and the plan holds
    plan: FeedPlan


Plans = dict[str, Planned]  # by feed folder


def key(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def jobs(
    feeds: Sequence[Feed], settings: Settings, load: Load, plans: Plans | None = None
) -> tuple[list[Job], Plans]:
    """Every output's job, and the plan of every feed. `plans` from the last build
    spare a feed whose entries did not change the work of planning it again, and a
    feed that changed the splitting of the periods that did not (and so the loading
    of their members)."""
    found = []
    made: Plans = {}
    for feed in feeds:
        digest = key(feed.kind.name, feed.folder, feed.title, feed.periods, _fps(feed.head))
        old = (plans or {}).get(feed.folder)
        if old is not None and old.digest == digest:
            plan = old.plan
        else:
            plan = _plan_feed(feed, settings, load, old.plan.splits if old else {})
        made[feed.folder] = Planned(digest, plan)
        found += _jobs(feed, plan)
    return found, made


def _fps(members: Sequence[Member]) -> list[str]:
    return [m.fp for m in members]


def _plan_feed(
    feed: Feed, settings: Settings, load: Load, old_splits: dict[str, tuple[int, ...]]
) -> FeedPlan:
    splits: dict[str, tuple[int, ...]] = {}
    parts: list[tuple[str, str, str, int, int]] = []
    room = archive_room(feed, settings)
    for p in feed.periods if feed.kind.archived else ():
        split_key = key(room, p.digest)
        sizes = old_splits.get(split_key)
        if sizes is None:
            oldest = period_members(feed, p.name, load)[::-1]
            sizes = split_period(oldest, room)
        splits[split_key] = sizes
        start = 0
        for n, count in enumerate(sizes, start=1):
            parts.append((*page_name(feed, p.name, n), p.name, start, count))
            start += count
    digests = {p.name: p.digest for p in feed.periods}
    if parts:  # the newest period's documents are open: see `open_name`
        newest_period = parts[-1][2]
        oldest = period_members(feed, newest_period, load)[::-1]
        for i, (file, _, period_name, start, count) in enumerate(parts):
            if period_name == newest_period:
                parts[i] = (open_name(file, oldest[start : start + count]), *parts[i][1:])
    newest = parts[-1][0] if parts else None
    feed_key = key(feed.files, feed.title, newest, _fps(feed.head))
    planned = []
    for i, (file, label, period_name, start, count) in enumerate(parts):
        prev = parts[i - 1][0] if i else None
        nxt = parts[i + 1][0] if i + 1 < len(parts) else None
        inputs = (file, label, feed.title, feed.file("atom"), prev, nxt)
        part_key = key(inputs, digests[period_name], start, count)
        planned.append(PartPlan(file, label, period_name, start, count, part_key))
    return FeedPlan(feed_key, newest, tuple(planned), splits)


def _jobs(feed: Feed, plan: FeedPlan) -> list[Job]:
    found = [Job(feed.files, plan.key, feed, newest=plan.newest)]
    parts = plan.parts
    for i, p in enumerate(parts):
        prev = parts[i - 1].file if i else None
        nxt = parts[i + 1].file if i + 1 < len(parts) else None
        part = Part(p.file, p.label, p.period, p.start, p.size)
        found.append(Job((p.file,), p.key, feed, part, prev=prev, next=nxt))
    return found
